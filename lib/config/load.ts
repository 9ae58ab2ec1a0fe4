/**
 * Loading the settings layers: the user config file and the project file of
 * the working directory, as far as it is trusted. YAML is loaded only when a
 * file exists, so launches without config pay a few stats.
 */
import { LlmError } from "../errors.ts";
import type { ParsedOptions } from "../cli/parse.ts";
import { type AgentDef, BUILTIN_AGENTS } from "../launch/agents.ts";
import { isWithin } from "../launch/mounts.ts";
import { join, resolve } from "../std/path.ts";
import type { System } from "../system/system.ts";
import { quoteWord } from "../text/shell_words.ts";
import { applyAgentConfig } from "./agents.ts";
import { PROJECT_FILE, trustStorePath, userConfigPath } from "./paths.ts";
import { checkProjectEnv } from "./project_env.ts";
import { readConfigFile, readSettingsText, TRUST_STORE_SIZE_LIMIT } from "./read.ts";
import { type ConfigFile, type ConfigKind, validateConfig } from "./schema.ts";
import {
  describeRestrictions,
  parseTrustStore,
  restrictionChanges,
  restrictionLayer,
  restrictionsOf,
  sha256Hex,
  type TrustEntry,
  type TrustStore,
} from "./trust.ts";

/**
 * How the working directory's project file stands. `vanished`: trusted, now
 * gone (its recorded restrictions apply); `changed`: trusted, now different
 * or no longer a regular file (only reported with `tolerateChanged`).
 */
export type ProjectState = "absent" | "untrusted" | "trusted" | "changed" | "vanished";

/** The settings files found, in precedence order, and the agents they define. */
export interface LoadedConfig {
  /** Option layers, lowest precedence first (user file, then project file). */
  readonly layers: readonly ParsedOptions[];
  readonly agents: readonly AgentDef[];
  /** Printed once per launch (an untrusted or vanished project file, ...). */
  readonly warnings: readonly string[];
  readonly userFile: { readonly path: string; readonly exists: boolean };
  readonly projectFile: {
    readonly path: string;
    readonly state: ProjectState;
    readonly checksum?: string;
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
    const first = (e as Error).message.split("\n")[0];
    throw new LlmError(`${path}: not valid YAML: ${first}`);
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
  let agents: readonly AgentDef[] = BUILTIN_AGENTS;
  const userText = await readSettingsText(system, userPath);
  if (userText === null && user.explicit) {
    throw new LlmError(`config file ${userPath} does not exist (named by --config or LLM_CONFIG)`);
  }
  let userOptions: ParsedOptions | undefined;
  if (userText !== null) {
    const parsed = await parseConfigFile(userText, userPath, "user");
    userOptions = parsed.options;
    layers.push(parsed.options);
    agents = applyAgentConfig(agents, parsed.agents);
  }
  const storePath = trustStorePath(system.env, system.home);
  const store = await readTrustStore(system, storePath);
  warnings.push(...insideWorkspace(system, [
    [userText === null ? undefined : userPath, "your user config", "its settings"],
    [store.size ? storePath : undefined, "the trust store", "which project files are trusted"],
  ]));
  const projectPath = join(system.cwd, PROJECT_FILE);
  const project = await projectLayer(system, projectPath, store.get(projectPath), agents, options);
  warnings.push(...project.warnings);
  if (project.layer) {
    const { options: kept, warnings: dropped } = dropOverriddenEnv(project.layer, userOptions);
    warnings.push(...dropped);
    layers.push(kept);
  }
  return {
    layers,
    agents,
    warnings,
    userFile: { path: userPath, exists: userText !== null },
    projectFile: { path: projectPath, state: project.state, checksum: project.checksum },
    trustStore: storePath,
  };
}

interface ProjectResult {
  readonly state: ProjectState;
  readonly layer?: ParsedOptions;
  readonly checksum?: string;
  readonly warnings: string[];
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
  if (entry === undefined) {
    if (read.kind === "absent") return { state: "absent", warnings: [] };
    const why = read.kind === "unusable" ? read.problem : "is not trusted yet";
    return {
      state: "untrusted",
      warnings: [`${path} is ignored: it ${why}; review it, then run 'llm trust' to use it`],
    };
  }
  if (read.kind === "absent") {
    if (entry.restrictions === undefined) {
      if (options.tolerateChanged) return { state: "vanished", warnings: [] };
      throw new LlmError(
        `${path} was trusted but is gone, and the trust store holds only its checksum ` +
          `(trusted by an older llm), so its restrictions are unknown; nothing was launched. ` +
          `Restore the file, or launch without it after: ${forget}`,
      );
    }
    return {
      state: "vanished",
      layer: restrictionLayer(entry.restrictions, `${path} (trusted; file gone)`),
      warnings: [
        `${path} was trusted but is gone; its restrictions still apply (${
          describeRestrictions(entry.restrictions)
        }); restore it, or drop them with: ${forget}`,
      ],
    };
  }
  if (read.kind === "unusable") {
    if (options.tolerateChanged) return { state: "changed", warnings: [] };
    throw new LlmError(
      `${path} was trusted but now ${read.problem}; it is not applied and nothing was launched. ` +
        `Look at it (the agent can write there) and put the reviewed file back, then run: ` +
        `${trust}; to stop using it run: ${forget}`,
    );
  }
  const checksum = await sha256Hex(read.text);
  if (checksum !== entry.sha256) {
    if (options.tolerateChanged) return { state: "changed", checksum, warnings: [] };
    throw new LlmError(
      `${path} changed since it was trusted (${await changeSummary(
        read.text,
        path,
        entry,
        agents,
      )}); it is not applied and nothing was ` +
        `launched. Review it; to trust it as it is now run: ${trust}; to stop using it run: ` +
        forget,
    );
  }
  const parsed = await parseProjectFile(read.text, path, agents);
  return { state: "trusted", layer: parsed.options, checksum, warnings: [] };
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
