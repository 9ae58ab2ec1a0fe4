/**
 * `llm batch` on a fake host: the bad inputs of each subcommand (one line,
 * nothing written or submitted), the golden `sbatch` command and array
 * script for podman and Singularity nodes, the local runner's parallel
 * limit and Ctrl-C, status from squeue/sacct, retry and cancel.
 */
import { assert, assertEquals, assertRejects } from "../../_assert.ts";
import { run } from "../../../lib/batch/command.ts";
import type { BatchPlan, PlannedTask } from "../../../lib/batch/plan.ts";
import { BATCH_OPTIONS } from "../../../lib/batch/spec.ts";
import { commandCommonOptions } from "../../../lib/cli/options.ts";
import { parseOptions } from "../../../lib/cli/parse.ts";
import { LlmError, UsageError } from "../../../lib/errors.ts";
import {
  type FakeSystem,
  fakeSystem,
  type FakeSystemOptions,
  setContent,
} from "../../_fake_system.ts";
import { type FakeProcesses, fakeProcesses, type FakeProcessOptions } from "./_fake_processes.ts";
import { stored } from "../session/_sessions.ts";
import { oneTaskPlan } from "./_one_task_plan.ts";

const CWD = "/home/user/proj";
const TASKS = `agent: shell
tasks:
  - { workspace: a, prompt: "echo a" }
  - { workspace: b, prompt: "exit 3", tags: [x] }
  - { workspace: c, prompt: "echo c" }
  - { workspace: d, prompt: "echo d" }
  - { workspace: e, prompt: "echo e" }
`;

function host(options: FakeSystemOptions = {}, text = TASKS): FakeSystem {
  const system = fakeSystem({
    cwd: CWD,
    files: ["a/", "b/", "c/", "d/", "e/"].map((d) => `${CWD}/${d}`),
    executables: ["podman"],
    ...options,
  });
  setContent(system, `${CWD}/tasks.yaml`, text);
  return system;
}

async function batch(
  system: FakeSystem,
  argv: string[],
  procs: FakeProcesses = fakeProcesses(system),
): Promise<number> {
  const parsed = parseOptions(argv, [...BATCH_OPTIONS, ...commandCommonOptions("batch")], {
    stopAtPositional: false,
    command: "llm batch",
  });
  return await run({ options: parsed.options, args: parsed.rest, system }, procs);
}

function text(system: FakeSystem, path: string): string {
  const t = system.readText(path);
  if (t === null) throw new Error(`no file ${path}`);
  return t;
}

const BAD: [string, string[], string, FakeSystemOptions?, typeof UsageError?][] = [
  [
    "no subcommand",
    [],
    "llm batch needs a subcommand: run TASKS, status DIR, retry DIR or cancel DIR (got none; see 'llm batch --help')",
    {},
    UsageError,
  ],
  [
    "an unknown subcommand",
    ["start", "x"],
    "llm batch needs a subcommand: run TASKS, status DIR, retry DIR or cancel DIR (got 'start'; see 'llm batch --help')",
    {},
    UsageError,
  ],
  [
    "an option of another subcommand",
    ["status", "out", "--slurm"],
    "llm batch status takes no --slurm (see 'llm batch --help')",
    {},
    UsageError,
  ],
  [
    "two task files",
    ["run", "a.yaml", "b.yaml"],
    "llm batch run takes one TASKS (got a.yaml b.yaml)",
    {},
    UsageError,
  ],
  ["a missing task file", ["run", "nope.yaml"], `task file ${CWD}/nope.yaml does not exist`],
  ["a task file that is a directory", ["run", "a"], `task file ${CWD}/a is a directory`],
  [
    "--slurm without sbatch",
    ["run", "tasks.yaml", "--slurm"],
    "--slurm: sbatch is not on PATH: run this on a Slurm login node (or 'module load slurm'), or drop --slurm to run the tasks here",
  ],
  [
    "a results directory inside a workspace",
    ["run", "tasks.yaml", "--results", "a/out"],
    `--results ${CWD}/a/out is inside the workspace of tasks.yaml:3 (${CWD}/a), where its agent could rewrite the batch's plan: put the results outside every workspace`,
  ],
  [
    "a Slurm option without --slurm",
    ["run", "tasks.yaml", "--partition", "gpu"],
    "--partition is an sbatch option: add --slurm, or drop --partition",
    {},
    UsageError,
  ],
  [
    "--parallel 0",
    ["run", "tasks.yaml", "--parallel", "0"],
    "--parallel '0' must be a positive number",
    {},
    UsageError,
  ],
  [
    "--cpus-per-task x",
    ["run", "tasks.yaml", "--slurm", "--cpus-per-task", "x"],
    "--cpus-per-task 'x' must be a positive number",
    { executables: ["sbatch"] },
    UsageError,
  ],
  [
    "an unknown --agent",
    ["run", "tasks.yaml", "--agent", "cdex"],
    "tasks.yaml:3: unknown agent 'cdex': did you mean 'codex'? (agents: codex, claude, pi, shell)",
  ],
  [
    "a results directory holding another batch",
    ["run", "tasks.yaml", "--results", "out"],
    `${CWD}/out already holds another batch: choose a new --results directory, or use 'llm batch status|retry ${CWD}/out' for that batch`,
    { files: [`${CWD}/a/`, `${CWD}/out/batch.json`] },
  ],
  [
    "a results directory that is not empty",
    ["run", "tasks.yaml", "--results", "out"],
    `--results ${CWD}/out is not empty: give a new or empty directory for the results`,
    { files: [`${CWD}/a/`, `${CWD}/out/notes.txt`] },
  ],
  [
    "--slurm with llm on a node-local path",
    ["run", "tasks.yaml", "--slurm"],
    "--slurm: the llm program /tmp/llm is under /tmp, which is local to each node, so array tasks on other nodes cannot see it: put it on a file system every node mounts (home or project space)",
    { executables: ["sbatch"], env: { LLM_BATCH_SELF: "/tmp/llm" } },
  ],
  [
    "--slurm with results on $TMPDIR",
    ["run", "tasks.yaml", "--slurm", "--results", "/scratch/local/out"],
    "--slurm: the results directory /scratch/local/out is under /scratch/local, which is local to each node, so array tasks on other nodes cannot see it: put it on a file system every node mounts (home or project space)",
    { executables: ["sbatch"], env: { TMPDIR: "/scratch/local" } },
  ],
  [
    "status of a directory without a batch",
    ["status", "a"],
    `${CWD}/a holds no batch (no batch.json): name the results directory that 'llm batch run' printed`,
  ],
];

