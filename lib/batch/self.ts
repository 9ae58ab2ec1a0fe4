/**
 * How `llm batch` runs `llm` again for each task: the compiled binary
 * itself, or the `deno` executable with this main module when run with
 * `deno run` (the same permissions as `deno task llm`). `LLM_BATCH_SELF`
 * names a wrapper executable instead (a site's module script, say).
 *
 * On Slurm every array task runs that invocation on some node, so its files
 * must be on a file system every node mounts. llm cannot see a cluster's
 * mounts from the submit host; it refuses the paths that are node-local on
 * every cluster (/tmp, /var/tmp, /dev/shm, /run, $TMPDIR).
 */
import { LlmError } from "../errors.ts";
import { normalize } from "../std/path.ts";

/** Facts about the running program (from `Deno` at the edge). */
export interface ProgramFacts {
  readonly execPath: string;
  readonly mainModule: string;
  /** A `deno compile` binary. */
  readonly standalone: boolean;
  /** `LLM_BATCH_SELF`, when set. */
  readonly override?: string;
}

/**
 * The flags of `deno task llm` (deno.json), so a task's llm runs as a direct
 * one would: its permissions, dynamic imports loaded only when they run
 * (without that, every task's start loads the whole graph, about 13 ms), and
 * V8 compiling whole modules at once (tasks/compile.ts says why).
 */
export const DENO_RUN_FLAGS = [
  "run",
  "--unstable-lazy-dynamic-imports",
  "--v8-flags=--no-lazy",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-run",
  "--allow-sys",
  "--allow-net",
  "--quiet",
];

/**
 * The argv that runs this llm.
 *
 * @example
 * ```ts
 * import { selfInvocation } from "./self.ts";
 * selfInvocation({ execPath: "/usr/bin/deno", mainModule: "file:///opt/llm/main.ts", standalone: false });
 * // ["/usr/bin/deno", "run", "--allow-read", ..., "/opt/llm/main.ts"]
 * selfInvocation({ execPath: "/opt/bin/llm", mainModule: "file:///x", standalone: true }); // ["/opt/bin/llm"]
 * ```
 */
export function selfInvocation(facts: ProgramFacts): string[] {
  if (facts.override) return [facts.override];
  if (facts.standalone) return [facts.execPath];
  if (!facts.mainModule.startsWith("file://")) {
    throw new LlmError(
      `llm batch runs llm again for each task, but this one was loaded from ${facts.mainModule}: ` +
        `run it from a file (or set LLM_BATCH_SELF to an llm executable)`,
    );
  }
  return [
    facts.execPath,
    ...DENO_RUN_FLAGS,
    decodeURIComponent(new URL(facts.mainModule).pathname),
  ];
}

/** The files of an invocation that every node must see (the executable, a main module). */
export function invocationFiles(argv: readonly string[]): string[] {
  return argv.filter((a) => a.startsWith("/"));
}

/**
 * The node-local directory `path` is under, or null. `tmpdir` is `$TMPDIR`.
 *
 * @example
 * ```ts
 * import { nodeLocal } from "./self.ts";
 * nodeLocal("/tmp/llm/main.ts"); // "/tmp"
 * nodeLocal("/home/me/llm"); // null
 * ```
 */
export function nodeLocal(path: string, tmpdir?: string): string | null {
  const p = normalize(path);
  const roots = [
    "/tmp",
    "/var/tmp",
    "/dev/shm",
    "/run",
    ...(tmpdir && tmpdir !== "/" ? [normalize(tmpdir)] : []),
  ];
  return roots.find((r) => p === r || p.startsWith(`${r.replace(/\/$/, "")}/`)) ?? null;
}

/**
 * Refuse a Slurm batch whose llm, results or workspaces are on a node-local
 * path. `what` names each path for the message.
 */
export function checkShared(
  paths: readonly { what: string; path: string }[],
  tmpdir?: string,
): void {
  for (const { what, path } of paths) {
    const local = nodeLocal(path, tmpdir);
    if (local === null) continue;
    throw new LlmError(
      `--slurm: ${what} ${path} is under ${local}, which is local to each node, so array tasks ` +
        `on other nodes cannot see it: put it on a file system every node mounts (home or project space)`,
    );
  }
}
