/**
 * `llm batch` for real: a job array on the single-node Slurm the set-up
 * starts (munge, slurmctld, slurmd, slurmdbd + MariaDB for sacct), each
 * array task a real rootless podman launch as the unprivileged test user;
 * status, retry --failed and cancel of a running array; and the same tasks
 * run locally with --parallel 2, and Ctrl-C of a local batch.
 *
 * Array tasks run on "another node" in principle, so everything they use
 * lives under the test user's home (a shared path on clusters; llm refuses
 * /tmp for --slurm): the results, the workspaces, and a wrapper script that
 * runs the bundled llm (LLM_BATCH_SELF).
 *
 * The cluster is found in the e2e state (`deno task test`), or, for running
 * this file alone, in the state file that `deno run -A tasks/e2e_slurm.ts
 * DIR` wrote, named by LLM_E2E_SLURM_STATE.
 */
import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import { join } from "../../lib/std/path.ts";
import type { E2EState } from "../../tasks/e2e_setup.ts";
import type { SlurmState } from "../../tasks/e2e_slurm.ts";
import {
  e2eState,
  finish,
  type Ran,
  runAs,
  runtimeEnv,
  type Sandbox,
  skipReason,
  spawnLlm,
} from "./_harness.ts";
import { agentSkipReason, imageName as agentImageName, toolCommand } from "./agents/_agents.ts";
import { startMessagesMock } from "./agents/_mock_models.ts";
import { FAKE_SINGULARITY } from "./_fake_backend.ts";

const IMAGE = "localhost/llm-test:latest";
/** The tiny test image, run by rootless podman on the node. */
const ON_TEST_IMAGE = ["--image-name", IMAGE, "--backend", "podman"];

function theState(): E2EState {
  const state = e2eState();
  if (!state) throw new Error("no e2e state");
  return state;
}

function slurmState(): SlurmState | null {
  const file = Deno.env.get("LLM_E2E_SLURM_STATE");
  if (file) return JSON.parse(Deno.readTextFileSync(file)) as SlurmState;
  const state = e2eState();
  return state && "slurmSkip" in state ? state : null;
}

function slurmSkip(): string | null {
  const podman = skipReason("rootless", "podman");
  if (podman) return podman;
  const slurm = slurmState();
  if (!slurm) return "no Slurm in the e2e state: run the tests with 'deno task test'";
  return slurm.slurmSkip;
}

const podmanSkip = skipReason("rootless", "podman");
const noSlurm = slurmSkip();
if (podmanSkip) console.log(`skipping llm batch tests: ${podmanSkip}`);
else if (noSlurm) console.log(`skipping llm batch Slurm tests: ${noSlurm}`);

interface BatchBox extends Sandbox {
  readonly wrapper: string;
  readonly env: Record<string, string>;
}

