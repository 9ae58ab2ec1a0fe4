/**
 * `llm config` and `llm trust`: their options and help. The implementations
 * load only when the commands run.
 */
import type { CommandSpec } from "../cli/command.ts";

/** `llm config show|path`. */
export const CONFIG_COMMAND: CommandSpec = {
  name: "config",
  summary: "Show the effective settings and where each comes from, or the config file paths",
  usage: "config show|path",
  options: [],
  examples: [
    "llm config show",
    "llm --backend docker config show",
    "llm config path",
  ],
  load: () => import("./show.ts"),
};

/** `llm trust [FILE]`. */
export const TRUST_COMMAND: CommandSpec = {
  name: "trust",
  summary: "Trust this project's .llm.yaml (records its SHA-256) so launches use it",
  usage: "trust [--remove] [FILE]",
  options: [
    {
      name: "remove",
      kind: "flag",
      help: "Stop trusting the file instead.",
    },
  ],
  examples: [
    "llm trust",
    "llm trust path/to/project/.llm.yaml",
    "llm trust --remove",
  ],
  load: () => import("./trust_command.ts"),
};
