/**
 * Option definitions: the one table that the parser, `--help`, shell
 * completions and the generated docs all read, so they cannot drift.
 */

/** How an option takes its value. */
export type OptionKind = "flag" | "value" | "list";

/** What a shell should complete an option's value with. */
export type Completion = "file" | "dir" | "none" | readonly string[];

/** One command-line option. */
export interface OptionDef {
  /** Long name without the leading `--`. */
  readonly name: string;
  /** Single-letter alias without the leading `-`. */
  readonly short?: string;
  /** `flag` takes no value, `value` keeps the last one given, `list` keeps all in order. */
  readonly kind: OptionKind;
  /**
   * A `value` option that may stand alone: `--worktree` gives "" and
   * `--worktree=NAME` gives NAME (the value must be attached, as in git's
   * `--color[=WHEN]`, or the next word would be taken for it).
   */
  readonly optionalValue?: boolean;
  /** Placeholder for the value in help text, e.g. `SPEC`. */
  readonly placeholder?: string;
  /** Shell completion for the value (default `none`). */
  readonly complete?: Completion;
  /** One line of help. */
  readonly help: string;
  /** Environment variable that supplies a default, named in help. */
  readonly env?: string;
}

/** The supported container platforms. */
export const ARCHES = ["linux/amd64", "linux/arm64"] as const;

/** `--network` policies, loosest first (lib/egress/policy.ts). */
export const NETWORK_CHOICES = ["open", "allow", "none"] as const;

/** Named allow sets for `--allow-set` (lib/egress/hosts.ts; a test keeps the two equal). */
export const ALLOW_SET_NAMES = [
  "github",
  "npm",
  "pypi",
  "conda-forge",
  "cran",
  "huggingface",
] as const;

/** The container runtimes `--backend` accepts. */
export const BACKENDS = ["auto", "podman", "docker", "singularity", "apptainer"] as const;

/**
 * Global options: accepted before any command, and they configure every
 * launch. Later issues append to this table rather than growing a second one.
 */
export const GLOBAL_OPTIONS: readonly OptionDef[] = [
  {
    name: "mount",
    kind: "list",
    placeholder: "SPEC",
    complete: "file",
    env: "LLM_DEVCONTAINER_MOUNTS",
    help: "Mount HOST, HOST:CONTAINER or HOST:CONTAINER:ro (repeatable).",
  },
  {
    name: "workspace-mount",
    kind: "value",
    placeholder: "PATH",
    complete: "none",
    help: "Container path of the working directory (absolute; default: the same path).",
  },
  {
    name: "global-read-only",
    kind: "flag",
    help: "Mount the working directory read-only.",
  },
  {
    name: "writable-agent-config",
    kind: "flag",
    help: "Let the agent change its host-run settings (hooks, MCP servers); off by default.",
  },
  {
    name: "status-line",
    kind: "flag",
    help: "Claude Code: a status line with model, context use, cost and duration (the image's).",
  },
  {
    name: "ro",
    kind: "list",
    placeholder: "PATH",
    complete: "dir",
    help: "Re-mount a subdirectory of the working directory read-only (repeatable).",
  },
  {
    name: "mask",
    kind: "list",
    placeholder: "PATH",
    complete: "file",
    help: "Hide a path inside the working directory: it appears empty and read-only (repeatable).",
  },
  {
    name: "path-prepend",
    kind: "list",
    placeholder: "PATH",
    complete: "none",
    help: "Put a container directory first on PATH (relative to the workspace, or under a mount).",
  },
  {
    name: "conda-env",
    kind: "value",
    placeholder: "PATH|NAME",
    complete: "dir",
    help: "Mount a Linux conda environment and put its bin/ first on PATH.",
  },
  {
    name: "certs",
    kind: "value",
    placeholder: "FILE",
    complete: "file",
    env: "LLM_DEVCONTAINER_CERTS",
    help: "CA bundle (PEM) to trust inside the container.",
  },
  {
    name: "env",
    short: "e",
    kind: "list",
    placeholder: "KEY[=VALUE]",
    complete: "none",
    help: "Set a variable inside the container; KEY alone passes llm's own value, keeping it off " +
      "the command line; wins over every default (repeatable).",
  },
  {
    name: "image-name",
    kind: "value",
    placeholder: "REF",
    complete: "none",
    help: "Container image (default ghcr.io/nichd-bspc/llm with a per-agent tag).",
  },
  {
    name: "tag",
    kind: "value",
    placeholder: "TAG",
    complete: "none",
    help: "Image tag, replacing the per-agent default or the tag in --image-name.",
  },
  {
    name: "arch",
    kind: "value",
    placeholder: "PLATFORM",
    complete: ARCHES,
    help: "Container platform: linux/amd64 or linux/arm64 (default: the host's).",
  },
  {
    name: "backend",
    kind: "value",
    placeholder: "NAME",
    complete: BACKENDS,
    env: "LLM_BACKEND",
    help: "Container runtime: auto, podman, docker, singularity or apptainer.",
  },
  {
    name: "sif-path",
    kind: "value",
    placeholder: "FILE",
    complete: "file",
    help: "Local .sif image for singularity/apptainer (relative to the working directory).",
  },
  {
    name: "network",
    kind: "value",
    placeholder: "POLICY",
    complete: NETWORK_CHOICES,
    help: "Network: open (default), allow (only allowed hosts, through llm's proxy) or none.",
  },
  {
    name: "allow-host",
    kind: "list",
    placeholder: "ENTRY",
    complete: "none",
    help:
      "With --network allow: also allow HOST, *.DOMAIN or HOST:PORT (repeatable; implies allow).",
  },
  {
    name: "allow-set",
    kind: "list",
    placeholder: "NAME",
    complete: ALLOW_SET_NAMES,
    help: "With --network allow: also allow a named set of hosts, e.g. github, pypi (repeatable).",
  },
  {
    name: "name",
    kind: "value",
    placeholder: "NAME",
    complete: "none",
    help: "Name the session (default: agent and directory, e.g. codex-myproject).",
  },
  {
    name: "worktree",
    kind: "value",
    optionalValue: true,
    placeholder: "NAME",
    complete: "none",
    help:
      "Work on a new git worktree of this repository, on branch llm/NAME (default: the session name).",
  },
  {
    name: "cpus",
    kind: "value",
    placeholder: "N",
    complete: "none",
    help: "Limit the container to N CPUs (e.g. 2 or 1.5).",
  },
  {
    name: "memory",
    kind: "value",
    placeholder: "SIZE",
    complete: "none",
    help: "Limit the container's memory (e.g. 8g or 512m).",
  },
  {
    name: "gpus",
    kind: "value",
    placeholder: "WHICH",
    complete: ["all", "amd"],
    help: "Give the agent GPUs: all (NVIDIA), amd (ROCm), or NVIDIA device indices such as 0,1.",
  },
  {
    name: "runtime-arg",
    kind: "list",
    placeholder: "ARG",
    complete: "none",
    help: "Pass ARG to the container runtime verbatim, after llm's own (repeatable; unchecked).",
  },
  {
    name: "config",
    kind: "value",
    placeholder: "FILE",
    complete: "file",
    env: "LLM_CONFIG",
    help: "User config file (default $XDG_CONFIG_HOME/llm/config.yaml).",
  },
  {
    name: "dry-run",
    kind: "flag",
    help: "Print what would run, quoted for bash, and change nothing.",
  },
  {
    name: "verbose",
    kind: "flag",
    help: "Explain the choices made (runtime, mounts, image) on stderr.",
  },
  { name: "help", short: "h", kind: "flag", help: "Show help and exit." },
  { name: "version", kind: "flag", help: "Print the version and exit." },
];

