/**
 * The results directory of a batch:
 *
 *     DIR/batch.json            the plan (0600: it holds --env values), Slurm job ids
 *     DIR/sbatch.sh             the array script (Slurm)
 *     DIR/runner.json           the local runner's pid while it runs
 *     DIR/cancel.json           when the batch was cancelled
 *     DIR/slurm/JOB_TASK.out    Slurm's own output of each array task
 *     DIR/tasks/I-NAME/         per task: stdout.log, stderr.log, exit_code,
 *                               manifest.json, session.json (the launch's session
 *                               manifest), diff.patch + untracked.txt (git);
 *                               attempt-N/ holds an earlier attempt's files
 *     DIR/workspaces/I-NAME/    clones of tasks given as `repo:`
 *
 * Reads and writes go through `System`; JSON files are written atomically.
 */
import { LlmError } from "../errors.ts";
import { join } from "../std/path.ts";
import type { System } from "../system/system.ts";
import { parseManifest, type TaskManifest } from "./manifest.ts";
import { type BatchPlan, PLAN_VERSION } from "./plan.ts";

export const PLAN_FILE = "batch.json";
export const RUNNER_FILE = "runner.json";
export const CANCEL_FILE = "cancel.json";
/** The launch's session manifest, copied into the task's directory. */
export const SESSION_FILE = "session.json";

/** The local runner's record. */
export interface RunnerRecord {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
}

/** Read the plan in `dir`, or explain why there is none. */
export function readPlan(system: System, dir: string): BatchPlan {
  const text = system.readText(join(dir, PLAN_FILE));
  if (text === null) {
    throw new LlmError(
      `${dir} holds no batch (no ${PLAN_FILE}): name the results directory that 'llm batch run' printed`,
    );
  }
  let plan: BatchPlan;
  try {
    plan = JSON.parse(text);
  } catch (e) {
    throw new LlmError(`${join(dir, PLAN_FILE)} is not valid JSON: ${(e as Error).message}`);
  }
  if (plan.version !== PLAN_VERSION || !Array.isArray(plan.tasks)) {
    throw new LlmError(
      `${join(dir, PLAN_FILE)} has layout version ${plan.version}; this llm reads ${PLAN_VERSION}`,
    );
  }
  return plan;
}

/** Write the plan (atomically, 0600). */
export function writePlan(system: System, plan: BatchPlan): void {
  system.writeFileAtomic(
    join(plan.resultsDir, PLAN_FILE),
    JSON.stringify(plan, null, 2) + "\n",
    0o600,
  );
}

/**
 * Refuse a results directory that already holds a batch, or anything else:
 * a new batch must not mix its results with other files.
 */
export function checkFreshResults(system: System, dir: string, entries: readonly string[]): void {
  if (system.stat(join(dir, PLAN_FILE)) !== null) {
    let other = "another batch";
    try {
      const plan = readPlan(system, dir);
      other = `batch ${plan.id} (from ${plan.taskFile})`;
    } catch { /* still another batch */ }
    throw new LlmError(
      `${dir} already holds ${other}: choose a new --results directory, or use ` +
        `'llm batch status|retry ${dir}' for that batch`,
    );
  }
  const kind = system.stat(dir);
  if (kind !== null && kind !== "dir") throw new LlmError(`--results ${dir} is not a directory`);
  if (entries.length > 0) {
    throw new LlmError(
      `--results ${dir} is not empty: give a new or empty directory for the results`,
    );
  }
}

/** The manifest of each task that has one. */
export function readManifests(system: System, plan: BatchPlan): Map<number, TaskManifest> {
  const out = new Map<number, TaskManifest>();
  for (const t of plan.tasks) {
    const m = parseManifest(system.readText(join(plan.resultsDir, t.dir, "manifest.json")));
    if (m) out.set(t.index, m);
  }
  return out;
}

/** The recorded cancel time, if any. */
export function readCancel(system: System, dir: string): string | undefined {
  const text = system.readText(join(dir, CANCEL_FILE));
  if (text === null) return undefined;
  try {
    return String(JSON.parse(text).at);
  } catch {
    return undefined;
  }
}

/** The local runner's record, if one is running (or crashed without removing it). */
export function readRunner(system: System, dir: string): RunnerRecord | null {
  const text = system.readText(join(dir, RUNNER_FILE));
  if (text === null) return null;
  try {
    const r = JSON.parse(text);
    return typeof r.pid === "number" ? r : null;
  } catch {
    return null;
  }
}
