/**
 * Task states from manifests, squeue and sacct, and what a retry picks.
 */
import { assertEquals } from "../../_assert.ts";
import type { TaskManifest } from "../../../lib/batch/manifest.ts";
import type { BatchPlan } from "../../../lib/batch/plan.ts";
import {
  parseSlurmStates,
  retrySelection,
  type StatusInput,
  statusRows,
  statusTable,
} from "../../../lib/batch/status.ts";

Deno.test("parseSlurmStates() reads squeue's %F|%K|%T lines", () => {
  assertEquals(parseSlurmStates("41|2|RUNNING\n41|3|PENDING\n\n"), [
    { jobId: "41", index: 2, state: "RUNNING" },
    { jobId: "41", index: 3, state: "PENDING" },
  ]);
});

Deno.test("parseSlurmStates() reads sacct -P JobID|State lines, pending ranges expanded", () => {
  assertEquals(
    parseSlurmStates(
      "41_0|COMPLETED\n41_1|FAILED\n41_2|CANCELLED by 1000\n41_[3-5%2]|PENDING\n41_[7,9-10]|PENDING\n42|COMPLETED\n41_6|TIMEOUT\n",
    ),
    [
      { jobId: "41", index: 0, state: "COMPLETED" },
      { jobId: "41", index: 1, state: "FAILED" },
      { jobId: "41", index: 2, state: "CANCELLED" },
      { jobId: "41", index: 3, state: "PENDING" },
      { jobId: "41", index: 4, state: "PENDING" },
      { jobId: "41", index: 5, state: "PENDING" },
      { jobId: "41", index: 7, state: "PENDING" },
      { jobId: "41", index: 9, state: "PENDING" },
      { jobId: "41", index: 10, state: "PENDING" },
      { jobId: "41", index: 6, state: "TIMEOUT" },
    ],
  );
});

Deno.test("parseSlurmStates() ignores squeue's complaint lines and jobs without an index", () => {
  assertEquals(
    parseSlurmStates("slurm_load_jobs error: Invalid job id specified\n42|N/A|RUNNING\n"),
    [],
  );
});

function plan(mode: "local" | "slurm", n: number, more: Partial<BatchPlan> = {}): BatchPlan {
  return {
    version: 1,
    id: "b1",
    created: "2026-12-06T00:00:00Z",
    taskFile: "/t.yaml",
    mode,
    resultsDir: "/out",
    self: ["llm"],
    slurm: {},
    jobs: mode === "slurm"
      ? [{ id: "41", indices: [...Array(n).keys()], submitted: "2026-12-06T00:00:00Z" }]
      : [],
    tasks: [...Array(n).keys()].map((i) => ({
      index: i,
      name: `t${i}`,
      dir: `tasks/${i}-t${i}`,
      agent: "shell",
      image: null,
      workspace: `/w/${i}`,
      tags: i === 0 ? ["a", "b"] : [],
      argv: ["llm"],
      source: `t.yaml:${i + 2}`,
    })),
    ...more,
  };
}

function ended(exit: number, more: Partial<TaskManifest> = {}): TaskManifest {
  return {
    version: 1,
    batch: "b1",
    task: { index: 0, name: "", tags: [], source: "" },
    attempt: 1,
    agent: "shell",
    image: null,
    workspace: "/w",
    argv: [],
    host: "n",
    start: "2026-12-06T00:01:00Z",
    end: "2026-12-06T00:02:00Z",
    durationSeconds: 60,
    exit,
    ...more,
  };
}

function input(p: BatchPlan, more: Partial<StatusInput>): StatusInput {
  return {
    plan: p,
    manifests: new Map(),
    runnerAlive: false,
    squeue: [],
    sacct: null,
    now: Date.parse("2026-12-06T00:03:00Z"),
    ...more,
  };
}

