/**
 * `llm config show` and `llm config path`.
 */
import { LlmError, UsageError } from "../errors.ts";
import type { CommandContext } from "../cli/command.ts";
import { GLOBAL_OPTIONS } from "../cli/options.ts";
import type { ParsedOptions } from "../cli/parse.ts";
import { PROJECT_NETWORK } from "../egress/policy.ts";
import { DEFAULT_IMAGE } from "../launch/container.ts";
import { containerPlatform } from "../launch/image.ts";
import { engineCheck, selectRuntime } from "../runtime/select.ts";
import type { System } from "../system/system.ts";
import { problemLine } from "../text/colour.ts";
import { closest } from "../text/suggest.ts";
import { loadConfig, type LoadedConfig } from "./load.ts";
import { PROJECT_STATE_MARKS } from "./project_state.ts";
import { networkLines, type NetworkSummary, networkSummary, sourceLabel } from "./show_network.ts";

/** The subcommands of `llm config`. */
export const CONFIG_ACTIONS = ["show", "path"] as const;

/** Options that are actions, not settings. */
const NOT_SETTINGS = new Set(["help", "version", "dry-run", "verbose", "config"]);

/** One row of `config show`. */
export interface SettingRow {
  readonly name: string;
  readonly value: string;
  readonly source: string;
  /** What an `auto` value stands for on this host (`backend auto` -> `podman`). */
  readonly resolved?: string;
}

/** What `auto` settings resolve to on this host; see `hostResolutions`. */
export interface Resolutions {
  readonly backend?: string;
}

/**
 * The effective settings with their sources. A source is `default`, a
 * `file:line`, an environment variable, or the command-line flag. An `auto`
 * value gets its meaning from `resolved`.
 */
export function settingRows(
  options: ParsedOptions,
  hostArch: string,
  resolved: Resolutions = {},
): SettingRow[] {
  const label = (name: string, i = 0) => sourceLabel(options, name, i);
  const defaults: Record<string, string> = {
    backend: "auto",
    arch: containerPlatform(undefined, hostArch),
    "image-name": `${DEFAULT_IMAGE} (tag per agent)`,
  };
  const resolve = (name: string, value: string) =>
    name === "backend" && value === "auto" && resolved.backend !== undefined
      ? { resolved: resolved.backend }
      : {};
  const rows: SettingRow[] = [];
  for (const def of GLOBAL_OPTIONS) {
    if (NOT_SETTINGS.has(def.name)) continue;
    if (def.kind === "flag") {
      rows.push(
        options.flags.has(def.name)
          ? { name: def.name, value: "true", source: label(def.name) }
          : { name: def.name, value: "false", source: "default" },
      );
    } else if (def.kind === "value") {
      const v = options.values.get(def.name);
      if (v !== undefined) {
        rows.push({ name: def.name, value: v, source: label(def.name), ...resolve(def.name, v) });
      } else if (def.name in defaults) {
        const value = defaults[def.name];
        rows.push({ name: def.name, value, source: "default", ...resolve(def.name, value) });
      }
      // A project file's `network` is kept apart from the user's (it only tightens); its row
      // follows theirs, so the table shows every place the policy is set.
      const project = def.name === "network" ? options.values.get(PROJECT_NETWORK) : undefined;
      if (project !== undefined) {
        rows.push({ name: def.name, value: project, source: label(PROJECT_NETWORK) });
      }
    } else {
      (options.lists.get(def.name) ?? []).forEach((v, i) =>
        rows.push({ name: def.name, value: v, source: label(def.name, i) })
      );
    }
  }
  return rows;
}

/**
 * What `backend auto` picks on this host, as a launch would (PATH and the
 * docker engine probe; nothing is run): a runtime name, or why there is none.
 */
export function hostResolutions(system: System): Resolutions {
  try {
    const choice = selectRuntime(
      "auto",
      (n) => system.which(n),
      false,
      system.os,
      engineCheck(system),
    );
    return { backend: choice.executable };
  } catch (e) {
    if (!(e instanceof LlmError)) throw e;
    return { backend: "no runtime found" };
  }
}

/**
 * `config show --json`: every setting by name, each `{value, source}` (and
 * `resolved` for `auto`), lists as arrays of those, flags with boolean values
 * (`network` is the user's: a project file's is in `network.project`); then
 * the effective network policy, the agents the config files define or
 * change, and the files read.
 */