for (const [what, argv, message, options, kind] of BAD) {
  Deno.test(`llm batch refuses ${what}, changing nothing`, async () => {
    const system = host(options);
    if (what.includes("another batch")) setContent(system, `${CWD}/out/batch.json`, "{}");
    const before = system.changes.length;
    const e = await assertRejects(() => batch(system, argv), kind ?? LlmError);
    assertEquals(e.message, message);
    assertEquals(system.changes.slice(before), []);
    assertEquals(system.ran.filter((a) => a[0] === "sbatch"), []);
  });
}

Deno.test("llm batch run --dry-run prints each task's launch, in its workspace", async () => {
  const system = host();
  assertEquals(await batch(system, ["run", "tasks.yaml", "--dry-run", "--backend", "podman"]), 0);
  assertEquals(
    system.out.join(""),
    ["a", "b", "c", "d", "e"].map((d) =>
      `(cd ${CWD}/${d} && /shared/bin/llm --backend=podman shell -- '${
        d === "b" ? "exit 3" : `echo ${d}`
      }')\n`
    ).join(""),
  );
  assertEquals(system.changes, []);
});

const PODMAN_SCRIPT = `#!/bin/bash
# llm batch @ID@: 5 tasks from ${CWD}/tasks.yaml
# Submitted by 'llm batch run --slurm'; each array task runs the task of its index,
# with its logs, exit code and manifest under tasks/ of the results directory.
# Submitted with: sbatch --parsable --job-name=llm-batch-@ID@ --array=0-4%2 --chdir=${CWD}/out --output=${CWD}/out/slurm/%A_%a.out --time=1:00:00 --cpus-per-task=2 --mem=4G --partition=gpu --account=lab --gres=gpu:a100:1 ${CWD}/out/sbatch.sh
exec /shared/bin/llm batch task ${CWD}/out "$SLURM_ARRAY_TASK_ID"
`;