/** A scratch directory in the test user's home, with the llm wrapper the nodes run. */
async function makeBox(): Promise<BatchBox> {
  const state = theState();
  const uid = Number((await runCapture(["id", "-u", state.rootlessUser])).trim());
  const gid = Number((await runCapture(["id", "-g", state.rootlessUser])).trim());
  const root = await Deno.makeTempDir({ dir: state.rootlessHome, prefix: "llm-batch-e2e-" });
  const workspace = join(root, "work");
  const home = join(root, "home");
  const bin = join(root, "bin");
  for (const d of [workspace, home, bin]) await Deno.mkdir(d);
  const bundle = Deno.env.get("LLM_E2E_BUNDLE") ?? state.bundle;
  const wrapper = join(bin, "llm");
  await Deno.writeTextFile(
    wrapper,
    `#!/bin/sh\nexec ${Deno.execPath()} run --allow-all --quiet ${bundle} "$@"\n`,
  );
  await Deno.chmod(wrapper, 0o755);
  await chownTree(root, uid, gid);
  const slurm = slurmState();
  return {
    mode: "rootless",
    engine: "podman",
    root,
    workspace,
    home,
    wrapper,
    env: {
      LLM_BATCH_SELF: wrapper,
      ...(slurm && !slurm.slurmSkip ? { SLURM_CONF: slurm.slurmConf } : {}),
    },
    async cleanup() {
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
}

async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await Deno.chown(path, uid, gid);
  const info = await Deno.lstat(path);
  if (!info.isDirectory) return;
  for await (const e of Deno.readDir(path)) await chownTree(join(path, e.name), uid, gid);
}

async function runCapture(argv: string[]): Promise<string> {
  const o = await new Deno.Command(argv[0], { args: argv.slice(1), stdout: "piped" }).output();
  return new TextDecoder().decode(o.stdout);
}

/** Workspaces w0..w5 (w2 a git repository) and a task file using them. */
async function fixture(box: BatchBox, name = "tasks.yaml"): Promise<string> {
  const tasks = [
    "echo hello from 0 > out.txt; echo zero",
    "test -f ok || exit 3; echo one",
    "echo changed >> README; echo new > added.txt",
    "echo three",
    "echo four; echo to-stderr >&2",
    "echo five",
  ];
  for (let i = 0; i < tasks.length; i++) {
    await Deno.mkdir(join(box.workspace, `w${i}`), { recursive: true });
  }
  await Deno.writeTextFile(join(box.workspace, "w2/README"), "readme\n");
  const text = [
    "agent: shell",
    `image: ${IMAGE}`,
    "backend: podman",
    "tasks:",
    ...tasks.map((t, i) =>
      `  - workspace: w${i}\n    prompt: ${JSON.stringify(t)}${
        i === 0 ? "\n    tags: [first]" : ""
      }`
    ),
    "",
  ].join("\n");
  await Deno.writeTextFile(join(box.workspace, name), text);
  await chownTree(box.root, ...(await owner(box)));
  await commitReadme(box, join(box.workspace, "w2"));
  return join(box.workspace, name);
}

/** Make `dir` a git repository whose first commit holds its README, as the box's user. */
async function commitReadme(box: BatchBox, dir: string): Promise<void> {
  const git = (args: string[]) => runAs(box, ["git", "-C", dir, ...args]);
  await git(["init", "-q"]);
  await git(["add", "README"]);
  await git(["-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qm", "start"]);
}

async function owner(box: BatchBox): Promise<[number, number]> {
  const info = await Deno.stat(box.home);
  return [info.uid ?? 0, info.gid ?? 0];
}

async function llm(box: BatchBox, args: string[]): Promise<Ran> {
  return await finish(spawnLlm(box, args, { env: box.env }));
}

interface StatusJson {
  batch: string;
  jobs: { id: string; indices: number[] }[];
  tasks: {
    index: number;
    name: string;
    state: string;
    exit?: number;
    queued: boolean;
    dir: string;
  }[];
}

async function status(box: BatchBox, dir: string): Promise<StatusJson> {
  const r = await llm(box, ["batch", "status", dir, "--json"]);
  assertEquals(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** Poll `llm batch status` until `done` holds (at most `seconds`). */
async function waitFor(
  box: BatchBox,
  dir: string,
  done: (s: StatusJson) => boolean,
  seconds = 180,
): Promise<StatusJson> {
  const until = Date.now() + seconds * 1000;
  let last: StatusJson | undefined;
  let held = 0;
  while (Date.now() < until) {
    last = await status(box, dir);
    // Twice in a row: Slurm's view of a job that just ended can lag behind by a moment.
    held = done(last) ? held + 1 : 0;
    if (held === 2) return last;
    await new Promise((r) => setTimeout(r, held ? 300 : 1000));
  }
  throw new Error(`batch did not get there in ${seconds}s: ${JSON.stringify(last?.tasks)}`);
}

const settled = (s: StatusJson) => s.tasks.every((t) => !t.queued);

/** `llm args...` as the test user, leading a process group of its own (pid = pgid). */
function spawnInGroup(box: BatchBox, args: string[]): Deno.ChildProcess {
  const state = theState();
  const env = {
    HOME: box.home,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    DENO_DIR: `${state.rootlessHome}/.cache/deno`,
    ...runtimeEnv(state, "rootless", "podman"),
    ...box.env,
  };
  const argv = [
    "setsid",
    "runuser",
    "-u",
    state.rootlessUser,
    "--",
    "env",
    "-i",
    ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    box.wrapper,
    ...args,
  ];
  return new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd: box.workspace,
    clearEnv: true,
    env: { PATH: env.PATH },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

function read(path: string): string {
  return Deno.readTextFileSync(path);
}

/** Running containers of this test's tasks (other tests share the user's podman). */
async function containersOf(box: BatchBox): Promise<string> {
  const r = await runAs(box, ["podman", "ps", "--format", "{{.ID}} {{.Mounts}}"], box.home);
  assertEquals(r.code, 0, r.stderr);
  return r.stdout.split("\n").filter((l) => l.includes(box.root)).join("\n");
}

function batchTest(name: string, needsSlurm: boolean, fn: (box: BatchBox) => Promise<void>) {
  Deno.test({
    name,
    ignore: podmanSkip !== null || (needsSlurm && noSlurm !== null),
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const box = await makeBox();
      try {
        await fn(box);
      } finally {
        await box.cleanup();
      }
    },
  });
}

function checkResults(results: string, s: StatusJson) {
  assertEquals(
    s.tasks.map((t) => [t.index, t.state, t.exit]),
    [[0, "done", 0], [1, "failed", 3], [2, "done", 0], [3, "done", 0], [4, "done", 0], [
      5,
      "done",
      0,
    ]],
  );
  const dir = (i: number) => join(results, s.tasks[i].dir);
  assertEquals(read(join(dir(0), "stdout.log")), "zero\n");
  assertEquals(read(join(dir(1), "exit_code")), "3\n");
  assertEquals(read(join(dir(4), "stdout.log")), "four\n");
  assertStringIncludes(read(join(dir(4), "stderr.log")), "to-stderr");
  assertStringIncludes(read(join(dir(2), "diff.patch")), "+changed");
  assertEquals(read(join(dir(2), "untracked.txt")), "added.txt\n");
  const m = JSON.parse(read(join(dir(0), "manifest.json")));
  assertEquals([m.exit, m.agent, m.attempt, m.task.tags], [0, "shell", 1, ["first"]]);
  assert(typeof m.durationSeconds === "number" && m.durationSeconds > 0);
  // The launch's session manifest, kept with the task: the same session, its image id.
  assertEquals(m.session.manifest, "session.json");
  const session = JSON.parse(read(join(dir(0), "session.json")));
  assertEquals([session.id, session.agent, session.exitCode], [m.session.id, "shell", 0]);
  assert(/^sha256:[0-9a-f]{64}$/.test(session.image.id), session.image.id);
  assertEquals((Deno.statSync(join(dir(0), "session.json")).mode ?? 0) & 0o777, 0o600);
}

batchTest(
  "llm batch run --slurm runs a job array of real podman launches; status, retry --failed",
  true,
  async (box) => {
    const tasks = await fixture(box);
    const results = join(box.root, "results");
    const r = await llm(box, [
      "batch",
      "run",
      tasks,
      "--slurm",
      "--results",
      results,
      "--parallel",
      "3",
    ]);
    assertEquals(r.code, 0, r.stderr);
    const jobId = r.stdout.trim();
    assert(/^\d+$/.test(jobId), r.stdout);
    assertStringIncludes(read(join(results, "sbatch.sh")), `--array=0-5%3`);
    const s = await waitFor(box, results, settled);
    assertEquals(s.jobs.map((j) => j.id), [jobId]);
    checkResults(results, s);
    // The workspace itself got the agent's file, owned by the test user.
    assertEquals(read(join(box.workspace, "w0/out.txt")), "hello from 0\n");
    const m = JSON.parse(read(join(results, s.tasks[3].dir, "manifest.json")));
    assertEquals([m.slurm.arrayJobId, m.slurm.arrayTaskId], [jobId, "3"]);
    // Slurm's own view agrees: one array task failed (accounting arrives a little later).
    if (slurmState()?.slurmAccounting) {
      const want = `${jobId}_1|FAILED|3:0`;
      let sacctOut = "";
      for (let i = 0; i < 60 && !sacctOut.includes(want); i++) {
        if (i > 0) await new Promise((res) => setTimeout(res, 500));
        const sacct = await new Deno.Command("sacct", {
          args: ["-n", "-P", "-X", `--jobs=${jobId}`, "--format=JobID,State,ExitCode"],
          env: { SLURM_CONF: box.env.SLURM_CONF },
          stdout: "piped",
        }).output();
        sacctOut = new TextDecoder().decode(sacct.stdout);
      }
      assertStringIncludes(sacctOut, want);
    }
    const table = await llm(box, ["batch", "status", results]);
    assertStringIncludes(table.stdout, "6 tasks: 5 done, 1 failed");

    // Fix what made task 1 fail, then retry only it.
    await runAs(box, ["touch", join(box.workspace, "w1/ok")]);
    const retry = await llm(box, ["batch", "retry", results, "--failed"]);
    assertEquals(retry.code, 0, retry.stderr);
    const retryJob = retry.stdout.trim();
    assert(retryJob !== jobId && /^\d+$/.test(retryJob), retry.stdout);
    const after = await waitFor(box, results, settled);
    assertEquals(after.tasks.map((t) => t.state), ["done", "done", "done", "done", "done", "done"]);
    assertEquals(after.jobs.map((j) => [j.id, j.indices]), [[jobId, [0, 1, 2, 3, 4, 5]], [
      retryJob,
      [1],
    ]]);
    const task1 = join(results, after.tasks[1].dir);
    assertEquals(read(join(task1, "exit_code")), "0\n");
    assertEquals(read(join(task1, "attempt-1/exit_code")), "3\n");
    assertEquals(JSON.parse(read(join(task1, "manifest.json"))).attempt, 2);
    // Done tasks were not run again.
    assertEquals(
      JSON.parse(read(join(results, after.tasks[0].dir, "manifest.json"))).slurm.arrayJobId,
      jobId,
    );
  },
);

batchTest("llm batch cancel ends a running Slurm array, containers included", true, async (box) => {
  for (const w of ["s0", "s1", "s2"]) await Deno.mkdir(join(box.workspace, w));
  await Deno.writeTextFile(
    join(box.workspace, "sleep.jsonl"),
    ["s0", "s1", "s2"].map((w) =>
      JSON.stringify({ workspace: w, agent: "shell", prompt: "echo started; sleep 300" })
    ).join("\n") + "\n",
  );
  await chownTree(box.root, ...(await owner(box)));
  const results = join(box.root, "results");
  const r = await llm(box, [
    "batch",
    "run",
    join(box.workspace, "sleep.jsonl"),
    "--slurm",
    "--results",
    results,
    ...ON_TEST_IMAGE,
  ]);
  assertEquals(r.code, 0, r.stderr);
  // Running: the container has started and printed its line.
  const stdout = (i: number, s: StatusJson) => join(results, s.tasks[i].dir, "stdout.log");
  await waitFor(box, results, (s) =>
    s.tasks.filter((t) => t.state === "running").length === 2 &&
    [0, 1].every((i) => {
      try {
        return read(stdout(i, s)) === "started\n";
      } catch {
        return false;
      }
    }), 120);
  assert((await containersOf(box)) !== "", "containers run");
  const c = await llm(box, ["batch", "cancel", results]);
  assertEquals(c.code, 0, c.stderr);
  assertStringIncludes(c.stderr, `cancelled Slurm job ${r.stdout.trim()}`);
  const s = await waitFor(box, results, settled, 60);
  assertEquals(s.tasks.map((t) => t.state), ["cancelled", "cancelled", "cancelled"]);
  // No container outlives the cancel.
  const deadline = Date.now() + 30_000;
  while ((await containersOf(box)) !== "" && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 500));
  }
  assertEquals(await containersOf(box), "");
});

batchTest(
  "llm batch run locally with --parallel 2 records every task's result",
  false,
  async (box) => {
    const tasks = await fixture(box);
    const results = join(box.root, "local");
    const r = await llm(box, ["batch", "run", tasks, "--parallel", "2", "--results", results]);
    assertEquals(r.code, 1, `one task fails: ${r.stderr}`);
    assertStringIncludes(r.stderr, "running 6 tasks, 2 at a time");
    assertStringIncludes(r.stdout, "6 tasks: 5 done, 1 failed");
    const s = await status(box, results);
    checkResults(results, s);
    // Never more than two at once: the task runs overlap at most pairwise.
    const spans = s.tasks.map((t) => {
      const m = JSON.parse(read(join(results, t.dir, "manifest.json")));
      return [Date.parse(m.start), Date.parse(m.end)] as const;
    });
    for (const [start] of spans) {
      assert(spans.filter(([a, b]) => a <= start && start < b).length <= 2, JSON.stringify(spans));
    }
  },
);

batchTest("Ctrl-C of a local batch leaves no task running", false, async (box) => {
  // Names of their own (so the sessions' and containers' names too): a
  // container another test left must not stand in this one's way.
  for (const w of ["i0", "i1", "i2"]) await Deno.mkdir(join(box.workspace, w));
  await Deno.writeTextFile(
    join(box.workspace, "sleep.jsonl"),
    ["i0", "i1", "i2"].map((w) =>
      JSON.stringify({ workspace: w, agent: "shell", prompt: "echo started; sleep 300" })
    ).join("\n") + "\n",
  );
  await chownTree(box.root, ...(await owner(box)));
  const results = join(box.root, "results");
  const args = [
    "batch",
    "run",
    join(box.workspace, "sleep.jsonl"),
    "--parallel",
    "2",
    "--results",
    results,
    ...ON_TEST_IMAGE,
  ];
  // A process group of its own, as a shell gives a foreground job: Ctrl-C
  // sends SIGINT to the whole group (llm, its launches, their podman runs).
  const child = spawnInGroup(box, args);
  const pgid = child.pid;
  const out = finish(child);
  const started = (i: number) => {
    try {
      return read(join(results, `tasks/${i}-i${i}/stdout.log`)) === "started\n";
    } catch {
      return false;
    }
  };
  const deadline = Date.now() + 120_000;
  while (!(started(0) && started(1)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 300));
  }
  if (!(started(0) && started(1))) {
    await new Deno.Command("kill", { args: ["-KILL", "--", `-${pgid}`] }).output();
    const r = await out;
    throw new Error(`two tasks did not start: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  }
  // While it runs, status reads the local runner's state.
  const during = await status(box, results);
  assertEquals(during.tasks.map((t) => t.state), ["running", "running", "pending"]);
  await new Deno.Command("kill", { args: ["-INT", "--", `-${pgid}`] }).output();
  const r = await out;
  assert(r.code !== 0, `interrupted: ${r.code}`);
  const s = await status(box, results);
  assertEquals(s.tasks.map((t) => t.state), ["cancelled", "cancelled", "cancelled"]);
  assert(!started(2), "no task starts after Ctrl-C");
  assertEquals(await containersOf(box), "");
  for (const i of [0, 1]) {
    const m = JSON.parse(read(join(results, `tasks/${i}-i${i}/manifest.json`)));
    assertEquals(m.cancelled, true);
    const alive = await new Deno.Command("kill", { args: ["-0", String(m.pid)], stderr: "null" })
      .output();
    assert(!alive.success, `task ${i}'s llm (pid ${m.pid}) is gone`);
  }
});

const claudeSkip = noSlurm ?? agentSkipReason("rootless", "podman");
if (!noSlurm && claudeSkip) console.log(`skipping the llm batch Claude Code task: ${claudeSkip}`);

Deno.test({
  name: "llm batch run --slurm runs a real Claude Code task against the mock model",
  ignore: podmanSkip !== null || claudeSkip !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const box = await makeBox();
    const mock = startMessagesMock({
      command: toolCommand("claude.txt", "written by claude"),
      finalText: "claude mock: done",
    });
    try {
      const ws = join(box.workspace, "c0");
      await Deno.mkdir(ws);
      await Deno.writeTextFile(
        join(box.home, ".claude.json"),
        JSON.stringify({ numStartups: 1, hasCompletedOnboarding: true }) + "\n",
        { mode: 0o600 },
      );
      const tasks = join(box.workspace, "claude.yaml");
      await Deno.writeTextFile(
        tasks,
        [
          "agent: claude",
          `image: ${agentImageName()}`,
          "backend: podman",
          "tasks:",
          "  - workspace: c0",
          '    args: [-p, "Create claude.txt here.", --allowedTools, Bash]',
          "",
        ].join("\n"),
      );
      await chownTree(box.root, ...(await owner(box)));
      const results = join(box.root, "results");
      const env = {
        ANTHROPIC_BASE_URL: mock.origin,
        ANTHROPIC_API_KEY: "sk-ant-mock-key",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      };
      // The job inherits the submitting environment, as sbatch's default --export=ALL does.
      const r = await finish(
        spawnLlm(box, ["batch", "run", tasks, "--slurm", "--results", results], {
          env: { ...box.env, ...env },
        }),
      );
      assertEquals(r.code, 0, r.stderr);
      const s = await waitFor(box, results, settled, 240);
      const dir = join(results, s.tasks[0].dir);
      assertEquals(s.tasks[0].state, "done", read(join(dir, "stderr.log")));
      assertStringIncludes(read(join(dir, "stdout.log")), "claude mock: done");
      assertEquals(read(join(ws, "claude.txt")), "written by claude\n");
      // The session manifest names the agent's version, from the image's label.
      const session = JSON.parse(read(join(dir, "session.json")));
      assertEquals([session.agent, session.agentVersionSource], ["claude", "label"]);
      assert(mock.requests.length >= 2, "the agent talked to the mock model");
    } finally {
      await mock.close();
      await box.cleanup();
    }
  },
});

