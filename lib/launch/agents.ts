/**
 * The agents `llm` knows how to launch: what runs, which credentials it
 * needs, which host variables it may see.
 */
/** Something created on the host before launch so the agent finds it. */
export interface EnsurePath {
  /** Path relative to the host home, e.g. `.claude.json`. */
  readonly path: string;
  /** A directory, or a file created with `content` when absent. */
  readonly kind: "dir" | "file";
  readonly content?: string;
}

/** One launchable agent. */
export interface AgentDef {
  readonly name: string;
  /** Turns the user's arguments into the container command. */
  readonly command: (args: readonly string[]) => string[];
  /** Credential paths relative to the home, mounted read-write at the same place under the container home. */
  readonly credentials: readonly string[];
  /** Created before a real launch (never on --dry-run). */
  readonly ensure: readonly EnsurePath[];
  /** Host variables with these prefixes are passed in. */
  readonly envPrefixes: readonly string[];
  /** Variables that, set to `1`, turn Amazon Bedrock on. */
  readonly bedrockFlags: readonly string[];
  /** Tag of the default image. */
  readonly defaultTag: string;
  /**
   * Arguments, put before the user's, that turn on the image's status line
   * (`--status-line`); agents without one ignore the option.
   */
  readonly statusLineArgs?: readonly string[];
  /** Image name when not the project's default image (user-defined agents). */
  readonly defaultImage?: string;
  readonly summary: string;
}

const CODEX_ENSURE: EnsurePath[] = [{ path: ".codex", kind: "dir" }];
// Claude Code hangs at start without both of these.
const CLAUDE_ENSURE: EnsurePath[] = [
  { path: ".claude", kind: "dir" },
  { path: ".claude.json", kind: "file", content: "{}\n" },
];
const PI_ENSURE: EnsurePath[] = [{ path: ".pi", kind: "dir" }];

const CLAUDE_PREFIXES = ["CLAUDE_CODE", "ANTHROPIC_"];

/** Claude Code's status line setting for the image's script (image/llm-claude-statusline). */
export const CLAUDE_STATUS_LINE = { type: "command", command: "llm-claude-statusline" } as const;
const PI_PREFIXES = ["PI_"];

/** The built-in agents, in the order help lists them. */
export const BUILTIN_AGENTS: readonly AgentDef[] = [
  {
    name: "codex",
    summary: "OpenAI Codex (its own sandbox off: the container is the sandbox)",
    // The container replaces Codex's sandbox rather than layering on top of it.
    command: (args) => ["codex", "--sandbox", "danger-full-access", ...args],
    credentials: [".codex"],
    ensure: CODEX_ENSURE,
    envPrefixes: [],
    bedrockFlags: [],
    defaultTag: "codex-latest",
  },
  {
    name: "claude",
    summary: "Claude Code",
    command: (args) => ["claude", ...args],
    credentials: [".claude", ".claude.json"],
    ensure: CLAUDE_ENSURE,
    envPrefixes: CLAUDE_PREFIXES,
    bedrockFlags: ["CLAUDE_CODE_USE_BEDROCK"],
    defaultTag: "claude-latest",
    // Settings given on the command line, over the user's read-only ~/.claude/settings.json.
    statusLineArgs: ["--settings", JSON.stringify({ statusLine: CLAUDE_STATUS_LINE })],
  },
  {
    name: "pi",
    summary: "Pi coding agent",
    command: (args) => ["pi", ...args],
    credentials: [".pi"],
    ensure: PI_ENSURE,
    envPrefixes: PI_PREFIXES,
    bedrockFlags: ["PI_USE_BEDROCK"],
    defaultTag: "pi-latest",
  },
  {
    name: "shell",
    summary: "bash, with every agent's credentials mounted",
    command: shellCommand,
    credentials: [".codex", ".claude", ".claude.json", ".pi"],
    ensure: [...CODEX_ENSURE, ...CLAUDE_ENSURE, ...PI_ENSURE],
    envPrefixes: [...CLAUDE_PREFIXES, ...PI_PREFIXES],
    bedrockFlags: ["CLAUDE_CODE_USE_BEDROCK", "PI_USE_BEDROCK"],
    defaultTag: "latest",
  },
];

/**
 * What `llm shell -- ...` runs. One argument is a script, as `ssh host 'cmd'`
 * runs it; several are that exact argv, run by bash through `"$@"` so
 * builtins (`exit 3`, `cd`) work but no word is parsed again: `A=1` or
 * `time` stay plain words.
 */
export function shellCommand(args: readonly string[]): string[] {
  if (args.length === 0) return ["/bin/bash"];
  if (args.length === 1) return ["/bin/bash", "-c", args[0]];
  return ["/bin/bash", "-c", '"$@"', "bash", ...args];
}

/** Find an agent by name among `agents`. */
export function findAgent(
  name: string,
  agents: readonly AgentDef[] = BUILTIN_AGENTS,
): AgentDef | undefined {
  return agents.find((a) => a.name === name);
}
