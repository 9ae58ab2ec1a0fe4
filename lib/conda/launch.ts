/**
 * Running Miniforge's installer and conda in the launcher's container: the
 * launch options (mounts, PATH) are built here and handed to the launcher,
 * so mount and environment rules stay in one place.
 */
import type { ParsedOptions } from "../cli/parse.ts";
import { mergeOptions, sourceOf } from "../cli/parse.ts";
import type { AgentDef } from "../launch/agents.ts";
import { BUILTIN_AGENTS } from "../launch/agents.ts";
import type { FileKind } from "../launch/host_facts.ts";
import { basename, dirname, join } from "../std/path.ts";
import type { InteractiveResult, System } from "../system/system.ts";
import { CONTAINER_STATE_DIRS } from "./paths.ts";

/** Where the host's cached installer appears inside the container. */
export const INSTALLER_DIR_IN_CONTAINER = "/tmp/llm-conda-installer";

/** The image's shell agent: conda runs in the same image. */
const SHELL = BUILTIN_AGENTS.find((a) => a.name === "shell");

/**
 * An agent definition for conda work: the shell's image, but none of the
 * agents' credentials (the installer and conda need none) and `command`.
 */
export function condaAgent(
  name: string,
  command: (args: readonly string[]) => string[],
): AgentDef {
  if (!SHELL) throw new Error("the built-in shell agent is missing");
  return {
    ...SHELL,
    name,
    summary: `conda (${name})`,
    command,
    credentials: [],
    ensure: [],
    envPrefixes: [],
    bedrockFlags: [],
  };
}

/**
 * The installer's container command. Its output goes to stderr, where the
 * launcher keeps the last lines to show again if it fails.
 *
 * @example
 * ```ts
 * import { installerCommand } from "./launch.ts";
 * installerCommand("/tmp/i/Miniforge3-Linux-x86_64.sh", "/data/miniforge");
 * // ["/bin/bash", "-c", 'exec "$@" 1>&2', "bash",
 * //  "bash", "/tmp/i/Miniforge3-Linux-x86_64.sh", "-b", "-u", "-s", "-p", "/data/miniforge"]
 * ```
 */
export function installerCommand(installer: string, prefix: string): string[] {
  return [
    "/bin/bash",
    "-c",
    'exec "$@" 1>&2',
    "bash",
    "bash",
    installer,
    "-b",
    "-u",
    "-s",
    "-p",
    prefix,
  ];
}

/**
 * Host directories a conda launch mounts, created before it runs: conda's
 * state directories and `shared`, the directory mounted at its own path
 * (the prefix's parent for `llm conda`, the prefix itself for the bootstrap).
 */
export function condaHostDirs(home: string, shared: string): string[] {
  return [...CONTAINER_STATE_DIRS.map((d) => join(home, d.host)), shared];
}

/** Create the missing host directories of a conda launch; conda's own state stays private. */
export function createHostDirs(system: System, shared: string): void {
  const stateDirs = new Set(CONTAINER_STATE_DIRS.map((d) => join(system.home, d.host)));
  for (const dir of condaHostDirs(system.home, shared)) {
    if (system.stat(dir) === null) system.mkdir(dir, stateDirs.has(dir) ? 0o700 : undefined);
  }
}

/** For `--dry-run`: the host directories a real run would create, as present. */
export function plannedHostDirs(home: string, shared: string): Map<string, FileKind> {
  return new Map(condaHostDirs(home, shared).map((d) => [d, "dir"]));
}

/** What a conda launch adds to the user's options. */
export interface CondaLaunchInput {
  readonly home: string;
  readonly prefix: string;
}

function stateMounts(home: string): string[] {
  return CONTAINER_STATE_DIRS.map((d) => `${join(home, d.host)}:${d.target}`);
}

/**
 * For `llm conda`: the user's options plus the conda mounts: the
 * container's `.conda` and `.cache` from `~/.devcontainer/`, the prefix's
 * parent at its own path (so environments beside the install work), and
 * `<prefix>/bin` first on PATH.
 */
export function condaLaunchOptions(options: ParsedOptions, input: CondaLaunchInput): ParsedOptions {
  const lists = new Map<string, string[]>([
    ["mount", [...stateMounts(input.home), dirname(input.prefix)]],
    ["path-prepend", [join(input.prefix, "bin")]],
  ]);
  return mergeOptions(options, { flags: new Set(), values: new Map(), lists });
}