// Singularity/Apptainer cannot run here: a recorded fake `apptainer` (tests/e2e/_fake_backend.ts)
// stands in for it on PATH, on the submit host and in the array tasks alike; Slurm is real.
batchTest(
  "llm batch run --slurm with Apptainer nodes pulls the SIF once, then each array task runs it",
  true,
  async (box) => {
    const bin = join(box.root, "fakebin");
    await Deno.mkdir(bin);
    await Deno.writeTextFile(join(bin, "apptainer"), FAKE_SINGULARITY);
    await Deno.chmod(join(bin, "apptainer"), 0o755);
    const log = join(box.root, "fake.log");
    for (const w of ["a0", "a1", "a2"]) await Deno.mkdir(join(box.workspace, w));
    await Deno.writeTextFile(
      join(box.workspace, "sif.jsonl"),
      ["a0", "a1", "a2"].map((w) =>
        JSON.stringify({ workspace: w, agent: "shell", prompt: "true" })
      )
        .join("\n") + "\n",
    );
    await chownTree(box.root, ...(await owner(box)));
    const results = join(box.root, "results");
    const r = await finish(
      spawnLlm(box, [
        "batch",
        "run",
        join(box.workspace, "sif.jsonl"),
        "--slurm",
        "--results",
        results,
      ], {
        env: { ...box.env, PATH: `${bin}:/usr/bin:/bin`, FAKE_LOG: log },
      }),
    );
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(r.stderr, "filling the SIF cache once for the nodes");
    assert(/^\d+\n$/.test(r.stdout), `stdout holds the job id alone: ${r.stdout}`);
    const s = await waitFor(box, results, settled, 120);
    assertEquals(s.tasks.map((t) => t.state), ["done", "done", "done"]);
    const lines = read(log).split("\n");
    assertEquals(lines.filter((l) => l === "argv pull").length, 1, "one pull for the whole batch");
    assertEquals(lines.filter((l) => l === "started").length, 3, "one exec per array task");
    // Each array task ran the SIF that the pull put (by rename) in the shared cache.
    const sifs = lines.filter((l) => l.startsWith(`argv ${box.home}/.cache/llm/`));
    assertEquals(sifs.length, 4, sifs.join("\n"));
    assert(sifs[0].endsWith(".partial.sif"), sifs[0]);
    const sif = sifs[1].slice(5);
    assertEquals(sifs.slice(1), [1, 2, 3].map(() => `argv ${sif}`));
    assertStringIncludes(read(sif), "SIF ");
  },
);