Deno.test("llm batch run --slurm submits one array with sbatch (podman nodes: golden script)", async () => {
  const system = host({
    executables: ["sbatch", "podman"],
    outputs: { sbatch: { stdout: "4242\n" } },
  });
  const code = await batch(system, [
    "run",
    "tasks.yaml",
    "--slurm",
    "--results",
    "out",
    "--parallel",
    "2",
    "--time",
    "1:00:00",
    "--cpus-per-task",
    "2",
    "--mem",
    "4G",
    "--partition",
    "gpu",
    "--account",
    "lab",
    "--gpus",
    "a100:1",
  ]);
  assertEquals(code, 0);
  assertEquals(system.out.join(""), "4242\n");
  const plan = JSON.parse(text(system, `${CWD}/out/batch.json`));
  const sbatch = system.ran.filter((a) => a[0] === "sbatch");
  assertEquals(sbatch.length, 1, "one sbatch for the whole array");
  assertEquals(sbatch[0], [
    "sbatch",
    "--parsable",
    `--job-name=llm-batch-${plan.id}`,
    "--array=0-4%2",
    `--chdir=${CWD}/out`,
    `--output=${CWD}/out/slurm/%A_%a.out`,
    "--time=1:00:00",
    "--cpus-per-task=2",
    "--mem=4G",
    "--partition=gpu",
    "--account=lab",
    "--gres=gpu:a100:1",
    `${CWD}/out/sbatch.sh`,
  ]);
  assertEquals(text(system, `${CWD}/out/sbatch.sh`), PODMAN_SCRIPT.replaceAll("@ID@", plan.id));
  assertEquals(system.files.get(`${CWD}/out/sbatch.sh`)?.mode, 0o700);
  assertEquals(system.files.get(`${CWD}/out/batch.json`)?.mode, 0o600);
  assertEquals(plan.jobs.map((j: { id: string; indices: number[] }) => [j.id, j.indices]), [
    ["4242", [0, 1, 2, 3, 4]],
  ]);
  // Podman on the nodes: nothing to pull ahead.
  assertEquals(system.ran.filter((a) => a.includes("pull")), []);
});

const SINGULARITY_SCRIPT = `#!/bin/bash
# llm batch @ID@: 5 tasks from ${CWD}/tasks.yaml
# Submitted by 'llm batch run --slurm'; each array task runs the task of its index,
# with its logs, exit code and manifest under tasks/ of the results directory.
# Submitted with: sbatch --parsable --job-name=llm-batch-@ID@ --array=0-4 --chdir=${CWD}/out --output=${CWD}/out/slurm/%A_%a.out ${CWD}/out/sbatch.sh
exec /shared/bin/llm batch task ${CWD}/out "$SLURM_ARRAY_TASK_ID"
`;

for (const backend of ["singularity", "apptainer"]) {
  Deno.test(`llm batch run --slurm fills the SIF cache once before submitting (${backend} nodes)`, async () => {
    const system = host({
      executables: ["sbatch", backend],
      outputs: {
        sbatch: { stdout: "77;cluster\n" },
        "/shared/bin/llm": { stdout: "ghcr.io/x -> /home/user/.cache/llm/x.sif\n" },
      },
    }, TASKS.replace("agent: shell", `agent: shell\nbackend: ${backend}\ntag: v2`));
    assertEquals(await batch(system, ["run", "tasks.yaml", "--slurm", "--results", "out"]), 0);
    assertEquals(system.out.join(""), "77\n", "stdout holds the job id alone");
    assert(system.err.join("").includes("ghcr.io/x -> /home/user/.cache/llm/x.sif\n"));
    const order = system.ran.map((a) => a.slice(0, a[0] === "sbatch" ? 3 : 4).join(" "));
    assertEquals(order.filter((l) => l.includes("pull") || l.startsWith("sbatch")), [
      `/shared/bin/llm --tag=v2 --backend=${backend} pull`,
      "sbatch --parsable --job-name=llm-batch-" +
      JSON.parse(text(system, `${CWD}/out/batch.json`)).id,
    ]);
    const pull = system.ran.find((a) => a.includes("pull"));
    assertEquals(pull, ["/shared/bin/llm", "--tag=v2", `--backend=${backend}`, "pull", "shell"]);
    const plan = JSON.parse(text(system, `${CWD}/out/batch.json`));
    assertEquals(
      text(system, `${CWD}/out/sbatch.sh`),
      SINGULARITY_SCRIPT.replaceAll("@ID@", plan.id),
    );
    assertEquals(plan.tasks[0].argv, [
      "/shared/bin/llm",
      `--backend=${backend}`,
      "--tag=v2",
      "shell",
      "--",
      "echo a",
    ]);
  });
}

Deno.test("llm batch run --slurm finds Singularity on PATH when the backend is auto", async () => {
  const system = host({
    executables: ["sbatch", "singularity", "/shared/bin/llm"],
    outputs: { sbatch: { stdout: "5\n" } },
  });
  assertEquals(await batch(system, ["run", "tasks.yaml", "--slurm", "--results", "out"]), 0);
  assertEquals(system.ran.find((a) => a.includes("pull")), [
    "/shared/bin/llm",
    "--backend=singularity",
    "pull",
    "shell",
  ]);
});