/** The user's settings that still apply to the installer's container: which image, runtime and output. */
const INSTALLER_VALUES = ["image-name", "tag", "arch", "backend", "sif-path"];
const INSTALLER_FLAGS = ["dry-run", "verbose"];

/**
 * Launcher settings the installer's container leaves out: it sees no
 * workspace, extra mounts, variables or CA bundle (the download, on the
 * host, uses the bundle).
 */
export const INSTALLER_IGNORES = [
  "mount",
  "env",
  "ro",
  "mask",
  "workspace-mount",
  "global-read-only",
  "writable-agent-config",
  "status-line",
  "path-prepend",
  "conda-env",
  "certs",
];

/**
 * For `llm conda-bootstrap`: only what the installer needs. The prefix is
 * the launch's workspace (see `launchView`'s `cwd`), conda's state
 * directories are mounted, the installer read-only, and of the user's
 * settings only the image, runtime and output ones are kept: the
 * working directory and the config's mounts stay out of the container.
 */
export function bootstrapLaunchOptions(
  options: ParsedOptions,
  input: { readonly home: string; readonly installer: string },
): ParsedOptions {
  const values = new Map<string, string>();
  const sources = new Map<string, string[]>();
  for (const name of INSTALLER_VALUES) {
    const value = options.values.get(name);
    if (value === undefined) continue;
    values.set(name, value);
    sources.set(name, [sourceOf(options, name)]);
  }
  const flags = new Set(INSTALLER_FLAGS.filter((f) => options.flags.has(f)));
  const mounts = [
    ...stateMounts(input.home),
    `${input.installer}:${installerTarget(input.installer)}:ro`,
  ];
  return { flags, values, lists: new Map([["mount", mounts]]), sources };
}

/**
 * The launcher settings given on the command line that the installer's
 * container leaves out, as `--name`; config-file and environment settings
 * serve every launch and are left out quietly.
 */
export function ignoredByInstaller(options: ParsedOptions): string[] {
  const fromCommandLine = (name: string) => {
    const count = options.lists.get(name)?.length ??
      (options.values.has(name) || options.flags.has(name) ? 1 : 0);
    return Array.from({ length: count }, (_, i) => sourceOf(options, name, i))
      .some((source) => source.startsWith("--"));
  };
  return INSTALLER_IGNORES.filter(fromCommandLine).map((name) => `--${name}`);
}

/** Container path of a host installer file. */
export function installerTarget(installer: string): string {
  return join(INSTALLER_DIR_IN_CONTAINER, basename(installer));
}

/**
 * A view of `system` for one launch: `exists` are reported as present (so a
 * `--dry-run` plan can name directories a real run would create first),
 * `cwd` replaces the working directory (the launch's workspace), `terminal`
 * overrides TTY detection, and `onResult` sees the child's result.
 */
export function launchView(
  system: System,
  view: {
    exists?: ReadonlyMap<string, FileKind>;
    cwd?: string;
    terminal?: boolean;
    onResult?: (result: InteractiveResult) => void;
  },
): System {
  const over: { -readonly [K in keyof System]?: System[K] } = {};
  const exists = view.exists;
  if (exists) {
    // The parents of a directory still to be made are made with it.
    const planned = (path: string): FileKind | null =>
      exists.get(path) ?? ([...exists.keys()].some((p) => p.startsWith(`${path}/`)) ? "dir" : null);
    over.stat = (path: string) => system.stat(path) ?? planned(path);
    // Mount sources are resolved through their symlinks; one still to be made has none.
    over.realPath = (path: string) =>
      system.realPath(path) ?? (planned(path) !== null ? path : null);
  }
  if (view.cwd !== undefined) over.cwd = view.cwd;
  if (view.terminal !== undefined) {
    const terminal = view.terminal;
    // Only the interactive-session question; colour still follows the real streams.
    over.isTerminal = (stream) => stream === undefined ? terminal : system.isTerminal(stream);
  }
  if (view.onResult) {
    const onResult = view.onResult;
    over.interactive = async (argv, runOptions) => {
      const result = await system.interactive(argv, runOptions);
      onResult(result);
      return result;
    };
  }
  // Own members are copied (so the view survives being spread) and the
  // original stays the prototype (so members defined on a class still work).
  return Object.assign(Object.create(system) as System, system, over);
}