batchTest(
  "llm batch run --time ends a task at its limit and marks it timed out",
  false,
  async (box) => {
    for (const w of ["t0", "t1"]) await Deno.mkdir(join(box.workspace, w));
    await Deno.writeTextFile(
      join(box.workspace, "slow.jsonl"),
      JSON.stringify({ workspace: "t0", agent: "shell", prompt: "echo started; sleep 300" }) +
        "\n" +
        JSON.stringify({ workspace: "t1", agent: "shell", prompt: "echo quick" }) + "\n",
    );
    await chownTree(box.root, ...(await owner(box)));
    const results = join(box.root, "results");
    const r = await llm(box, [
      "batch",
      "run",
      join(box.workspace, "slow.jsonl"),
      "--time",
      "0:05",
      "--results",
      results,
      ...ON_TEST_IMAGE,
    ]);
    assertEquals(r.code, 1, r.stderr);
    const s = await status(box, results);
    assertEquals(s.tasks.map((t) => t.state), ["timed out", "done"]);
    const m = JSON.parse(read(join(results, s.tasks[0].dir, "manifest.json")));
    assertEquals(m.timedOut, true);
    assert(m.durationSeconds >= 5 && m.durationSeconds < 60, String(m.durationSeconds));
    assertEquals(await containersOf(box), "");
  },
);

