/**
 * Loading the settings layers: the user config file and the project file of
 * the working directory, as far as it is trusted. YAML is loaded only when a
 * file exists, so launches without config pay a few stats. A file that
 * cannot be used stops the caller, unless it reads no settings
 * (`tolerateBroken`: the file is left out and its error is kept in `problems`).
 */
import { LlmError } from "../errors.ts";
import type { ParsedOptions } from "../cli/parse.ts";
import { type AgentDef, BUILTIN_AGENTS } from "../launch/agents.ts";
import { isWithin } from "../launch/mounts.ts";
import { dirname, join, resolve } from "../std/path.ts";
import type { System } from "../system/system.ts";
import { quoteWord } from "../text/shell_words.ts";
import { applyAgentConfig } from "./agents.ts";
import { PROJECT_FILE, trustStorePath, userConfigPath } from "./paths.ts";
import { checkProjectEnv } from "./project_env.ts";
import { readConfigFile, readSettingsText, TRUST_STORE_SIZE_LIMIT } from "./read.ts";
import { type AgentConfig, type ConfigFile, type ConfigKind, validateConfig } from "./schema.ts";
import {
  describeRestrictions,
  parseTrustStore,
  restrictionChanges,
  restrictionLayer,
  type Restrictions,
  restrictionsOf,
  sha256Hex,
  type TrustEntry,
  type TrustStore,
} from "./trust.ts";
import { yamlErrorLine } from "./yaml_error.ts";

/**
 * How the working directory's project file stands. `vanished`: trusted, now
 * gone (its recorded restrictions apply); `changed`: trusted, now different
 * or no longer a regular file (only reported with `tolerateChanged` or
 * `tolerateBroken`); `unknown`: it could not be checked (the trust store or
 * the working directory cannot be read; only with `tolerateBroken`).
 */
export type ProjectState =
  | "absent"
  | "untrusted"
  | "trusted"
  | "changed"
  | "vanished"
  | "unknown";

/** The settings files found, in precedence order, and the agents they define. */
export interface LoadedConfig {
  /** Option layers, lowest precedence first (user file, then project file). */
  readonly layers: readonly ParsedOptions[];
  readonly agents: readonly AgentDef[];
  /** Printed once per launch (an untrusted or vanished project file, ...). */
  readonly warnings: readonly string[];
  /**
   * Errors that `tolerateBroken` turned into warnings: each names a file
   * left out. Always empty without `tolerateBroken` (those errors throw).
   */
  readonly problems: readonly string[];
  /** The user file's `agents:` entries, for precedence against its top-level settings. */
  readonly configuredAgents: ReadonlyMap<string, AgentConfig>;
  /** `broken`: it exists (or was named) but was left out, its error in `problems`. */
  readonly userFile: { readonly path: string; readonly exists: boolean; readonly broken: boolean };
  readonly projectFile: {
    readonly path: string;
    readonly state: ProjectState;
    readonly checksum?: string;
    /** For `vanished`: the recorded restrictions that still apply (absent if never recorded). */
    readonly restrictions?: Restrictions;
  };
  readonly trustStore: string;
}

/** Options for `loadConfig`. */
export interface LoadOptions {
  /**
   * Report a changed trusted project file in `projectFile.state` instead of
   * refusing (default false: launches must stop). For `llm config path`.
   */
  readonly tolerateChanged?: boolean;
  /**
   * For commands that read no settings (completions, help, `config path`):
   * a file that cannot be used is left out and its error goes to `problems`
   * instead of being thrown (default false). Never for launches or
   * anything that applies the settings: a changed trusted project file's
   * restrictions would be dropped.
   */
  readonly tolerateBroken?: boolean;
}

/** Parse and validate one config file's text. */
export async function parseConfigFile(
  text: string,
  path: string,
  kind: ConfigKind,
): Promise<ConfigFile> {
  const { parse } = await import("../std/yaml.ts");
  let data: unknown;
  try {
    data = parse(text);
  } catch (e) {
    throw new LlmError(`${path}: not valid YAML: ${yamlErrorLine((e as Error).message, text)}`);
  }
  return validateConfig(data, text, path, kind, BUILTIN_AGENTS.map((a) => a.name));
}

/**
 * Parse a project file as `llm trust` and launches must both accept it:
 * valid, and not setting what a project may not (see `checkProjectEnv`).
 */
export async function parseProjectFile(
  text: string,
  path: string,
  agents: readonly AgentDef[],
): Promise<ConfigFile> {
  const parsed = await parseConfigFile(text, path, "project");
  checkProjectEnv(parsed.options, agents);
  return parsed;
}

/** Read and parse the trust store (absent: empty). */
export async function readTrustStore(system: System, path: string): Promise<TrustStore> {
  return parseTrustStore(await readSettingsText(system, path, TRUST_STORE_SIZE_LIMIT), path);
}

