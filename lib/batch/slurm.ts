/**
 * Talking to Slurm: one `sbatch --parsable` per submission (never one per
 * task), `squeue` and `sacct` for the state of the array tasks, `scancel`
 * for a cancel. Every call goes through `System.output`.
 */
import { LlmError } from "../errors.ts";
import { join } from "../std/path.ts";
import type { System } from "../system/system.ts";
import type { BatchPlan } from "./plan.ts";
import { parseJobId, sbatchArgv, sbatchScript } from "./sbatch.ts";
import { parseSlurmStates, type SlurmTaskState } from "./status.ts";

/** Refuse `--slurm` without sbatch on PATH, before anything is written. */
export function checkSbatch(system: System): void {
  if (system.which("sbatch") === null) {
    throw new LlmError(
      "--slurm: sbatch is not on PATH: run this on a Slurm login node (or 'module load slurm'), " +
        "or drop --slurm to run the tasks here",
    );
  }
}

/**
 * Write the array script `name` and submit `indices` of `plan` as one
 * array. Returns the job id.
 */
export async function submit(
  system: System,
  plan: BatchPlan,
  indices: readonly number[],
  name: string,
): Promise<{ id: string; argv: string[] }> {
  const script = join(plan.resultsDir, name);
  system.mkdir(join(plan.resultsDir, "slurm"), 0o700);
  const argv = sbatchArgv(plan, indices, script);
  system.writeFileAtomic(script, sbatchScript(plan, argv), 0o700);
  const out = await system.output(argv);
  const id = out.code === 0 ? parseJobId(out.stdout) : null;
  if (id === null) {
    const why = (out.stderr.trim() || out.stdout.trim()).split("\n").at(-1) ?? "";
    throw new LlmError(`sbatch failed (exit ${out.code}): ${why || "no job id printed"}`);
  }
  return { id, argv };
}

/** What Slurm knows of the batch's jobs. */
export interface SlurmView {
  readonly squeue: SlurmTaskState[];
  /** Null when `sacct` is missing or accounting is off. */
  readonly sacct: SlurmTaskState[] | null;
}

/** Ask `squeue` (and `sacct` when present) about the batch's jobs. */
export async function slurmView(system: System, plan: BatchPlan): Promise<SlurmView> {
  const ids = plan.jobs.map((j) => j.id).join(",");
  if (ids === "" || system.which("squeue") === null) return { squeue: [], sacct: null };
  // A job that has left the queue makes squeue complain; the others still print.
  const q = await system.output(["squeue", "-h", "-r", `--jobs=${ids}`, "--format=%F|%K|%T"]);
  const squeue = parseSlurmStates(q.stdout);
  let sacct: SlurmTaskState[] | null = null;
  if (system.which("sacct") !== null) {
    const a = await system.output([
      "sacct",
      "-n",
      "-P",
      "-X",
      `--jobs=${ids}`,
      "--format=JobID,State",
    ]);
    if (a.code === 0) sacct = parseSlurmStates(a.stdout);
  }
  return { squeue, sacct };
}

/** `scancel` every job of the batch. */
export async function cancelJobs(system: System, plan: BatchPlan): Promise<void> {
  const ids = plan.jobs.map((j) => j.id);
  if (ids.length === 0) return;
  if (system.which("scancel") === null) {
    throw new LlmError("scancel is not on PATH: cancel from a Slurm login node");
  }
  const out = await system.output(["scancel", ...ids]);
  if (out.code !== 0) {
    throw new LlmError(
      `scancel ${ids.join(" ")} failed: ${out.stderr.trim() || `exit ${out.code}`}`,
    );
  }
}