batchTest(
  "a task that rewrites its repository's git settings runs nothing on the host",
  false,
  async (box) => {
    const ws = join(box.workspace, "g0");
    await Deno.mkdir(ws);
    await Deno.writeTextFile(join(ws, "README"), "readme\n");
    // The agent plants an external diff driver: host-side `git diff` would run it outside the container.
    const plant = [
      `printf '#!/bin/sh\\ntouch "$(dirname "$0")/PWNED"\\n' > pwn.sh`,
      "chmod +x pwn.sh",
      `printf '[diff]\\n\\texternal = %s/pwn.sh\\n' "$PWD" >> .git/config`,
      "echo changed >> README",
    ].join("; ");
    await Deno.writeTextFile(
      join(box.workspace, "git.jsonl"),
      JSON.stringify({ workspace: "g0", agent: "shell", prompt: plant }) + "\n",
    );
    await chownTree(box.root, ...(await owner(box)));
    await commitReadme(box, ws);
    const results = join(box.root, "results");
    const r = await llm(box, [
      "batch",
      "run",
      join(box.workspace, "git.jsonl"),
      "--results",
      results,
      ...ON_TEST_IMAGE,
    ]);
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(read(join(ws, ".git/config")), "pwn.sh", "the plant happened");
    const pwned = await Deno.stat(join(ws, "PWNED")).then(() => true, () => false);
    assertEquals(pwned, false, "the planted driver ran on the host");
    const m = JSON.parse(read(join(results, "tasks/0-g0/manifest.json")));
    assertStringIncludes(m.git.notRecorded, "changed since the batch was planned");
  },
);

batchTest(
  "tasks given as repo: each work in their own clone, with their changes recorded",
  false,
  async (box) => {
    const src = join(box.workspace, "src");
    await Deno.mkdir(src);
    await Deno.writeTextFile(join(src, "README"), "readme\n");
    await Deno.writeTextFile(
      join(box.workspace, "repos.yaml"),
      [
        "agent: shell",
        `image: ${IMAGE}`,
        "backend: podman",
        "tasks:",
        "  - { repo: src, name: one, prompt: 'echo one >> README' }",
        "  - { repo: src, name: two, prompt: 'echo two >> README' }",
        "",
      ].join("\n"),
    );
    await chownTree(box.root, ...(await owner(box)));
    await commitReadme(box, src);
    const results = join(box.root, "results");
    const r = await llm(box, [
      "batch",
      "run",
      join(box.workspace, "repos.yaml"),
      "--results",
      results,
    ]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(read(join(src, "README")), "readme\n", "the source is untouched");
    for (const [i, name] of ["one", "two"].entries()) {
      assertEquals(read(join(results, `workspaces/${i}-src/README`)), `readme\n${name}\n`);
      assertStringIncludes(read(join(results, `tasks/${i}-${name}/diff.patch`)), `+${name}`);
    }
  },
);
