/**
 * The state of each task of a batch, from what is on disk (manifests, the
 * cancel record) and what Slurm says (`squeue`, and `sacct` where
 * accounting exists), and which tasks a retry runs again. Pure.
 *
 * A finished task's manifest is the truth for its exit; Slurm's view fills
 * in the tasks that have none (pending, running, killed before they could
 * write one) and tells a time-out or a cancel from a plain failure.
 */
import type { TaskManifest } from "./manifest.ts";
import type { BatchPlan } from "./plan.ts";
import { formatDuration } from "./time.ts";

/** The states `llm batch status` shows. */
export type TaskState = "pending" | "running" | "done" | "failed" | "cancelled" | "timed out";

/** One row of the status table. */
export interface StatusRow {
  readonly index: number;
  readonly name: string;
  readonly state: TaskState;
  readonly exit?: number;
  readonly durationSeconds?: number;
  readonly tags: readonly string[];
  /** Why, when the state is inferred (e.g. "no result: killed?"). */
  readonly note?: string;
  /** Still in Slurm's queue or the local runner's hands. */
  readonly queued: boolean;
  readonly dir: string;
}

/** What Slurm reports for one array task. */
export interface SlurmTaskState {
  readonly jobId: string;
  readonly index: number;
  /** Upper case, first word: PENDING, RUNNING, COMPLETED, CANCELLED, TIMEOUT, FAILED, ... */
  readonly state: string;
}

/** Everything the status of a batch is made from. */
export interface StatusInput {
  readonly plan: BatchPlan;
  readonly manifests: ReadonlyMap<number, TaskManifest>;
  /** When `llm batch cancel` (or Ctrl-C of the runner) was recorded, ISO time. */
  readonly cancelledAt?: string;
  /** Local batches: whether the runner process is alive. */
  readonly runnerAlive: boolean;
  /** `squeue` rows for the batch's jobs. */
  readonly squeue: readonly SlurmTaskState[];
  /** `sacct` rows, or null when accounting is not available. */
  readonly sacct: readonly SlurmTaskState[] | null;
  /** Now, in ms since the epoch (for a running task's age). */
  readonly now: number;
}

/**
 * Parse `squeue -h -r -o %F|%K|%T` (or `sacct -n -P -X -o JobID,State`)
 * output into rows. Array ranges that `sacct` folds (`12_[3-5%2]`) are
 * expanded; lines for jobs that are not array tasks are ignored.
 *
 * @example
 * ```ts
 * import { parseSlurmStates } from "./status.ts";
 * parseSlurmStates("41|2|RUNNING\n41|3|PENDING\n");
 * // [{ jobId: "41", index: 2, state: "RUNNING" }, { jobId: "41", index: 3, state: "PENDING" }]
 * parseSlurmStates("41_4|CANCELLED by 0|0:15\n");
 * // [{ jobId: "41", index: 4, state: "CANCELLED" }]
 * ```
 */
export function parseSlurmStates(text: string): SlurmTaskState[] {
  const rows: SlurmTaskState[] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim().split("|");
    if (fields.length < 2 || fields[0] === "") continue;
    let jobId: string;
    let indexText: string;
    let state: string;
    const sacctId = /^(\d+)_(.+)$/.exec(fields[0]);
    if (sacctId) {
      [, jobId, indexText] = sacctId;
      state = fields[1];
    } else {
      if (fields.length < 3) continue;
      [jobId, indexText, state] = fields;
    }
    const word = state.trim().split(/\s+/)[0].toUpperCase();
    for (const index of expandIndices(indexText)) rows.push({ jobId, index, state: word });
  }
  return rows;
}

function expandIndices(text: string): number[] {
  const inner = text.replace(/^\[|\]$/g, "").replace(/%\d+$/, "");
  if (/^\d+$/.test(inner)) return [Number(inner)];
  const out: number[] = [];
  for (const part of inner.split(",")) {
    const m = /^(\d+)-(\d+)$/.exec(part);
    if (m) { for (let i = Number(m[1]); i <= Number(m[2]); i++) out.push(i); }
    else if (/^\d+$/.test(part)) out.push(Number(part));
  }
  return out;
}

const RUNNING = new Set([
  "RUNNING",
  "CONFIGURING",
  "COMPLETING",
  "SUSPENDED",
  "STAGE_OUT",
  "SIGNALING",
]);
const PENDING = new Set(["PENDING", "REQUEUED", "RESIZING", "REQUEUE_HOLD", "REQUEUE_FED"]);

/** The job that holds task `index` now: the newest submission that includes it. */
export function currentJob(plan: BatchPlan, index: number): string | undefined {
  return plan.jobs.findLast((j) => j.indices.includes(index))?.id;
}

/**
 * The status table's rows.
 *
 * @example
 * ```ts ignore
 * statusRows({ plan, manifests, runnerAlive: false, squeue: [], sacct: null, now: Date.now() });
 * ```
 */
