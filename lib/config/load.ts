/**
 * Loading the settings layers: the user config file and a trusted project
 * file. YAML is loaded only when a file exists, so launches without config
 * pay one stat each.
 */
import { LlmError } from "../errors.ts";
import type { ParsedOptions } from "../cli/parse.ts";
import { type AgentDef, BUILTIN_AGENTS } from "../launch/agents.ts";
import { join, resolve } from "../std/path.ts";
import type { System } from "../system/system.ts";
import { applyAgentConfig } from "./agents.ts";
import { PROJECT_FILE, trustStorePath, userConfigPath } from "./paths.ts";
import { type ConfigFile, type ConfigKind, validateConfig } from "./schema.ts";
import { parseTrustStore, sha256Hex, type TrustState, trustState } from "./trust.ts";

/** The settings files found, in precedence order, and the agents they define. */
export interface LoadedConfig {
  /** Option layers, lowest precedence first (user file, then project file). */
  readonly layers: readonly ParsedOptions[];
  readonly agents: readonly AgentDef[];
  /** Printed once per launch (an untrusted project file). */
  readonly warnings: readonly string[];
  readonly userFile: { readonly path: string; readonly exists: boolean };
  readonly projectFile: {
    readonly path: string;
    readonly state: TrustState | "absent";
    readonly checksum?: string;
  };
  readonly trustStore: string;
}

/** Read a config file: null when absent; unreadable is an error. */
export function readConfigText(system: System, path: string): string | null {
  try {
    return system.readText(path);
  } catch (e) {
    throw new LlmError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
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

/** Load the user config (or `configFlag`) and the project file of the working directory. */
export async function loadConfig(system: System, configFlag?: string): Promise<LoadedConfig> {
  const user = userConfigPath(system.env, system.home, configFlag);
  const userPath = resolve(system.cwd, user.path);
  const layers: ParsedOptions[] = [];
  const warnings: string[] = [];
  let agents: readonly AgentDef[] = BUILTIN_AGENTS;
  const userText = readConfigText(system, userPath);
  if (userText === null && user.explicit) {
    throw new LlmError(`config file ${userPath} does not exist (named by --config or LLM_CONFIG)`);
  }
  if (userText !== null) {
    const parsed = await parseConfigFile(userText, userPath, "user");
    layers.push(parsed.options);
    agents = applyAgentConfig(agents, parsed.agents);
  }
  const projectPath = join(system.cwd, PROJECT_FILE);
  const storePath = trustStorePath(system.env, system.home);
  const projectText = readConfigText(system, projectPath);
  let state: TrustState | "absent" = "absent";
  let checksum: string | undefined;
  if (projectText !== null) {
    checksum = await sha256Hex(projectText);
    state = trustState(
      parseTrustStore(readConfigText(system, storePath), storePath),
      projectPath,
      checksum,
    );
    if (state === "trusted") {
      layers.push((await parseConfigFile(projectText, projectPath, "project")).options);
    } else {
      warnings.push(
        `${projectPath} is ignored: ${
          state === "changed" ? "it changed since it was trusted" : "it is not trusted yet"
        }; review it, then run 'llm trust' to use it`,
      );
    }
  }
  return {
    layers,
    agents,
    warnings,
    userFile: { path: userPath, exists: userText !== null },
    projectFile: { path: projectPath, state, checksum },
    trustStore: storePath,
  };
}
