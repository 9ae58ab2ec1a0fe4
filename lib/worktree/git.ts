/**
 * The git side of `--worktree` and `llm worktree`: asking git about the
 * repository and making or removing worktrees, through `System`.
 */
import { LlmError } from "../errors.ts";
import { join } from "../std/path.ts";
import type { System } from "../system/system.ts";
import {
  branchFor,
  parseWorktreeList,
  worktreeAction,
  worktreeName,
  worktreePath,
} from "./plan.ts";

/** The repository around a directory. */
export interface Repository {
  /** Top of the working tree `llm` was started in. */
  readonly top: string;
  /** The git directory all its worktrees share (absolute). */
  readonly commonDir: string;
}

async function git(system: System, args: string[], cwd: string) {
  return await system.output(["git", "-C", cwd, ...args]);
}

/** The repository `cwd` is in, or a clear error outside one. */
export async function findRepository(system: System, cwd: string): Promise<Repository> {
  if (system.which("git") === null) {
    throw new LlmError("--worktree needs git, which is not on PATH; install git");
  }
  const out = await git(system, [
    "rev-parse",
    "--path-format=absolute",
    "--show-toplevel",
    "--git-common-dir",
  ], cwd);
  const [top, commonDir] = out.stdout.trim().split("\n");
  if (out.code !== 0 || !top || !commonDir) {
    throw new LlmError(
      `${cwd} is not in a git repository, so there is nothing to make a worktree of; cd into ` +
        `one, or leave --worktree out`,
    );
  }
  return { top, commonDir };
}

/** A worktree ready for a session. */
export interface PreparedWorktree {
  readonly name: string;
  readonly branch: string;
  readonly path: string;
  readonly repo: Repository;
  /** Made now (so a launch that fails before it starts removes it again). */
  readonly created: boolean;
}

/**
 * Make (or reuse) the worktree a `--worktree` launch works in, and the
 * git directories its mounts need. With `dryRun`, only say which it would be.
 */
export async function prepareWorktree(
  system: System,
  given: string,
  sessionName: string | undefined,
  agent: string,
  dryRun = false,
): Promise<PreparedWorktree> {
  const repo = await findRepository(system, system.cwd);
  const name = worktreeName(given, sessionName, agent, crypto.getRandomValues(new Uint8Array(2)));
  if (dryRun) return await examineAndAdd(system, repo, name, true);
  // git itself is not safe against two `worktree add` at once in one repository (one reads
  // the other's half-made .git/worktrees entry), so launches started together take turns.
  const lock = join(repo.commonDir, LOCK_NAME);
  await takeLock(system, lock, repo.top);
  try {
    return await examineAndAdd(system, repo, name, false);
  } finally {
    system.remove(lock);
  }
}

/** The lock file, in the repository's git directory, that launches take turns on. */
const LOCK_NAME = "llm-worktree.lock";
/** How long a launch waits for another one's worktree to be made. */
const LOCK_WAIT_MS = 30_000;

async function takeLock(system: System, lock: string, top: string): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  while (!system.createExclusive(lock, `${system.pid}\n`, 0o600)) {
    if (Date.now() > deadline) {
      throw new LlmError(
        `another llm has been making a worktree of ${top} for ${LOCK_WAIT_MS / 1000} s; if no ` +
          `llm is running there, remove ${lock} and launch again`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Look at the worktree `name` and create (or reuse) it; on a dry run, only look. */
async function examineAndAdd(
  system: System,
  repo: Repository,
  name: string,
  dryRun: boolean,
): Promise<PreparedWorktree> {
  const branch = branchFor(name);
  const path = worktreePath(repo.top, name);
  const list = parseWorktreeList(
    (await git(system, ["worktree", "list", "--porcelain"], repo.top)).stdout,
  );
  const entry = list.find((e) => e.path === path);
  const registered = entry !== undefined && entry.branch === `refs/heads/${branch}`;
  const branchExists =
    (await git(system, ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], repo.top))
      .code === 0;
  let dirty = false;
  if (registered) {
    const status = await git(system, ["status", "--porcelain"], path);
    dirty = status.code !== 0 || status.stdout.trim() !== "";
  }
  const action = worktreeAction(name, path, {
    registered,
    pathExists: system.stat(path) !== null,
    branchExists,
    dirty,
  });
  if (dryRun) return { name, branch, path, repo, created: false };
  if (action !== "reuse") {
    const args = action === "create"
      ? ["worktree", "add", "--quiet", "-b", branch, path, "HEAD"]
      : ["worktree", "add", "--quiet", path, branch];
    const out = await git(system, args, repo.top);
    if (out.code !== 0) {
      throw new LlmError(
        `'git ${args.join(" ")}' failed: ${out.stderr.trim().split("\n").at(-1) ?? ""}`,
      );
    }
  }
  // Mount sources must exist: git makes them lazily (packed refs, no reflog yet).
  for (const dir of [["refs", "heads", "llm"], ["logs", "refs", "heads", "llm"]]) {
    const p = join(repo.commonDir, ...dir);
    if (system.stat(p) === null) system.mkdir(p, 0o755);
  }
  return { name, branch, path, repo, created: action !== "reuse" };
}

/** Remove a worktree made for a launch that never started (its branch stays: nothing is lost). */
export async function undoWorktree(system: System, w: PreparedWorktree): Promise<void> {
  await git(system, ["worktree", "remove", "--force", w.path], w.repo.top);
}
