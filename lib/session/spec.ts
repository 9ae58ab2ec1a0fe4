/**
 * `llm ps`, `llm show`, `llm stop` and `llm attach`: their options and
 * help; the implementations load only when one runs.
 */
import type { CommandSpec } from "../cli/command.ts";

const JSON_FLAG = { name: "json", kind: "flag", help: "Print JSON." } as const;

/** `llm ps`. */
export const PS_COMMAND: CommandSpec = {
  name: "ps",
  summary: "List running sessions (--all: finished ones too)",
  usage: "ps [--all] [--json]",
  options: [
    { name: "all", short: "a", kind: "flag", help: "Show finished sessions too." },
    { ...JSON_FLAG, help: "Print the sessions' manifests as a JSON array." },
  ],
  examples: [
    "llm ps",
    "llm ps --all",
    "llm ps --all --json | jq '.[] | select(.state == \"killed\") | .name'",
  ],
  toleratesBrokenConfig: true,
  load: () => import("./ps_command.ts"),
};

/** `llm show`. */
export const SHOW_COMMAND: CommandSpec = {
  name: "show",
  summary: "Print a session's manifest: image digest, mounts, variable names, exit code",
  usage: "show NAME|ID",
  options: [],
  examples: ["llm show codex-myproject", "llm show 3f2a9c01b7de | jq .mounts"],
  toleratesBrokenConfig: true,
  load: () => import("./show_command.ts"),
};

/** `llm stop`. */
export const STOP_COMMAND: CommandSpec = {
  name: "stop",
  summary: "Stop running sessions (SIGTERM, then SIGKILL after a grace period)",
  usage: "stop [--time SECONDS] NAME|ID...",
  options: [
    {
      name: "time",
      short: "t",
      kind: "value",
      placeholder: "SECONDS",
      complete: "none",
      help: "Seconds to wait after SIGTERM before SIGKILL (default 10).",
    },
  ],
  examples: ["llm stop codex-myproject", "llm stop --time 2 claude-api claude-api-2"],
  toleratesBrokenConfig: true,
  load: () => import("./stop_command.ts"),
};

/** `llm attach`. */
export const ATTACH_COMMAND: CommandSpec = {
  name: "attach",
  summary: "Attach this terminal to a running session (podman and docker)",
  usage: "attach NAME|ID",
  options: [],
  examples: ["llm attach codex-myproject", "llm ps && llm attach claude-api"],
  toleratesBrokenConfig: true,
  load: () => import("./attach_command.ts"),
};