/** Load the user config (or `configFlag`) and the project file of the working directory. */
export async function loadConfig(
  system: System,
  configFlag?: string,
  options: LoadOptions = {},
): Promise<LoadedConfig> {
  const user = userConfigPath(system.env, system.home, configFlag);
  const userPath = resolve(system.cwd, user.path);
  const layers: ParsedOptions[] = [];
  const warnings: string[] = [];
  const problems: string[] = [];
  /** Throw `e`, or with `tolerateBroken` keep its message and go on. */
  const broken = (e: unknown): void => {
    if (!(e instanceof LlmError) || !options.tolerateBroken) throw e;
    problems.push(e.message);
  };
  let agents: readonly AgentDef[] = BUILTIN_AGENTS;
  let configuredAgents: ReadonlyMap<string, AgentConfig> = new Map();
  let userText: string | null = null;
  let userOptions: ParsedOptions | undefined;
  let userBroken = false;
  try {
    userText = await readSettingsText(system, userPath);
    if (userText === null && user.explicit) {
      throw new LlmError(
        `config file ${userPath} does not exist (named by --config or LLM_CONFIG)`,
      );
    }
    if (userText !== null) {
      const parsed = await parseConfigFile(userText, userPath, "user");
      userOptions = parsed.options;
      layers.push(parsed.options);
      agents = applyAgentConfig(agents, parsed.agents);
      configuredAgents = parsed.agents;
    }
  } catch (e) {
    broken(e);
    userBroken = true;
  }
  const storePath = trustStorePath(system.env, system.home);
  let store: TrustStore | undefined;
  try {
    store = await readTrustStore(system, storePath);
  } catch (e) {
    broken(e);
  }
  warnings.push(...insideWorkspace(system, [
    [userText === null ? undefined : userPath, "your user config", "its settings"],
    [store?.size ? storePath : undefined, "the trust store", "which project files are trusted"],
  ]));
  const projectPath = join(system.cwd, PROJECT_FILE);
  const project = store === undefined
    ? { state: "unknown" as const, warnings: [] }
    : await projectLayer(system, projectPath, store.get(projectPath), agents, options);
  warnings.push(...project.warnings);
  if (project.error !== undefined) {
    const reported = options.tolerateChanged &&
      (project.state === "changed" || project.state === "vanished");
    if (!reported) broken(new LlmError(project.error));
  }
  if (project.layer) {
    const { options: kept, warnings: dropped } = dropOverriddenEnv(project.layer, userOptions);
    warnings.push(...dropped);
    layers.push(kept);
  }
  return {
    layers,
    agents,
    warnings,
    problems,
    configuredAgents,
    userFile: {
      path: userPath,
      exists: userText !== null || (userBroken && system.stat(userPath) !== null),
      broken: userBroken,
    },
    projectFile: {
      path: projectPath,
      state: project.state,
      checksum: project.checksum,
      restrictions: project.restrictions,
    },
    trustStore: storePath,
  };
}

interface ProjectResult {
  readonly state: ProjectState;
  readonly layer?: ParsedOptions;
  readonly checksum?: string;
  readonly restrictions?: Restrictions;
  readonly warnings: string[];
  /** Why the launch must stop; the caller throws it unless told to go on. */
  readonly error?: string;
}

