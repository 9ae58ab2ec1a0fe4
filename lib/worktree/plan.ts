/**
 * `--worktree`: an agent on its own git worktree of the repository, on
 * branch `llm/NAME`, so several agents can work on one repository at once.
 * The pure half: names, paths, what to do with what exists, and the mounts
 * that let git inside the container commit to the branch and nothing else.
 */
import { LlmError } from "../errors.ts";
import type { Mount } from "../launch/mounts.ts";
import { basename, dirname, join } from "../std/path.ts";
import { checkSessionName } from "../session/names.ts";

/** The branch a worktree's agent works on. */
export function branchFor(name: string): string {
  return `llm/${name}`;
}

/**
 * Where worktree NAME of the repository at `top` lives: beside it, in
 * `<repo>.worktrees/`, on the same file system (a checkout is cheap) and
 * easy to find.
 *
 * @example
 * ```ts
 * import { worktreePath } from "./plan.ts";
 * worktreePath("/src/app", "fix"); // "/src/app.worktrees/fix"
 * ```
 */
export function worktreePath(top: string, name: string): string {
  return join(dirname(top), `${basename(top)}.worktrees`, name);
}

/**
 * The worktree's name: `--worktree=NAME`, else `--name`, else the agent and
 * four random hex digits (`codex-3f2a`). It is a session name too.
 */
export function worktreeName(
  given: string,
  sessionName: string | undefined,
  agent: string,
  random: Uint8Array,
): string {
  if (given !== "") return checkSessionName(given, "--worktree");
  if (sessionName !== undefined) return checkSessionName(sessionName);
  const hex = [...random.subarray(0, 2)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${agent}-${hex}`;
}

/** What is there already for a worktree name. */
export interface WorktreeFacts {
  /** A registered worktree at the path, on our branch. */
  readonly registered: boolean;
  /** Something (a directory, a file) is at the path. */
  readonly pathExists: boolean;
  readonly branchExists: boolean;
  /** The registered worktree has uncommitted changes. */
  readonly dirty: boolean;
}

/** What to do: make a new branch and worktree, add one for the branch, or reuse it. */
export type WorktreeAction = "create" | "add-existing-branch" | "reuse";

/**
 * Decide, refusing a clash: a dirty worktree (another agent's or the
 * user's unfinished work), or a path that is not our worktree.
 */
export function worktreeAction(name: string, path: string, facts: WorktreeFacts): WorktreeAction {
  if (facts.registered) {
    if (facts.dirty) {
      throw new LlmError(
        `worktree ${name} (${path}) has uncommitted changes; commit or discard them there, ` +
          `remove it with 'llm worktree rm ${name}', or choose another --worktree=NAME`,
      );
    }
    return "reuse";
  }
  if (facts.pathExists) {
    throw new LlmError(
      `${path} exists but is not the worktree of branch ${branchFor(name)}; move it away or ` +
        `choose another --worktree=NAME`,
    );
  }
  return facts.branchExists ? "add-existing-branch" : "create";
}

/**
 * Mounts that let git in the container use the repository's shared git
 * directory (`git rev-parse --git-common-dir`): read-only as a whole, so
 * the agent cannot plant hooks or config the host's git would run, nor move
 * the user's branches; writable where a commit on `llm/NAME` writes:
 * objects, the `llm/` branches and their logs, and this worktree's own
 * administrative directory (HEAD, index).
 */
export function worktreeMounts(commonDir: string, name: string): Mount[] {
  const bind = (source: string, readOnly: boolean, what: string): Mount => ({
    kind: "bind",
    source,
    target: source,
    readOnly,
    origin: `--worktree ${name}: ${what}`,
  });
  return [
    bind(commonDir, true, "the repository's git directory (read-only)"),
    bind(join(commonDir, "objects"), false, "git objects"),
    bind(join(commonDir, "refs", "heads", "llm"), false, "llm/ branches"),
    bind(join(commonDir, "logs", "refs", "heads", "llm"), false, "llm/ branch logs"),
    bind(join(commonDir, "worktrees", name), false, "this worktree's git state"),
  ];
}

/** One entry of `git worktree list --porcelain`. */
export interface WorktreeEntry {
  readonly path: string;
  readonly head: string;
  /** `refs/heads/...`, or null when detached. */
  readonly branch: string | null;
}

/** Parse `git worktree list --porcelain` (blank-line separated records). */
export function parseWorktreeList(porcelain: string): WorktreeEntry[] {
  return porcelain.split(/\n\n+/).flatMap((block) => {
    const lines = block.split("\n");
    const get = (key: string) =>
      lines.find((l) => l.startsWith(`${key} `))?.slice(key.length + 1) ?? null;
    const path = get("worktree");
    return path === null ? [] : [{ path, head: get("HEAD") ?? "", branch: get("branch") }];
  });
}

/** llm's worktrees: those on an `llm/` branch, with their names. */
export function llmWorktrees(entries: readonly WorktreeEntry[]): (WorktreeEntry & {
  readonly name: string;
})[] {
  return entries.flatMap((e) =>
    e.branch?.startsWith("refs/heads/llm/")
      ? [{ ...e, name: e.branch.slice("refs/heads/llm/".length) }]
      : []
  );
}