Deno.test("llm batch run --slurm submits nothing when the pull fails", async () => {
  const system = host({
    executables: ["sbatch", "apptainer"],
    outputs: { "/shared/bin/llm": { code: 1, stderr: "llm: error: no network\n" } },
  });
  const e = await assertRejects(
    () => batch(system, ["run", "tasks.yaml", "--slurm", "--results", "out"]),
    LlmError,
  );
  assertEquals(e.message, "llm pull failed (exit 1); nothing was submitted");
  assertEquals(system.ran.filter((a) => a[0] === "sbatch"), []);
});

Deno.test("llm batch run --slurm reports sbatch's own error", async () => {
  const system = host({
    executables: ["sbatch"],
    outputs: { sbatch: { code: 1, stderr: "sbatch: error: Invalid partition name specified\n" } },
  });
  const e = await assertRejects(
    () => batch(system, ["run", "tasks.yaml", "--slurm", "--results", "out"]),
    LlmError,
  );
  assertEquals(
    e.message,
    "sbatch failed (exit 1): sbatch: error: Invalid partition name specified",
  );
  assertEquals(system.stat(`${CWD}/out`), null, "nothing submitted, no results directory left");
});

function slow(system: FakeSystem, options: FakeProcessOptions = {}): FakeProcesses {
  return fakeProcesses(system, {
    exitOf: (argv) => (argv.at(-1) === "exit 3" ? 3 : 0),
    ...options,
  });
}

Deno.test("llm batch run runs at most --parallel tasks at once and records each result", async () => {
  const system = host();
  const procs = slow(system);
  const code = await batch(
    system,
    ["run", "tasks.yaml", "--results", "out", "--parallel", "2"],
    procs,
  );
  assertEquals(code, 1, "one task failed");
  assertEquals(procs.children.length, 5);
  assertEquals(procs.peak(), 2);
  assertEquals(
    procs.children.map((c) => c.options.cwd),
    ["a", "b", "c", "d", "e"].map((d) => `${CWD}/${d}`),
  );
  for (const [i, d] of ["a", "b", "c", "d", "e"].entries()) {
    const dir = `${CWD}/out/tasks/${i}-${d}`;
    assertEquals(text(system, `${dir}/exit_code`), i === 1 ? "3\n" : "0\n");
    const m = JSON.parse(text(system, `${dir}/manifest.json`));
    assertEquals([m.task.index, m.exit, m.attempt, m.agent], [i, i === 1 ? 3 : 0, 1, "shell"]);
    assertEquals(system.files.get(`${dir}/manifest.json`)?.mode, 0o600);
  }
  const table = system.out.join("");
  assert(/^1 +b +failed +3 /m.test(table), table);
  assert(table.endsWith("5 tasks: 4 done, 1 failed\n"), table);
  assert(system.readText(`${CWD}/out/runner.json`) === null, "the runner record goes at the end");
});

Deno.test("llm batch run defaults to half the CPUs at once, at least one", async () => {
  for (const [cpus, peak] of [[4, 2], [1, 1], [3, 1]]) {
    const system = host();
    const procs = slow(system, { cpus });
    await batch(system, ["run", "tasks.yaml", "--results", "out"], procs);
    assertEquals(procs.peak(), peak, `${cpus} CPUs`);
  }
});

Deno.test("Ctrl-C ends every running task and starts no more", async () => {
  const system = host();
  const procs = fakeProcesses(system); // tasks run until signalled
  const running = batch(
    system,
    ["run", "tasks.yaml", "--results", "out", "--parallel", "2"],
    procs,
  );
  while (procs.children.length < 2) await new Promise((r) => setTimeout(r, 1));
  procs.terminate("SIGINT");
  assertEquals(await running, 130);
  assertEquals(procs.children.length, 2, "no task started after the signal");
  assertEquals(procs.children.map((c) => c.signals), [["SIGTERM"], ["SIGTERM"]]);
  assert(system.readText(`${CWD}/out/cancel.json`) !== null);
  const table = system.out.join("");
  // Tasks never started are cancelled too: \`retry\` (without --failed) runs them.
  assert(table.endsWith("5 tasks: 5 cancelled\n"), table);
});

/** A local plan of one task in CWD, for runTask(). */
function onePlan(extra: Partial<BatchPlan> = {}, task: Partial<PlannedTask> = {}): BatchPlan {
  return oneTaskPlan(CWD, extra, task);
}