export function settingsJson(
  rows: readonly SettingRow[],
  config: LoadedConfig,
  network: NetworkSummary,
): unknown {
  const settings: Record<string, unknown> = {};
  for (const def of GLOBAL_OPTIONS) {
    if (NOT_SETTINGS.has(def.name)) continue;
    const mine = rows.filter((r) => r.name === def.name).map((r) => ({
      value: def.kind === "flag" ? r.value === "true" : r.value,
      source: r.source,
      ...(r.resolved === undefined ? {} : { resolved: r.resolved }),
    }));
    settings[def.name] = def.kind === "list" ? mine : mine[0] ?? { value: null, source: "default" };
  }
  return {
    settings,
    network,
    agents: customAgents(config).map((a) => ({ name: a.name, summary: a.summary })),
    files: filesJson(config),
  };
}

function filesJson(config: LoadedConfig) {
  return {
    user_config: {
      path: config.userFile.path,
      exists: config.userFile.exists,
      used: config.userFile.exists && !config.userFile.broken,
    },
    project_file: { path: config.projectFile.path, state: config.projectFile.state },
    trust_store: config.trustStore,
  };
}

function customAgents(config: LoadedConfig) {
  return config.agents.filter((a) =>
    a.summary.includes("defined in") || a.summary.includes("changed in")
  );
}

/** The action named by `args`, or a usage error suggesting the closest. */
export function configAction(args: readonly string[]): (typeof CONFIG_ACTIONS)[number] {
  const action = args[0];
  if (args.length === 1 && (CONFIG_ACTIONS as readonly string[]).includes(action)) {
    return action as (typeof CONFIG_ACTIONS)[number];
  }
  const expected = `llm config needs one of: ${CONFIG_ACTIONS.join(", ")}`;
  if (args.length === 0) throw new UsageError(expected);
  if (args.length > 1 && (CONFIG_ACTIONS as readonly string[]).includes(action)) {
    throw new UsageError(`llm config ${action} takes no arguments (got '${args[1]}')`);
  }
  const near = closest(action, CONFIG_ACTIONS);
  throw new UsageError(
    `unknown config action '${action}'${near ? `: did you mean '${near}'?` : ""} (${expected})`,
  );
}

/** Run `llm config show|path`. */
export async function run({ options, args, system }: CommandContext): Promise<number> {
  const action = configAction(args);
  const json = options.flags.has("json");
  // `path` says where to look when something is wrong, so it goes on past a changed or broken
  // file (with a warning for what it could not read); `show` fails as a launch would.
  const config = await loadConfig(system, options.values.get("config"), {
    tolerateChanged: action === "path",
    tolerateBroken: action === "path",
  });
  for (const w of action === "path" ? config.problems : config.warnings) {
    system.stderr(await problemLine(system, "warning", w));
  }
  if (action === "path") {
    if (json) {
      system.stdout(JSON.stringify(filesJson(config), null, 2) + "\n");
      return 0;
    }
    const user = config.userFile;
    const mark = user.broken ? " (not used: see the warning)" : user.exists ? "" : " (absent)";
    system.stdout(`user config:  ${user.path}${mark}\n`);
    system.stdout(
      `project file: ${config.projectFile.path}${PROJECT_STATE_MARKS[config.projectFile.state]}\n`,
    );
    system.stdout(`trust store:  ${config.trustStore}\n`);
    return 0;
  }
  const rows = settingRows(options, system.arch, hostResolutions(system));
  const network = networkSummary(options);
  if (json) {
    system.stdout(JSON.stringify(settingsJson(rows, config, network), null, 2) + "\n");
    return 0;
  }
  const shown = rows.map((r) => ({
    ...r,
    value: r.resolved === undefined ? r.value : `${r.value} → ${r.resolved}`,
  }));
  const width = Math.max(...shown.map((r) => r.name.length), 7) + 2;
  const valueWidth = Math.min(Math.max(...shown.map((r) => r.value.length), 5) + 2, 60);
  system.stdout(`${"setting".padEnd(width)}${"value".padEnd(valueWidth)}source\n`);
  for (const r of shown) {
    system.stdout(`${r.name.padEnd(width)}${r.value.padEnd(valueWidth)}${r.source}\n`);
  }
  for (const line of networkLines(network)) system.stdout(`${line}\n`);
  for (const a of customAgents(config)) system.stdout(`agent ${a.name}: ${a.summary}\n`);
  return 0;
}