async function projectLayer(
  system: System,
  path: string,
  entry: TrustEntry | undefined,
  agents: readonly AgentDef[],
  options: LoadOptions,
): Promise<ProjectResult> {
  const read = await readConfigFile(system, path, { followSymlinks: false });
  // Commands end the message unquoted, so they can be copied as they are.
  const trust = `llm trust ${quoteWord(path)}`;
  const forget = `llm trust --forget ${quoteWord(path)}`;
  // Only a launch has something not to start; `llm completions` just goes on.
  const stopped = options.tolerateBroken ? "" : " and nothing was launched";
  // Opening was refused and the file cannot even be looked up: its directory is unreadable.
  const dir = dirname(path);
  const dirDenied = read.kind === "unusable" && read.denied === true && system.stat(path) === null;
  if (entry === undefined) {
    if (read.kind === "absent") return { state: "absent", warnings: [] };
    if (dirDenied) {
      return {
        state: "unknown",
        warnings: [
          `the working directory ${dir} cannot be read (permission denied), so its ` +
          `${PROJECT_FILE}, if any, is not used; none is trusted there`,
        ],
      };
    }
    const why = read.kind === "unusable" ? read.problem : "is not trusted yet";
    return {
      state: "untrusted",
      warnings: [`${path} is ignored: it ${why}; review it, then run 'llm trust' to use it`],
    };
  }
  if (dirDenied) {
    return {
      state: "unknown",
      warnings: [],
      error: `${path} was trusted but the working directory ${dir} cannot be read ` +
        `(permission denied), so it cannot be checked; it is not applied${stopped}. ` +
        `Make the directory readable (chmod u+rx ${quoteWord(dir)}) or run llm elsewhere`,
    };
  }
  if (read.kind === "absent") {
    if (entry.restrictions === undefined) {
      return {
        state: "vanished",
        warnings: [],
        error: `${path} was trusted but is gone, and the trust store holds only its checksum ` +
          `(trusted by an older llm), so its restrictions are unknown` +
          `${options.tolerateBroken ? "" : "; nothing was launched"}. ` +
          `Restore the file, or launch without it after: ${forget}`,
      };
    }
    return {
      state: "vanished",
      layer: restrictionLayer(entry.restrictions, `${path} (trusted; file gone)`),
      restrictions: entry.restrictions,
      warnings: [
        `${path} was trusted but is gone; its restrictions still apply (${
          describeRestrictions(entry.restrictions)
        }); restore it, or drop them with: ${forget}`,
      ],
    };
  }
  if (read.kind === "unusable") {
    return {
      state: "changed",
      warnings: [],
      error: `${path} was trusted but now ${read.problem}; it is not applied${stopped}. ` +
        `Look at it (the agent can write there) and put the reviewed file back, then run: ` +
        `${trust}; to stop using it run: ${forget}`,
    };
  }
  const checksum = await sha256Hex(read.text);
  if (checksum !== entry.sha256) {
    return {
      state: "changed",
      checksum,
      warnings: [],
      error: `${path} changed since it was trusted (${await changeSummary(
        read.text,
        path,
        entry,
        agents,
      )}); it is not applied${stopped}. ` +
        `Review it; to trust it as it is now run: ${trust}; to stop using it run: ` +
        forget,
    };
  }
  try {
    const parsed = await parseProjectFile(read.text, path, agents);
    return { state: "trusted", layer: parsed.options, checksum, warnings: [] };
  } catch (e) {
    if (!(e instanceof LlmError)) throw e;
    return { state: "trusted", checksum, warnings: [], error: e.message };
  }
}

/** What changed in a trusted file, in the terms that matter: its restrictions. */
async function changeSummary(
  text: string,
  path: string,
  entry: TrustEntry,
  agents: readonly AgentDef[],
): Promise<string> {
  let now: ConfigFile;
  try {
    now = await parseProjectFile(text, path, agents);
  } catch (e) {
    if (!(e instanceof LlmError)) throw e;
    return "it is no longer a valid project file";
  }
  if (entry.restrictions === undefined) {
    return `now: ${describeRestrictions(restrictionsOf(now.options))}; ` +
      "what it restricted before was not recorded (trusted by an older llm)";
  }
  const changes = restrictionChanges(entry.restrictions, restrictionsOf(now.options));
  return changes.length
    ? `now it ${changes.join(", ")}`
    : "its restrictions are the same; other lines differ";
}

/**
 * A project file cannot change a variable the user config sets: the user's
 * own settings win over a repository's. Such entries are dropped, with a warning.
 */
function dropOverriddenEnv(
  project: ParsedOptions,
  user: ParsedOptions | undefined,
): { options: ParsedOptions; warnings: string[] } {
  const names = (o: ParsedOptions | undefined) =>
    (o?.lists.get("env") ?? []).map((pair) => pair.slice(0, pair.indexOf("=")));
  const userNames = names(user);
  const env = project.lists.get("env") ?? [];
  if (!env.some((_, i) => userNames.includes(names(project)[i]))) {
    return { options: project, warnings: [] };
  }
  const keep: string[] = [];
  const keepSources: string[] = [];
  const warnings: string[] = [];
  const projectNames = names(project);
  const sources = project.sources?.get("env") ?? [];
  env.forEach((pair, i) => {
    const at = userNames.indexOf(projectNames[i]);
    if (at < 0) {
      keep.push(pair);
      keepSources.push(sources[i]);
      return;
    }
    warnings.push(
      `${sources[i]}: env.${projectNames[i]} is ignored: your user config sets it (${
        user?.sources?.get("env")?.[at]
      }), and a project file cannot override your own settings`,
    );
  });
  const lists = new Map(project.lists);
  const allSources = new Map(project.sources ?? []);
  lists.set("env", keep);
  allSources.set("env", keepSources);
  return { options: { ...project, lists, sources: allSources }, warnings };
}

/** Warnings for settings files the agent could rewrite: they resolve inside the workspace. */
function insideWorkspace(
  system: System,
  files: readonly [string | undefined, string, string][],
): string[] {
  const workspace = system.realPath(system.cwd) ?? system.cwd;
  const out: string[] = [];
  for (const [path, name, what] of files) {
    if (path === undefined) continue;
    const real = system.realPath(path);
    if (real !== null && isWithin(real, workspace)) {
      out.push(
        `${name} ${path} is inside the workspace ${workspace}: the agent can rewrite it ` +
          `and so change ${what} for later launches; keep it outside the workspace`,
      );
    }
  }
  return out;
}