Deno.test("a task that ignores SIGTERM gets SIGKILL after the grace period", async () => {
  const { runTask } = await import("../../../lib/batch/task_run.ts");
  const system = host();
  const procs = fakeProcesses(system, { endOnTerm: false });
  const plan = onePlan();
  const abort = new AbortController();
  const done = runTask(system, procs, plan, plan.tasks[0], { abort: abort.signal, graceMs: 5 });
  while (procs.children.length < 1) await new Promise((r) => setTimeout(r, 1));
  abort.abort();
  const m = await done;
  assertEquals(procs.children[0].signals, ["SIGTERM", "SIGKILL"]);
  assertEquals([m.exit, m.cancelled, m.signal], [137, true, "SIGKILL"]);
});

Deno.test("a task past the batch's time limit is ended and marked timed out", async () => {
  const { runTask } = await import("../../../lib/batch/task_run.ts");
  const system = host();
  const procs = fakeProcesses(system);
  const plan = onePlan({ time: "0:01", timeSeconds: 0.01 });
  const m = await runTask(system, procs, plan, plan.tasks[0]);
  assertEquals([m.exit, m.timedOut, m.cancelled], [143, true, undefined]);
});

async function submitted(system: FakeSystem): Promise<string> {
  assertEquals(await batch(system, ["run", "tasks.yaml", "--slurm", "--results", "out"]), 0);
  return JSON.parse(text(system, `${CWD}/out/batch.json`)).id;
}

function finishTask(
  system: FakeSystem,
  dir: string,
  exit: number,
  extra: Record<string, unknown> = {},
) {
  setContent(
    system,
    `${CWD}/out/tasks/${dir}/manifest.json`,
    JSON.stringify({
      start: "2026-12-06T00:00:00Z",
      end: "2026-12-06T00:00:05Z",
      durationSeconds: 5,
      exit,
      ...extra,
    }),
  );
  setContent(system, `${CWD}/out/tasks/${dir}/stdout.log`, "x\n");
}

Deno.test("llm batch status reads squeue and sacct for a Slurm batch", async () => {
  const system = host({
    executables: ["sbatch", "squeue", "sacct"],
    outputs: {
      sbatch: { stdout: "4242\n" },
      squeue: { stdout: "4242|3|RUNNING\n4242|4|PENDING\n" },
      sacct: {
        stdout:
          "4242_0|COMPLETED\n4242_1|FAILED\n4242_2|CANCELLED by 1000\n4242_3|RUNNING\n4242_[4]|PENDING\n",
      },
    },
  });
  await submitted(system);
  finishTask(system, "0-a", 0);
  finishTask(system, "1-b", 3);
  setContent(
    system,
    `${CWD}/out/tasks/3-d/manifest.json`,
    JSON.stringify({ start: new Date().toISOString() }),
  );
  system.out.length = 0;
  assertEquals(await batch(system, ["status", "out", "--json"]), 0);
  const status = JSON.parse(system.out.join(""));
  assertEquals(
    status.tasks.map((t: { state: string; exit?: number }) => [t.state, t.exit]),
    [["done", 0], ["failed", 3], ["cancelled", undefined], ["running", undefined], [
      "pending",
      undefined,
    ]],
  );
  assertEquals(status.jobs.map((j: { id: string }) => j.id), ["4242"]);
  const squeue = system.ran.find((a) => a[0] === "squeue");
  assertEquals(squeue, ["squeue", "-h", "-r", "--jobs=4242", "--format=%F|%K|%T"]);
  assertEquals(system.ran.find((a) => a[0] === "sacct"), [
    "sacct",
    "-n",
    "-P",
    "-X",
    "--jobs=4242",
    "--format=JobID,State",
  ]);
  system.out.length = 0;
  await batch(system, ["status", "out"]);
  const table = system.out.join("");
  assert(
    table.startsWith(
      `batch ${status.batch}, slurm (Slurm job 4242): ${CWD}/out\nTASK  NAME  STATE`,
    ),
    table,
  );
  assert(table.endsWith("5 tasks: 1 done, 1 failed, 1 cancelled, 1 running, 1 pending\n"), table);
});