Deno.test("statusRows() tells every state of a Slurm batch", () => {
  const started = { ...ended(0), end: undefined, exit: undefined, durationSeconds: undefined };
  const rows = statusRows(input(plan("slurm", 9), {
    manifests: new Map([
      [0, ended(0)],
      [1, ended(2)],
      [2, ended(143, { signal: "SIGTERM", timedOut: true })],
      [3, started],
      [4, started],
      [8, started],
    ]),
    squeue: [
      { jobId: "41", index: 3, state: "RUNNING" },
      { jobId: "41", index: 5, state: "PENDING" },
    ],
    sacct: [
      { jobId: "41", index: 4, state: "TIMEOUT" },
      { jobId: "41", index: 6, state: "CANCELLED" },
      { jobId: "41", index: 7, state: "NODE_FAIL" },
    ],
  }));
  assertEquals(rows.map((r) => [r.state, r.queued, r.note]), [
    ["done", false, undefined],
    ["failed", false, undefined],
    ["timed out", false, undefined],
    ["running", true, undefined],
    ["timed out", false, undefined],
    ["pending", true, undefined],
    ["cancelled", false, undefined],
    ["failed", false, "Slurm: NODE_FAIL, no result written"],
    ["failed", false, "started but wrote no result: killed?"],
  ]);
  assertEquals(rows[3].durationSeconds, 120);
  assertEquals(retrySelection(rows, true), [1, 2, 4, 7, 8]);
  assertEquals(retrySelection(rows, false), [1, 2, 4, 6, 7, 8]);
});

Deno.test("statusRows() counts a task ended by a cancel or time limit as such, even with exit 0", () => {
  const rows = statusRows(input(plan("slurm", 3), {
    manifests: new Map([
      [0, ended(0, { cancelled: true })],
      [1, ended(0, { timedOut: true })],
      [2, ended(0)],
    ]),
    sacct: [{ jobId: "41", index: 2, state: "CANCELLED" }],
  }));
  assertEquals(rows.map((r) => [r.state, r.exit]), [["cancelled", 0], ["timed out", 0], [
    "cancelled",
    0,
  ]]);
});

Deno.test("statusRows() without accounting: gone from squeue and no result is failed", () => {
  const rows = statusRows(input(plan("slurm", 1), {}));
  assertEquals(rows.map((r) => [r.state, r.note]), [[
    "failed",
    "not in Slurm's queue and no result",
  ]]);
});

Deno.test("statusRows() after a cancel: tasks gone from the queue are cancelled", () => {
  const rows = statusRows(input(plan("slurm", 2), {
    cancelledAt: "2026-12-06T00:01:30Z",
    manifests: new Map([[0, ended(143, { signal: "SIGTERM" })]]),
  }));
  assertEquals(rows.map((r) => r.state), ["cancelled", "cancelled"]);
});

Deno.test("statusRows() for a local batch follows the runner", () => {
  const started = { ...ended(0), end: undefined, exit: undefined, durationSeconds: undefined };
  const p = plan("local", 3);
  const manifests = new Map([[0, ended(0)], [1, started]]);
  assertEquals(
    statusRows(input(p, { manifests, runnerAlive: true })).map((r) => r.state),
    ["done", "running", "pending"],
  );
  assertEquals(
    statusRows(input(p, { manifests, runnerAlive: false })).map((r) => [r.state, r.note]),
    [["done", undefined], ["failed", "started but wrote no result: killed?"], [
      "pending",
      "not started",
    ]],
  );
});

Deno.test("statusTable() aligns the columns and ends with a summary", () => {
  const rows = statusRows(input(plan("local", 2), {
    manifests: new Map([[0, ended(0)], [1, ended(1)]]),
  }));
  assertEquals(
    statusTable(rows),
    "TASK  NAME  STATE   EXIT  TIME   TAGS  NOTE\n" +
      "0     t0    done    0     1m00s  a,b\n" +
      "1     t1    failed  1     1m00s  -\n" +
      "2 tasks: 1 done, 1 failed\n",
  );
});
