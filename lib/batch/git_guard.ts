/**
 * Running git on the host in a workspace the agent could write. Git obeys
 * the repository's own settings, and some of them run commands
 * (`core.fsmonitor`, external diff and textconv drivers, clean filters), so
 * a `.git/config` the agent rewrote would run its commands on the host,
 * outside the container. So llm pins the repository when the batch is
 * planned, before any task has run: the git directory (a real directory,
 * not a link) and a digest of the files that carry settings. Git runs only
 * while both hold, with that git directory named explicitly and fsmonitor,
 * external diff and textconv turned off; otherwise the changes are not
 * recorded, and the manifest says why.
 */
import { join } from "../std/path.ts";
import type { System } from "../system/system.ts";

/** What a task's repository was when the batch was planned. */
export interface GitGuard {
  /** `<workspace>/.git`, a directory. */
  readonly gitDir: string;
  /** SHA-256 of the setting files' contents. */
  readonly digest: string;
}

/** Files in the git directory whose contents change what git runs. */
const SETTINGS = ["config", "config.worktree", "commondir"];

/**
 * The guard of `workspace`, or null when it has no `.git` directory of its
 * own (none, a link, or a `.git` file of a linked worktree or submodule:
 * their settings live elsewhere, so their changes are not recorded).
 */
export async function gitGuard(system: System, workspace: string): Promise<GitGuard | null> {
  const gitDir = join(workspace, ".git");
  if (system.readLink(gitDir) !== null || system.stat(gitDir) !== "dir") return null;
  return { gitDir, digest: await digest(system, gitDir) };
}

/** Why git must not run now, or null when the repository is as it was planned. */
export async function guardBroken(system: System, guard: GitGuard): Promise<string | null> {
  if (system.readLink(guard.gitDir) !== null || system.stat(guard.gitDir) !== "dir") {
    return `${guard.gitDir} is no longer the repository's own directory`;
  }
  if (await digest(system, guard.gitDir) !== guard.digest) {
    return `git settings in ${guard.gitDir} changed since the batch was planned ` +
      `(git would run what they name on the host)`;
  }
  return null;
}

/**
 * Git's argv and environment for `args` in the guarded repository: its git
 * directory and work tree named, settings that run commands turned off.
 *
 * @example
 * ```ts
 * import { gitCommand } from "./git_guard.ts";
 * gitCommand({ gitDir: "/w/.git", digest: "" }, ["rev-parse", "HEAD"]).argv;
 * // ["git", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "rev-parse", "HEAD"]
 * ```
 */
export function gitCommand(
  guard: GitGuard,
  args: readonly string[],
): { argv: string[]; env: Record<string, string> } {
  return {
    argv: ["git", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", ...args],
    env: {
      GIT_DIR: guard.gitDir,
      GIT_WORK_TREE: guard.gitDir.replace(/\/\.git$/, ""),
      GIT_TERMINAL_PROMPT: "0",
      GIT_OPTIONAL_LOCKS: "0",
    },
  };
}

/** Largest setting file read; a bigger one counts as changed. */
const LIMIT = 1 << 20;

async function digest(system: System, gitDir: string): Promise<string> {
  const parts: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const name of SETTINGS) {
    // Never following a link nor opening a FIFO the agent may have put there.
    const read = await system.readBounded(join(gitDir, name), LIMIT, false);
    parts.push(enc.encode(`${name}\0${read.kind}\0`));
    if (read.kind === "file") parts.push(read.bytes, enc.encode("\0"));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const bytes = await crypto.subtle.digest("SHA-256", all);
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
