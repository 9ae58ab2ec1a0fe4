/**
 * `llm config show` and `llm config path`.
 */
import { UsageError } from "../errors.ts";
import type { CommandContext } from "../cli/command.ts";
import { GLOBAL_OPTIONS } from "../cli/options.ts";
import type { ParsedOptions } from "../cli/parse.ts";
import { sourceOf } from "../cli/parse.ts";
import { DEFAULT_IMAGE } from "../launch/container.ts";
import { containerPlatform } from "../launch/image.ts";
import { loadConfig, type ProjectState } from "./load.ts";

/** How `config path` describes the project file's state. */
const PROJECT_STATES: Record<ProjectState, string> = {
  absent: " (absent)",
  untrusted: " (untrusted: ignored)",
  trusted: " (trusted)",
  changed: " (changed since trusted: launches stop until 'llm trust')",
  vanished: " (gone: its trusted restrictions still apply until 'llm trust --forget')",
};

/** Options that are actions, not settings. */
const NOT_SETTINGS = new Set(["help", "version", "dry-run", "verbose", "config"]);

/** One row of `config show`. */
export interface SettingRow {
  readonly name: string;
  readonly value: string;
  readonly source: string;
}

/**
 * The effective settings with their sources. A source is `default`, a
 * `file:line`, an environment variable, or the command-line flag.
 */
export function settingRows(options: ParsedOptions, hostArch: string): SettingRow[] {
  const label = (name: string, i = 0) => {
    const s = sourceOf(options, name, i);
    return s.startsWith("--") ? `flag ${s}` : s.startsWith("LLM_") ? `env ${s}` : s;
  };
  const defaults: Record<string, string> = {
    backend: "auto",
    arch: containerPlatform(undefined, hostArch),
    "image-name": `${DEFAULT_IMAGE} (tag per agent)`,
  };
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
      if (v !== undefined) rows.push({ name: def.name, value: v, source: label(def.name) });
      else if (def.name in defaults) {
        rows.push({ name: def.name, value: defaults[def.name], source: "default" });
      }
    } else {
      (options.lists.get(def.name) ?? []).forEach((v, i) =>
        rows.push({ name: def.name, value: v, source: label(def.name, i) })
      );
    }
  }
  return rows;
}

/** Run `llm config show|path`. */
export async function run({ options, args, system }: CommandContext): Promise<number> {
  const action = args[0];
  if (args.length !== 1 || (action !== "show" && action !== "path")) {
    throw new UsageError("llm config needs one of: show, path");
  }
  // `path` must work while a changed project file stops launches: it says where to look.
  const config = await loadConfig(system, options.values.get("config"), {
    tolerateChanged: action === "path",
  });
  if (action === "path") {
    const mark = (exists: boolean) => exists ? "" : " (absent)";
    system.stdout(`user config:  ${config.userFile.path}${mark(config.userFile.exists)}\n`);
    system.stdout(
      `project file: ${config.projectFile.path}${PROJECT_STATES[config.projectFile.state]}\n`,
    );
    system.stdout(`trust store:  ${config.trustStore}\n`);
    return 0;
  }
  for (const w of config.warnings) system.stderr(`llm: warning: ${w}\n`);
  const rows = settingRows(options, system.arch);
  const width = Math.max(...rows.map((r) => r.name.length), 7) + 2;
  const valueWidth = Math.min(Math.max(...rows.map((r) => r.value.length), 5) + 2, 60);
  system.stdout(`${"setting".padEnd(width)}${"value".padEnd(valueWidth)}source\n`);
  for (const r of rows) {
    system.stdout(`${r.name.padEnd(width)}${r.value.padEnd(valueWidth)}${r.source}\n`);
  }
  const custom = config.agents.filter((a) =>
    a.summary.includes("defined in") || a.summary.includes("changed in")
  );
  for (const a of custom) system.stdout(`agent ${a.name}: ${a.summary}\n`);
  return 0;
}