Deno.test("llm batch retry --failed resubmits only the failed tasks and keeps their first attempt", async () => {
  const system = host({
    executables: ["sbatch", "squeue"],
    outputs: { "sbatch --parsable": { stdout: "4242\n" } },
  });
  await submitted(system);
  for (const [i, d] of ["a", "b", "c", "d", "e"].entries()) {
    finishTask(system, `${i}-${d}`, i === 1 || i === 3 ? 1 : 0);
  }
  assertEquals(await batch(system, ["retry", "out", "--failed"]), 0);
  const sbatch = system.ran.filter((a) => a[0] === "sbatch");
  assertEquals(sbatch.length, 2);
  assert(sbatch[1].includes("--array=1,3"), sbatch[1].join(" "));
  assertEquals(sbatch[1].at(-1), `${CWD}/out/retry-1.sh`);
  assert(system.readText(`${CWD}/out/tasks/1-b/attempt-1/manifest.json`) !== null);
  assert(system.readText(`${CWD}/out/tasks/1-b/manifest.json`) === null);
  assert(system.readText(`${CWD}/out/tasks/0-a/manifest.json`) !== null, "done tasks stay");
  const plan = JSON.parse(text(system, `${CWD}/out/batch.json`));
  assertEquals(plan.jobs.map((j: { indices: number[] }) => j.indices), [[0, 1, 2, 3, 4], [1, 3]]);
});

Deno.test("llm batch retry has nothing to do when every task is done", async () => {
  const system = host({ executables: ["sbatch"], outputs: { sbatch: { stdout: "9\n" } } });
  await submitted(system);
  for (const [i, d] of ["a", "b", "c", "d", "e"].entries()) finishTask(system, `${i}-${d}`, 0);
  assertEquals(await batch(system, ["retry", "out"]), 0);
  assertEquals(system.ran.filter((a) => a[0] === "sbatch").length, 1);
});

Deno.test("llm batch cancel scancels the batch's Slurm jobs", async () => {
  const system = host({
    executables: ["sbatch", "scancel"],
    outputs: { sbatch: { stdout: "4242\n" } },
  });
  await submitted(system);
  assertEquals(await batch(system, ["cancel", "out"]), 0);
  assertEquals(system.ran.at(-1), ["scancel", "4242"]);
  assert(system.readText(`${CWD}/out/cancel.json`) !== null);
});

Deno.test("llm batch cancel signals a local batch's runner", async () => {
  const system = host();
  const procs = slow(system);
  await batch(system, ["run", "tasks.yaml", "--results", "out"], procs);
  setContent(
    system,
    `${CWD}/out/runner.json`,
    JSON.stringify({ pid: 5151, host: "node1", started: "" }),
  );
  let alive = true;
  const cancelProcs = {
    ...fakeProcesses(system),
    alive: () => alive,
    signal(pid: number, signal: string) {
      sent.push([pid, signal]);
      alive = false;
      return true;
    },
  };
  const sent: [number, string][] = [];
  assertEquals(await batch(system, ["cancel", "out"], cancelProcs), 0);
  assertEquals(sent, [[5151, "SIGTERM"]]);
});

Deno.test("llm batch task runs the array task's own task and records the Slurm ids", async () => {
  const system = host({ executables: ["sbatch"], outputs: { sbatch: { stdout: "4242\n" } } });
  await submitted(system);
  Object.assign(system.env, {
    SLURM_JOB_ID: "4245",
    SLURM_ARRAY_JOB_ID: "4242",
    SLURM_ARRAY_TASK_ID: "3",
  });
  const procs = slow(system);
  assertEquals(await batch(system, ["task", `${CWD}/out`], procs), 0);
  assertEquals(procs.children.map((c) => c.argv.at(-1)), ["echo d"]);
  const m = JSON.parse(text(system, `${CWD}/out/tasks/3-d/manifest.json`));
  assertEquals(m.slurm, { jobId: "4245", arrayJobId: "4242", arrayTaskId: "3" });
});

Deno.test("llm batch run --slurm --dry-run prints the sbatch command and script, away from a cluster", async () => {
  const system = host();
  assertEquals(
    await batch(system, [
      "run",
      "tasks.yaml",
      "--slurm",
      "--dry-run",
      "--results",
      "out",
      "--parallel",
      "3",
    ]),
    0,
  );
  const out = system.out.join("");
  const id = /--job-name=llm-batch-(\w+)/.exec(out)?.[1];
  assertEquals(
    out,
    `sbatch --parsable --job-name=llm-batch-${id} --array=0-4%3 --chdir=${CWD}/out --output=${CWD}/out/slurm/%A_%a.out ${CWD}/out/sbatch.sh\n` +
      `# ${CWD}/out/sbatch.sh:\n` +
      `#!/bin/bash\n# llm batch ${id}: 5 tasks from ${CWD}/tasks.yaml\n` +
      "# Submitted by 'llm batch run --slurm'; each array task runs the task of its index,\n" +
      "# with its logs, exit code and manifest under tasks/ of the results directory.\n" +
      `exec /shared/bin/llm batch task ${CWD}/out "$SLURM_ARRAY_TASK_ID"\n`,
  );
  assertEquals(system.changes, []);
});

