/**
 * The local runner: the tasks of a plan, at most `parallel` at a time, each
 * through `runTask`. Ctrl-C, SIGTERM or SIGHUP (which `llm batch cancel`
 * sends) end every running task (SIGTERM, then SIGKILL after a grace period)
 * and start no more; the runner returns once none is left.
 *
 * A progress line (done/running/failed and an ETA) is drawn on stderr only
 * when stderr is a terminal.
 */
import { join } from "../std/path.ts";
import type { System } from "../system/system.ts";
import type { Processes } from "./_process.ts";
import type { BatchPlan } from "./plan.ts";
import { CANCEL_FILE, RUNNER_FILE } from "./results.ts";
import { runTask } from "./task_run.ts";
import { formatDuration } from "./time.ts";

/** The outcome of a local run. */
export interface LocalOutcome {
  readonly done: number;
  readonly failed: number;
  readonly cancelled: boolean;
}

/** The default number of tasks at once: half the CPUs, at least one. */
export function defaultParallel(cpus: number): number {
  return Math.max(1, Math.floor(cpus / 2));
}

/** Run `indices` of `plan` here, `parallel` at a time. */
export async function runLocal(
  system: System,
  procs: Processes,
  plan: BatchPlan,
  indices: readonly number[],
  parallel: number,
): Promise<LocalOutcome> {
  const abort = new AbortController();
  const stopListening = procs.onTerminate(() => {
    if (abort.signal.aborted) return;
    system.writeFileAtomic(
      join(plan.resultsDir, CANCEL_FILE),
      JSON.stringify({ at: new Date().toISOString(), by: "signal" }) + "\n",
      0o600,
    );
    abort.abort();
  });
  system.writeFileAtomic(
    join(plan.resultsDir, RUNNER_FILE),
    JSON.stringify({ pid: procs.pid, host: procs.hostname(), started: new Date().toISOString() }) +
      "\n",
    0o600,
  );
  const queue = plan.tasks.filter((t) => indices.includes(t.index));
  const progress = system.isTerminal("stderr")
    ? progressLine(system, queue.length, parallel)
    : null;
  let done = 0;
  let failed = 0;
  let running = 0;
  let next = 0;
  const worker = async () => {
    while (next < queue.length && !abort.signal.aborted) {
      const task = queue[next++];
      running++;
      progress?.update(done, running, failed);
      const m = await runTask(system, procs, plan, task, { abort: abort.signal });
      running--;
      if (m.exit === 0) done++;
      else failed++;
      progress?.finished(m.durationSeconds ?? 0);
      progress?.update(done, running, failed);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(parallel, queue.length) }, worker));
  } finally {
    stopListening();
    progress?.end();
    system.remove(join(plan.resultsDir, RUNNER_FILE));
  }
  return { done, failed, cancelled: abort.signal.aborted };
}

/** The terminal progress line, redrawn in place. */
function progressLine(system: System, total: number, parallel: number) {
  const durations: number[] = [];
  let shown = false;
  return {
    finished(seconds: number) {
      durations.push(seconds);
    },
    update(done: number, running: number, failed: number) {
      const left = total - done - failed;
      let eta = "";
      if (durations.length > 0 && left > 0) {
        const mean = durations.reduce((a, b) => a + b, 0) / durations.length;
        eta = `, ETA ${formatDuration((mean * left) / Math.max(1, Math.min(parallel, left)))}`;
      }
      system.stderr(
        `\r\x1b[2Kbatch: ${done}/${total} done, ${running} running, ${failed} failed${eta}`,
      );
      shown = true;
    },
    end() {
      if (shown) system.stderr("\n");
    },
  };
}
