/**
 * The settings layers below the command line for one run of `llm`: config
 * files, then the environment. Loaded only when a config file may apply
 * (a few stats decide), so launches without config never load YAML.
 *
 * How a broken file is handled depends on what the run does with settings:
 * a launch needs them and stops; help, `llm completions` (run by every new
 * shell) and the other commands that read no settings warn and go on; the
 * commands that report config problems themselves (doctor, config, trust)
 * go on quietly.
 */
import type { CommandSpec } from "../cli/command.ts";
import type { ParsedOptions } from "../cli/parse.ts";
import { LlmError } from "../errors.ts";
import type { System } from "../system/system.ts";
import { environmentLayer } from "./environment_layer.ts";
import type { LoadedConfig } from "./load.ts";
import { configFilesPresent } from "./paths.ts";

/** What a run does with the settings (see the module comment). */
export type ConfigUse = "needs" | "tolerates" | "reports";

/** The settings found for one run. */
export interface StartupSettings {
  /** Absent when no config file may apply. */
  readonly config?: LoadedConfig;
  /** Option layers, lowest precedence first: user file, project file, environment. */
  readonly layers: readonly ParsedOptions[];
  /** Errors turned into warnings, to print as `llm: warning: ...` before going on. */
  readonly warnings: readonly string[];
}

/**
 * How a command uses the settings; `help` for `--help`, `llm help` and a
 * bare `llm`, which only list agents. Agent launches pass no spec: they need them.
 *
 * @example
 * ```ts
 * import { configUse } from "./startup.ts";
 * configUse(undefined, true); // "tolerates"
 * configUse(undefined, false); // "needs"
 * ```
 */
export function configUse(spec: CommandSpec | undefined, help: boolean): ConfigUse {
  if (spec?.reportsConfigErrors) return "reports";
  if (help || spec?.toleratesBrokenConfig) return "tolerates";
  return "needs";
}

/** Load the config files (user file or `configFlag`, project file) and the environment layer. */
export async function loadStartupSettings(
  system: System,
  configFlag: string | undefined,
  use: ConfigUse,
): Promise<StartupSettings> {
  const tolerateBroken = use !== "needs";
  let config: LoadedConfig | undefined;
  if (configFilesPresent(system.env, system.home, system.cwd, (p) => system.stat(p), configFlag)) {
    const { loadConfig } = await import("./load.ts");
    config = await loadConfig(system, configFlag, { tolerateBroken });
  }
  const warnings = use === "tolerates" ? [...config?.problems ?? []] : [];
  let environment: ParsedOptions | undefined;
  try {
    environment = environmentLayer(system.env);
  } catch (e) {
    // A bad LLM_DEVCONTAINER_MOUNTS is as broken as a bad file, for what needs no settings.
    if (use !== "tolerates" || !(e instanceof LlmError)) throw e;
    warnings.push(e.message);
  }
  return {
    config,
    layers: [...config?.layers ?? [], ...environment ? [environment] : []],
    warnings,
  };
}
