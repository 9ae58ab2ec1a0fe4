/**
 * Running one task of a batch where this process is: the local runner calls
 * it for each task, and each Slurm array task calls it (`llm batch task DIR
 * INDEX`) for its own. It writes the task's result directory: the logs, the
 * exit code, the manifest at start and at end, the launch's session
 * manifest, and the workspace's changes when the workspace is a git
 * repository.
 */
import { join } from "../std/path.ts";
import type { System } from "../system/system.ts";
import type { Processes } from "./_process.ts";
import { gitCommand, type GitGuard, guardBroken } from "./git_guard.ts";
import { MANIFEST_VERSION, type TaskManifest } from "./manifest.ts";
import { type BatchPlan, type PlannedTask, redactArgv } from "./plan.ts";
import { SESSION_FILE } from "./results.ts";
import { sessionId } from "../session/names.ts";
import { manifestPath, sessionsDir } from "../session/store.ts";
import { parseManifest, type SessionManifest } from "../session/manifest.ts";

/** How long a task has to end after SIGTERM before it gets SIGKILL. */
export const GRACE_MS = 10_000;

/** Options of `runTask`. */
export interface TaskRunOptions {
  /** Cancels the task: SIGTERM, then SIGKILL after the grace period. */
  readonly abort?: AbortSignal;
  /** The Slurm job this runs in. */
  readonly slurm?: TaskManifest["slurm"];
  /** Grace period after SIGTERM (default `GRACE_MS`). */
  readonly graceMs?: number;
}

/** Run `task` of `plan` to its end and return its final manifest. */
export async function runTask(
  system: System,
  procs: Processes,
  plan: BatchPlan,
  task: PlannedTask,
  options: TaskRunOptions = {},
): Promise<TaskManifest> {
  const dir = join(plan.resultsDir, task.dir);
  system.mkdir(dir, 0o700);
  const attempt = 1 + procs.entries(dir).filter((n) => /^attempt-\d+$/.test(n)).length;
  // Git runs on the host only in the repository pinned at planning, unchanged since.
  let startCommit: string | undefined;
  let notRecorded = task.git ? await guardBroken(system, task.git) : null;
  if (task.git && notRecorded === null) {
    const head = await git(system, task.git, task.workspace, [
      "rev-parse",
      "--verify",
      "-q",
      "HEAD",
    ]);
    startCommit = head.code === 0 ? head.stdout.trim() : undefined;
  }
  const startMs = Date.now();
  let manifest: TaskManifest = {
    version: MANIFEST_VERSION,
    batch: plan.id,
    task: { index: task.index, name: task.name, tags: task.tags, source: task.source },
    attempt,
    agent: task.agent,
    image: task.image,
    workspace: task.workspace,
    argv: redactArgv(task.argv),
    host: procs.hostname(),
    ...(options.slurm ? { slurm: options.slurm } : {}),
    start: new Date(startMs).toISOString(),
    ...(startCommit ? { git: { startCommit } } : {}),
  };
  const write = () =>
    system.writeFileAtomic(
      join(dir, "manifest.json"),
      JSON.stringify(manifest, null, 2) + "\n",
      0o600,
    );
  write();
  if (options.abort?.aborted) {
    manifest = { ...manifest, end: manifest.start, durationSeconds: 0, exit: 130, cancelled: true };
    write();
    return manifest;
  }
  // The launch's session gets this id, so its manifest can be kept with the results.
  const sessionIdOfTask = sessionId(crypto.getRandomValues(new Uint8Array(6)));
  const child = procs.spawn(task.argv, {
    cwd: task.workspace,
    // Plans written before values left the argv have none here.
    env: { ...task.env, LLM_SESSION_ID: sessionIdOfTask },
    stdoutPath: join(dir, "stdout.log"),
    stderrPath: join(dir, "stderr.log"),
  });
  manifest = { ...manifest, pid: child.pid };
  write();
  let why: "timedOut" | "cancelled" | undefined;
  let killer: ReturnType<typeof setTimeout> | undefined;
  const stop = (reason: "timedOut" | "cancelled") => {
    if (why !== undefined) return;
    why = reason;
    child.kill("SIGTERM");
    killer = setTimeout(() => child.kill("SIGKILL"), options.graceMs ?? GRACE_MS);
  };
  const timer = plan.timeSeconds === undefined
    ? undefined
    : setTimeout(() => stop("timedOut"), plan.timeSeconds * 1000);
  const onAbort = () => stop("cancelled");
  options.abort?.addEventListener("abort", onAbort);
  let ended;
  try {
    ended = await child.ended;
  } finally {
    clearTimeout(timer);
    clearTimeout(killer);
    options.abort?.removeEventListener("abort", onAbort);
  }
  const endMs = Date.now();
  const exit = exitOf(ended.code, why);
  system.writeFileAtomic(join(dir, "exit_code"), `${exit}\n`, 0o600);
  let changes: TaskManifest["git"] | undefined;
  if (task.git && startCommit) {
    notRecorded = await guardBroken(system, task.git);
    changes = notRecorded === null
      ? await saveChanges(system, task.git, task.workspace, dir, startCommit)
      : { startCommit, notRecorded };
  } else if (notRecorded !== null) changes = { notRecorded };
  const kept = keepSession(system, task, sessionIdOfTask, dir);
  const session = kept.record;
  if (why !== undefined && kept.manifest) await removeContainer(system, kept.manifest);
  manifest = {
    ...manifest,
    session,
    end: new Date(endMs).toISOString(),
    durationSeconds: (endMs - startMs) / 1000,
    exit,
    ...(ended.signal ? { signal: ended.signal } : {}),
    ...(why ? { [why]: true } : {}),
    ...(changes ? { git: changes } : {}),
  };
  write();
  return manifest;
}

