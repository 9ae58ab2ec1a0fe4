/**
 * Running Miniforge's installer and conda in the launcher's container: the
 * launch options (mounts, PATH) are built here and handed to the launcher,
 * so mount and environment rules stay in one place.
 */
import type { ParsedOptions } from "../cli/parse.ts";
import { mergeOptions } from "../cli/parse.ts";
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

/** Host directories a conda launch mounts; they are created before it runs. */
export function condaHostDirs(home: string, prefix: string): string[] {
  return [...CONTAINER_STATE_DIRS.map((d) => join(home, d.host)), dirname(prefix)];
}

/** Create the missing host directories of a conda launch; conda's own state stays private. */
export function createHostDirs(system: System, prefix: string): void {
  const stateDirs = new Set(CONTAINER_STATE_DIRS.map((d) => join(system.home, d.host)));
  for (const dir of condaHostDirs(system.home, prefix)) {
    if (system.stat(dir) === null) system.mkdir(dir, stateDirs.has(dir) ? 0o700 : undefined);
  }
}

/** For `--dry-run`: the host directories a real run would create, as present. */
export function plannedHostDirs(home: string, prefix: string): Map<string, FileKind> {
  return new Map(condaHostDirs(home, prefix).map((d) => [d, "dir"]));
}

/** What a conda launch adds to the user's options. */
export interface CondaLaunchInput {
  readonly home: string;
  readonly prefix: string;
  /** Host path of the verified installer, for the bootstrap. */
  readonly installer?: string;
}

/**
 * The user's options plus the conda mounts: the container's `.conda` and
 * `.cache` from `~/.devcontainer/`, the prefix's parent at its own path, the
 * installer read-only (bootstrap), and `<prefix>/bin` first on PATH.
 */
export function condaLaunchOptions(options: ParsedOptions, input: CondaLaunchInput): ParsedOptions {
  const mounts = CONTAINER_STATE_DIRS.map((d) => `${join(input.home, d.host)}:${d.target}`);
  mounts.push(dirname(input.prefix));
  if (input.installer !== undefined) {
    mounts.push(`${input.installer}:${installerTarget(input.installer)}:ro`);
  }
  const lists = new Map<string, string[]>([["mount", mounts]]);
  if (input.installer === undefined) lists.set("path-prepend", [join(input.prefix, "bin")]);
  return mergeOptions(options, { flags: new Set(), values: new Map(), lists });
}

/** Container path of a host installer file. */
export function installerTarget(installer: string): string {
  return join(INSTALLER_DIR_IN_CONTAINER, basename(installer));
}

/**
 * A view of `system` for one launch: `exists` are reported as present (so a
 * `--dry-run` plan can name directories a real run would create first),
 * `terminal` overrides TTY detection, and `onResult` sees the child's result.
 */
export function launchView(
  system: System,
  view: {
    exists?: ReadonlyMap<string, FileKind>;
    terminal?: boolean;
    onResult?: (result: InteractiveResult) => void;
  },
): System {
  const over: Partial<System> = {};
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
  if (view.terminal !== undefined) {
    const terminal = view.terminal;
    over.isTerminal = () => terminal;
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