Deno.test("llm batch run draws a progress line with an ETA on a terminal, and none elsewhere", async () => {
  const system = host({ terminalStreams: ["stderr"] });
  await batch(system, ["run", "tasks.yaml", "--results", "out", "--parallel", "2"], slow(system));
  const progress = system.err.filter((l) => l.startsWith("\r\x1b[2K"));
  assertEquals(progress[0], "\r\x1b[2Kbatch: 0/5 done, 1 running, 0 failed");
  assert(progress.some((l) => /, ETA \d+s$/.test(l)), progress.join("\n"));
  assertEquals(progress.at(-1), "\r\x1b[2Kbatch: 4/5 done, 0 running, 1 failed");
  assertEquals(system.err.at(-1), "\n");
  const plain = host();
  await batch(plain, ["run", "tasks.yaml", "--results", "out"], slow(plain));
  assertEquals(plain.err.filter((l) => l.includes("\r")), []);
});

Deno.test("llm batch run clones each repo task into the results before any task starts", async () => {
  const system = host(
    { executables: ["podman", "git"] },
    "agent: shell\ntasks:\n  - { repo: ../tool, prompt: x }\n",
  );
  const procs = slow(system);
  await batch(system, ["run", "tasks.yaml", "--results", "out"], procs);
  assertEquals(system.ran.find((a) => a[1] === "clone"), [
    "git",
    "clone",
    "--quiet",
    "--",
    "/home/user/tool",
    `${CWD}/out/workspaces/0-tool`,
  ]);
  assertEquals(procs.children[0].options.cwd, `${CWD}/out/workspaces/0-tool`);
});

Deno.test("llm batch run stops before any task when a clone fails", async () => {
  const system = host(
    { outputs: { "git clone": { code: 128, stderr: "fatal: repository '/x' does not exist\n" } } },
    "agent: shell\ntasks:\n  - { workspace: a, prompt: x }\n  - { repo: /x, prompt: x }\n",
  );
  const procs = slow(system);
  const e = await assertRejects(
    () => batch(system, ["run", "tasks.yaml", "--results", "out"], procs),
    LlmError,
  );
  assertEquals(
    e.message,
    "tasks.yaml:4: git clone /x failed: fatal: repository '/x' does not exist; nothing was started",
  );
  assertEquals(procs.children, []);
  assertEquals(system.stat(`${CWD}/out`), null, "no half-made results directory");
});

Deno.test("llm batch retry --failed of a local batch runs only the failed task again, here", async () => {
  const system = host();
  assertEquals(await batch(system, ["run", "tasks.yaml", "--results", "out"], slow(system)), 1);
  const again = fakeProcesses(system, { exitOf: () => 0 });
  system.out.length = 0;
  assertEquals(await batch(system, ["retry", "out", "--failed"], again), 0);
  assertEquals(again.children.map((c) => c.argv.at(-1)), ["exit 3"]);
  assertEquals(text(system, `${CWD}/out/tasks/1-b/attempt-1/exit_code`), "3\n");
  assertEquals(JSON.parse(text(system, `${CWD}/out/tasks/1-b/manifest.json`)).attempt, 2);
  assert(system.out.join("").endsWith("1 task: 1 done\n"), system.out.join(""));
});

Deno.test("llm batch retry refuses a local batch whose runner is still running", async () => {
  const system = host();
  await batch(system, ["run", "tasks.yaml", "--results", "out"], slow(system));
  setContent(
    system,
    `${CWD}/out/runner.json`,
    JSON.stringify({ pid: 5151, host: "node1", started: "" }),
  );
  const e = await assertRejects(
    () => batch(system, ["retry", "out"], fakeProcesses(system, { alive: [5151] })),
    LlmError,
  );
  const id = JSON.parse(text(system, `${CWD}/out/batch.json`)).id;
  assertEquals(
    e.message,
    `batch ${id} is still running (pid 5151): wait for it, or 'llm batch cancel out'`,
  );
});

Deno.test("a task ended at its limit or by a cancel never records exit 0", async () => {
  const { runTask } = await import("../../../lib/batch/task_run.ts");
  const system = host();
  const plan = onePlan({ time: "0:01", timeSeconds: 0.01 });
  // The launch answers SIGTERM with exit 0, as a signalled rootless podman client can.
  const procs = fakeProcesses(system, { endOnTerm: false });
  const running = runTask(system, procs, plan, plan.tasks[0], { graceMs: 60_000 });
  while (procs.children.length < 1 || procs.children[0].signals.length < 1) {
    await new Promise((r) => setTimeout(r, 1));
  }
  procs.children[0].finish({ code: 0, signal: null });
  const m = await running;
  assertEquals([m.exit, m.timedOut], [124, true]);
  assertEquals(text(system, "/out/tasks/0-a/exit_code"), "124\n");
});