/**
 * Copy the task's session manifest (lib/session/) into its result
 * directory as `session.json`: what the launch could see, its image digest
 * and agent version. A launch that failed before its session began left
 * none; then only the id is recorded.
 */
function keepSession(
  system: System,
  task: PlannedTask,
  id: string,
  dir: string,
): { record: NonNullable<TaskManifest["session"]>; manifest: SessionManifest | null } {
  const env = { ...system.env, ...task.env };
  let text: string | null = null;
  try {
    text = system.readText(manifestPath(sessionsDir(env, system.home), id));
  } catch {
    text = null;
  }
  if (text === null) return { record: { id }, manifest: null };
  system.writeFileAtomic(join(dir, SESSION_FILE), text, 0o600);
  return { record: { id, manifest: SESSION_FILE }, manifest: parseManifest(text) };
}

/**
 * After a cancel or a time limit, make sure the task's container is gone:
 * its llm has ended, but a container whose signal was lost while Slurm
 * ended the job step would run on (conmon is no longer in the step's
 * process tree). A container already gone makes the runtime say so; that is
 * ignored.
 */
async function removeContainer(system: System, session: SessionManifest): Promise<void> {
  const { name, executable } = session.runtime;
  const container = session.containerId ?? session.container;
  if ((name !== "podman" && name !== "docker") || !container) return;
  await system.output([executable, "rm", "--force", container]).catch(() => {});
}

/** Exit codes of a task llm ended whose launch still reported success. */
export const TIMED_OUT_EXIT = 124;
export const CANCELLED_EXIT = 130;

/**
 * A task ended at its time limit or by a cancel did not finish, whatever its
 * launch returned then (a signalled rootless podman client can exit 0): 124
 * as `timeout` does, or 130 as after Ctrl-C, where the code would be 0.
 */
function exitOf(code: number, why: "timedOut" | "cancelled" | undefined): number {
  if (code !== 0 || why === undefined) return code;
  return why === "timedOut" ? TIMED_OUT_EXIT : CANCELLED_EXIT;
}

/**
 * The agent's changes since `startCommit`: committed and uncommitted ones
 * to tracked files as one binary-safe diff, and the new untracked files by
 * name (git diff cannot show them without touching the index).
 */
async function saveChanges(
  system: System,
  guard: GitGuard,
  workspace: string,
  dir: string,
  startCommit: string,
): Promise<TaskManifest["git"]> {
  const diff = await git(system, guard, workspace, [
    "diff",
    "--binary",
    "--no-ext-diff",
    "--no-textconv",
    "--ignore-submodules",
    startCommit,
    "--",
    ".",
  ]);
  const untracked = await git(system, guard, workspace, [
    "ls-files",
    "--others",
    "--exclude-standard",
    "--",
    ".",
  ]);
  const out: { startCommit: string; diff?: string; untracked?: string } = { startCommit };
  if (diff.code === 0) {
    system.writeFileAtomic(join(dir, "diff.patch"), diff.stdout, 0o600);
    out.diff = "diff.patch";
  }
  if (untracked.code === 0) {
    system.writeFileAtomic(join(dir, "untracked.txt"), untracked.stdout, 0o600);
    out.untracked = "untracked.txt";
  }
  return out;
}

function git(system: System, guard: GitGuard, workspace: string, args: readonly string[]) {
  const { argv, env } = gitCommand(guard, args);
  return system.output(argv, { env, cwd: workspace });
}