/**
 * The launch flags a non-agent command may share, plus `--help`: the most
 * any command accepts after its own name. Each command takes the subset
 * `commandCommonOptions` gives.
 */
export const COMMAND_COMMON_OPTIONS: readonly OptionDef[] = GLOBAL_OPTIONS.filter((o) =>
  o.name === "dry-run" || o.name === "verbose" || o.name === "help"
);

/** A launch flag that some commands also act on. */
export type SharedFlag = "dry-run" | "verbose";

/**
 * Which of `--dry-run` and `--verbose` each registered command acts on, so
 * help, completion and the parser offer them only where they mean
 * something. Kept beside the flags rather than in each command's spec so
 * one table shows the whole picture; tests/unit/cli/help_test.ts fails when
 * a registered command is missing here.
 */
export const COMMAND_FLAGS: Readonly<Record<string, readonly SharedFlag[]>> = {
  refresh: ["dry-run", "verbose"],
  pull: ["dry-run", "verbose"],
  build: ["dry-run", "verbose"],
  "setup-macos-volume": ["dry-run", "verbose"],
  "conda-bootstrap": ["dry-run"],
  conda: ["dry-run"],
  config: [],
  trust: ["dry-run"],
  doctor: [],
  batch: ["dry-run"],
  completions: [],
  ps: [],
  show: [],
  stop: [],
  attach: [],
  worktree: [],
};

/**
 * The shared options command `name` accepts after its name: `--help`, and
 * the launch flags it acts on. A command missing from `COMMAND_FLAGS` takes
 * both, as every command did before the table existed.
 *
 * @example
 * ```ts
 * import { commandCommonOptions } from "./options.ts";
 * commandCommonOptions("doctor").map((o) => o.name); // ["help"]
 * ```
 */
export function commandCommonOptions(name: string): readonly OptionDef[] {
  const flags: readonly string[] = Object.hasOwn(COMMAND_FLAGS, name)
    ? COMMAND_FLAGS[name]
    : ["dry-run", "verbose"];
  return COMMAND_COMMON_OPTIONS.filter((o) => o.name === "help" || flags.includes(o.name));
}

/**
 * Global options that an agent also has under the same name, so after the
 * agent name they may well be meant for it: Claude Code has `--verbose`,
 * Codex `-c`/`--config`, Pi `-e` (`--extension`, so `--env` is left out with
 * its short form), and every agent has `--help` and `--version`. The others
 * (`--dry-run`, `--mount`, `--mask`, `--ro`, `--backend`...) are llm's alone.
 */
export const AGENT_SHARED_OPTIONS: readonly string[] = [
  "verbose",
  "config",
  "env",
  "help",
  "version",
];