export function statusRows(input: StatusInput): StatusRow[] {
  const { plan } = input;
  return plan.tasks.map((t): StatusRow => {
    const m = input.manifests.get(t.index);
    const job = plan.mode === "slurm" ? currentJob(plan, t.index) : undefined;
    const pick = (rows: readonly SlurmTaskState[] | null) =>
      rows?.find((r) => r.jobId === job && r.index === t.index)?.state;
    const queue = pick(input.squeue);
    const account = pick(input.sacct);
    const base = { index: t.index, name: t.name, tags: t.tags, dir: t.dir };
    if (m?.end !== undefined) {
      const finished = {
        ...base,
        exit: m.exit,
        durationSeconds: m.durationSeconds,
        queued: false,
      };
      // Ended by llm or Slurm: whatever the launch returned then (a rootless
      // podman client that is signalled can exit 0), the work did not finish.
      if (m.timedOut || account === "TIMEOUT") return { ...finished, state: "timed out" };
      if (m.cancelled || account === "CANCELLED" || (m.signal && cancelledDuring(input, m))) {
        return { ...finished, state: "cancelled" };
      }
      if (m.exit === 0) return { ...finished, state: "done" };
      if (
        m.signal && plan.timeSeconds !== undefined &&
        (m.durationSeconds ?? 0) >= plan.timeSeconds - 5
      ) {
        return { ...finished, state: "timed out", note: `ended by ${m.signal} at the time limit` };
      }
      return { ...finished, state: "failed" };
    }
    const age = m ? (input.now - Date.parse(m.start)) / 1000 : undefined;
    const started = m ? { durationSeconds: age } : {};
    if (queue !== undefined) {
      if (PENDING.has(queue)) return { ...base, state: "pending", queued: true };
      return {
        ...base,
        ...started,
        state: "running",
        queued: true,
        ...(RUNNING.has(queue) ? {} : { note: queue }),
      };
    }
    if (plan.mode === "local" && input.runnerAlive) {
      return m
        ? { ...base, ...started, state: "running", queued: true }
        : { ...base, state: "pending", queued: true };
    }
    if (account !== undefined) {
      if (PENDING.has(account)) return { ...base, state: "pending", queued: true };
      if (RUNNING.has(account)) return { ...base, ...started, state: "running", queued: true };
      if (account === "TIMEOUT") return { ...base, state: "timed out", queued: false };
      if (account === "CANCELLED") return { ...base, state: "cancelled", queued: false };
      return {
        ...base,
        state: "failed",
        queued: false,
        note: `Slurm: ${account}, no result written`,
      };
    }
    if (cancelledSince(input, t.index)) return { ...base, state: "cancelled", queued: false };
    if (m) {
      if (plan.timeSeconds !== undefined && (age ?? 0) >= plan.timeSeconds) {
        return {
          ...base,
          state: "timed out",
          queued: false,
          note: "no result: killed at the time limit?",
        };
      }
      return {
        ...base,
        state: "failed",
        queued: false,
        note: "started but wrote no result: killed?",
      };
    }
    if (plan.mode === "slurm" && job !== undefined) {
      return {
        ...base,
        state: "failed",
        queued: false,
        note: "not in Slurm's queue and no result",
      };
    }
    return { ...base, state: "pending", queued: false, note: "not started" };
  });
}

/** A cancel recorded while the task ran (a signal then was the cancel's). */
function cancelledDuring(input: StatusInput, m: TaskManifest): boolean {
  if (input.cancelledAt === undefined || m.end === undefined) return false;
  const at = Date.parse(input.cancelledAt);
  return at >= Date.parse(m.start) && at <= Date.parse(m.end);
}

/** A cancel recorded after the task's current submission (local: any). */
function cancelledSince(input: StatusInput, index: number): boolean {
  if (input.cancelledAt === undefined) return false;
  const job = input.plan.jobs.findLast((j) => j.indices.includes(index));
  return job === undefined || Date.parse(input.cancelledAt) >= Date.parse(job.submitted);
}

/**
 * The tasks `llm batch retry` runs again: with `failedOnly`, those that
 * failed or timed out; otherwise also those cancelled or never run. Tasks
 * still queued or running, and those done, are left alone.
 *
 * @example
 * ```ts ignore
 * retrySelection(rows, true); // [1, 4]
 * ```
 */
export function retrySelection(rows: readonly StatusRow[], failedOnly: boolean): number[] {
  const wanted: readonly TaskState[] = failedOnly
    ? ["failed", "timed out"]
    : ["failed", "timed out", "cancelled", "pending"];
  return rows.filter((r) => !r.queued && wanted.includes(r.state)).map((r) => r.index);
}

/** `N tasks: 3 done, 1 failed, ...` in the table's state order. */
export function summaryLine(rows: readonly StatusRow[]): string {
  const order: TaskState[] = ["done", "failed", "timed out", "cancelled", "running", "pending"];
  const parts = order
    .map((s) => [s, rows.filter((r) => r.state === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  return `${rows.length} task${rows.length === 1 ? "" : "s"}: ${parts.join(", ")}`;
}

/** The status table, aligned, with a header and the summary line. */
export function statusTable(rows: readonly StatusRow[]): string {
  const cells = rows.map((r) => [
    String(r.index),
    r.name,
    r.state,
    r.exit === undefined ? "-" : String(r.exit),
    r.durationSeconds === undefined ? "-" : formatDuration(r.durationSeconds),
    r.tags.join(",") || "-",
    r.note ?? "",
  ]);
  const header = ["TASK", "NAME", "STATE", "EXIT", "TIME", "TAGS", "NOTE"];
  const all = [header, ...cells];
  const widths = header.map((_, i) => Math.max(...all.map((c) => c[i].length)));
  const lines = all.map((c) => c.map((v, i) => v.padEnd(widths[i])).join("  ").trimEnd());
  return `${lines.join("\n")}\n${summaryLine(rows)}\n`;
}
