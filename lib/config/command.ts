/**
 * `llm config` and `llm trust`: their options and help. The implementations
 * load only when the commands run.
 */
import type { CommandSpec } from "../cli/command.ts";

/** `llm config show|path`. */
export const CONFIG_COMMAND: CommandSpec = {
  name: "config",
  summary: "Show the effective settings and where each comes from, or the config file paths",
  usage: "config show|path [--json]",
  options: [
    {
      name: "json",
      kind: "flag",
      help: "Print one JSON document: each setting's value and source, or the file paths.",
    },
  ],
  examples: [
    "llm config show",
    "llm --backend docker config show --json | jq .settings.backend",
    "llm config path",
  ],
  // The command loads the config itself: `path` still works when a trusted file changed.
  reportsConfigErrors: true,
  load: () => import("./show.ts"),
};

/** `llm trust [FILE]`. */
export const TRUST_COMMAND: CommandSpec = {
  name: "trust",
  summary:
    "Trust this project's .llm.yaml (records its SHA-256 and restrictions) so launches use it",
  usage: "trust [--forget | --list] [FILE | DIR]",
  options: [
    {
      name: "forget",
      kind: "flag",
      help: "Stop trusting the file, even if it is gone; its restrictions stop applying.",
    },
    {
      name: "remove",
      kind: "flag",
      help: "Same as --forget.",
    },
    {
      name: "list",
      kind: "flag",
      help: "List trusted files: trusted, changed or gone, and what each restricts.",
    },
  ],
  examples: [
    "llm trust",
    "llm trust path/to/project",
    "llm trust --forget",
    "llm trust --list",
  ],
  // A changed trusted file stops launches and must not stop re-trusting it.
  reportsConfigErrors: true,
  load: () => import("./trust_command.ts"),
};