Deno.test("llm batch run refuses the default results directory when the task runs in the current one", async () => {
  const system = host({}, "agent: shell\ntasks:\n  - { workspace: ., prompt: x }\n");
  const e = await assertRejects(() => batch(system, ["run", "tasks.yaml"]), LlmError);
  assert(e.message.includes(`is inside the workspace of tasks.yaml:3 (${CWD})`), e.message);
  assertEquals(system.changes, []);
});

Deno.test("a task's variable values reach its launch in the environment, never on its argv", async () => {
  const { runTask } = await import("../../../lib/batch/task_run.ts");
  const system = host();
  const procs = fakeProcesses(system);
  const plan = onePlan({}, {
    argv: ["llm", "--env=TOKEN", "shell", "--", "true"],
    env: { TOKEN: "s3cret" },
  });
  const done = runTask(system, procs, plan, plan.tasks[0]);
  while (procs.children.length < 1) await new Promise((r) => setTimeout(r, 1));
  procs.children[0].finish({ code: 0, signal: null });
  await done;
  assertEquals(procs.children[0].argv, ["llm", "--env=TOKEN", "shell", "--", "true"]);
  const { LLM_SESSION_ID: _id, ...env } = procs.children[0].options.env ?? {};
  assertEquals(env, { TOKEN: "s3cret" });
  assert(!JSON.stringify(procs.children[0].argv).includes("s3cret"));
});

Deno.test("a task's launch gets a session id of its own, and its session manifest is kept as session.json", async () => {
  const { runTask } = await import("../../../lib/batch/task_run.ts");
  const system = host({ env: { XDG_STATE_HOME: "/state" } });
  const procs = fakeProcesses(system);
  const plan = onePlan();
  const done = runTask(system, procs, plan, plan.tasks[0]);
  while (procs.children.length < 1) await new Promise((r) => setTimeout(r, 1));
  const id = procs.children[0].options.env?.LLM_SESSION_ID ?? "";
  assert(/^[0-9a-f]{12}$/.test(id), id);
  // What the launch leaves (lib/session/record.ts), under the runner's XDG_STATE_HOME.
  system.mkdir("/state/llm/sessions", 0o700);
  const session = JSON.stringify({ schema: 1, id, image: { id: "sha256:ab" } });
  system.writeFileAtomic(`/state/llm/sessions/${id}.json`, session, 0o600);
  procs.children[0].finish({ code: 0, signal: null });
  const m = await done;
  assertEquals(m.session, { id, manifest: "session.json" });
  assertEquals(text(system, "/out/tasks/0-a/session.json"), session);
  assertEquals(system.files.get("/out/tasks/0-a/session.json")?.mode, 0o600);
  // Each attempt its own id.
  const again = runTask(system, procs, plan, plan.tasks[0]);
  while (procs.children.length < 2) await new Promise((r) => setTimeout(r, 1));
  procs.children[1].finish({ code: 1, signal: null });
  const second = await again;
  assert(second.session?.id !== id);
  assertEquals(second.session?.manifest, undefined, "a launch that left no session");
});

Deno.test("after a cancel the task's container is removed by the id its session recorded; a task that ends by itself is left alone", async () => {
  const { runTask } = await import("../../../lib/batch/task_run.ts");
  for (const cancel of [true, false]) {
    const system = host();
    const procs = fakeProcesses(system);
    const plan = onePlan();
    const abort = new AbortController();
    const done = runTask(system, procs, plan, plan.tasks[0], { abort: abort.signal });
    while (procs.children.length < 1) await new Promise((r) => setTimeout(r, 1));
    const id = procs.children[0].options.env?.LLM_SESSION_ID ?? "";
    stored(system, {
      id,
      name: "shell-project",
      containerId: "c0ffee01",
      runtime: { name: "podman", executable: "/usr/bin/podman", version: "4.3.1" },
    });
    if (cancel) abort.abort();
    else procs.children[0].finish({ code: 0, signal: null });
    const m = await done;
    assertEquals(m.cancelled, cancel ? true : undefined);
    const removed = system.ran.filter((a) => a[1] === "rm");
    assertEquals(removed, cancel ? [["/usr/bin/podman", "rm", "--force", "c0ffee01"]] : []);
  }
});
