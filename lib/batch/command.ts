/**
 * `llm batch run|status|retry|cancel` (and `task`, what each Slurm array
 * task runs): reads the command line, gathers the host facts, and hands
 * off to the planner, the local runner or Slurm.
 */
import type { CommandContext } from "../cli/command.ts";
import { NETWORK_CHOICES } from "../cli/options.ts";
import { type ParsedOptions, sourceOf } from "../cli/parse.ts";
import { LlmError, UsageError } from "../errors.ts";
import { BUILTIN_AGENTS } from "../launch/agents.ts";
import { basename, dirname, join, resolve } from "../std/path.ts";
import type { System } from "../system/system.ts";
import { quoteArgv } from "../text/shell_words.ts";
import { type Processes, realProcesses } from "./_process.ts";
import { defaultParallel, runLocal } from "./local.ts";
import { type BatchPlan, type CommandLineSettings, planBatch } from "./plan.ts";
import {
  CANCEL_FILE,
  checkFreshResults,
  PLAN_FILE,
  readCancel,
  readManifests,
  readPlan,
  readRunner,
  writePlan,
} from "./results.ts";
import { sbatchArgv, sbatchScript, SCRIPT_NAME } from "./sbatch.ts";
import { checkShared, invocationFiles, selfInvocation } from "./self.ts";
import { cancelJobs, checkSbatch, slurmView, submit } from "./slurm.ts";
import { retrySelection, type StatusRow, statusRows, statusTable } from "./status.ts";
import { runTask } from "./task_run.ts";
import { SLURM_KEYS } from "./taskfile.ts";

/** Which options each subcommand takes (the rest are refused). */
const ACCEPTS: Readonly<Record<string, readonly string[]>> = {
  run: [
    "slurm",
    "parallel",
    "results",
    "agent",
    "time",
    ...SLURM_KEYS,
    "backend",
    "image-name",
    "tag",
    "network",
    "config",
    "dry-run",
  ],
  status: ["json"],
  retry: ["failed", "parallel"],
  cancel: [],
  task: [],
};

/** Run `llm batch ...`. */
export async function run(
  context: CommandContext,
  procs: Processes = realProcesses(),
): Promise<number> {
  const [sub, ...args] = context.args;
  if (sub === undefined || !(sub in ACCEPTS)) {
    throw new UsageError(
      `llm batch needs a subcommand: run TASKS, status DIR, retry DIR or cancel DIR ` +
        `(got ${sub === undefined ? "none" : `'${sub}'`}; see 'llm batch --help')`,
    );
  }
  checkAccepted(sub, context.options);
  const { system, options } = context;
  switch (sub) {
    case "run":
      return await batchRun(system, procs, options, one(args, "run", "TASKS"));
    case "status":
      return await batchStatus(system, procs, options, one(args, "status", "DIR"));
    case "retry":
      return await batchRetry(system, procs, options, one(args, "retry", "DIR"));
    case "cancel":
      return await batchCancel(system, procs, one(args, "cancel", "DIR"));
    default:
      return await batchTask(system, procs, args);
  }
}

/** Refuse an option given on the command line that `sub` does not act on. */
function checkAccepted(sub: string, options: ParsedOptions): void {
  const given = [...options.flags, ...options.values.keys(), ...options.lists.keys()];
  for (const name of given) {
    if (sourceOf(options, name) !== `--${name}` || ACCEPTS[sub].includes(name)) continue;
    if (name === "verbose" || name === "help") continue;
    throw new UsageError(`llm batch ${sub} takes no --${name} (see 'llm batch --help')`);
  }
}

function one(args: readonly string[], sub: string, what: string): string {
  if (args.length !== 1) {
    throw new UsageError(
      `llm batch ${sub} takes one ${what} (got ${args.length === 0 ? "none" : quoteArgv(args)})`,
    );
  }
  return args[0];
}

/** A value given on the command line itself (config files and LLM_* are the child's to read). */
function fromCommandLine(options: ParsedOptions, name: string): string | undefined {
  const v = options.values.get(name);
  return v !== undefined && sourceOf(options, name) === `--${name}` ? v : undefined;
}

function positiveInt(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(text)) {
    throw new UsageError(`--${flag} '${text}' must be a positive number`);
  }
  return Number(text);
}

function stamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-` +
    `${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

async function knownAgents(system: System, options: ParsedOptions): Promise<string[]> {
  const { loadStartupSettings } = await import("../config/startup.ts");
  const settings = await loadStartupSettings(system, options.values.get("config"), "needs");
  return (settings.config?.agents ?? BUILTIN_AGENTS).map((a) => a.name);
}

async function batchRun(
  system: System,
  procs: Processes,
  options: ParsedOptions,
  tasksArg: string,
): Promise<number> {
  const slurm = options.flags.has("slurm");
  const taskFile = resolve(system.cwd, tasksArg);
  const text = system.readText(taskFile);
  if (text === null) {
    throw new LlmError(
      `task file ${taskFile} ${
        system.stat(taskFile) === "dir" ? "is a directory" : "does not exist"
      }`,
    );
  }
  const { parseTaskFile } = await import("./taskfile.ts");
  const file = await parseTaskFile(tasksArg, text);
  const dryRun = options.flags.has("dry-run");
  // A dry run only prints the submission, so it may be previewed away from the cluster.
  if (slurm && !dryRun) checkSbatch(system);
  const now = new Date();
  const stem = basename(taskFile).replace(/\.[^.]*$/, "") || "tasks";
  const resultsDir = resolve(
    system.cwd,
    options.values.get("results") ?? `batch-${stem}-${stamp(now)}`,
  );
  checkFreshResults(system, resultsDir, procs.entries(resultsDir));
  const slurmFlags: Record<string, string> = {};
  for (const k of SLURM_KEYS) {
    const v = options.values.get(k);
    if (v === undefined) continue;
    // A task file's slurm: settings may sit unused in a local run; a flag given for this run may not.
    if (!slurm) throw new UsageError(`--${k} is an sbatch option: add --slurm, or drop --${k}`);
    slurmFlags[k] = v;
  }
  const cli: CommandLineSettings = {
    agent: options.values.get("agent"),
    image: fromCommandLine(options, "image-name"),
    tag: fromCommandLine(options, "tag"),
    backend: fromCommandLine(options, "backend"),
    network: fromCommandLine(options, "network"),
    time: options.values.get("time"),
    config: fromCommandLine(options, "config"),
    parallel: positiveInt(options.values.get("parallel"), "parallel"),
    slurm: slurmFlags,
  };
  positiveInt(slurmFlags["cpus-per-task"], "cpus-per-task");
  const override = system.env.LLM_BATCH_SELF;
  const self = selfInvocation({ ...procs.program(), ...(override ? { override } : {}) });
  let plan = planBatch({
    file,
    taskFile,
    resultsDir,
    id: crypto.randomUUID().slice(0, 8),
    created: now.toISOString(),
    mode: slurm ? "slurm" : "local",
    self,
    agents: await knownAgents(system, options),
    cli,
    networks: NETWORK_CHOICES,
    stat: (p) => system.stat(p),
    realPath: (p) => system.realPath(p),
  });
  const all = plan.tasks.map((t) => t.index);
  checkResultsOutside(system, resultsDir, plan);
  if (slurm) {
    checkShared(
      [
        ...invocationFiles(self).map((path) => ({ what: "the llm program", path })),
        { what: "the results directory", path: resultsDir },
        ...plan.tasks.filter((t) => !t.repo).map((t) => ({
          what: `the workspace of ${t.source}`,
          path: t.workspace,
        })),
      ],
      system.env.TMPDIR,
    );
  }
  if (dryRun) {
    if (slurm) {
      const script = join(resultsDir, SCRIPT_NAME);
      system.stdout(
        `${quoteArgv(sbatchArgv(plan, all, script))}\n# ${script}:\n${sbatchScript(plan)}`,
      );
    } else {
      for (const t of plan.tasks) {
        system.stdout(`(cd ${quoteArgv([t.workspace])} && ${quoteArgv(t.argv)})\n`);
      }
    }
    return 0;
  }
  if (slurm) await pullOnce(system, options, plan);
  const existed = system.stat(resultsDir) !== null;
  system.mkdir(resultsDir, 0o700);
  // Until a task runs or is submitted, a failure leaves no half-made results:
  // the same command must work once the repository or the Slurm option is fixed.
  const undo = () => {
    const made = existed ? ["workspaces", "slurm", SCRIPT_NAME, PLAN_FILE] : [""];
    for (const name of made) system.remove(join(resultsDir, name));
  };
  try {
    await cloneRepos(system, plan);
  } catch (e) {
    undo();
    throw e;
  }
  // Pinned before any task runs: later the agent may have rewritten the repository's settings.
  const { gitGuard } = await import("./git_guard.ts");
  const tasks = [];
  for (const t of plan.tasks) {
    const git = await gitGuard(system, t.workspace);
    tasks.push(git ? { ...t, git } : t);
  }
  plan = { ...plan, tasks };
  writePlan(system, plan);
  if (slurm) {
    const { id } = await submit(system, plan, all, SCRIPT_NAME).catch((e) => {
      undo();
      throw e;
    });
    writePlan(system, {
      ...plan,
      jobs: [{ id, indices: all, submitted: new Date().toISOString() }],
    });
    system.stderr(
      `llm: submitted ${all.length} tasks as Slurm array job ${id}; results in ${resultsDir}\n` +
        `llm: follow them with: llm batch status ${quoteArgv([resultsDir])}\n`,
    );
    system.stdout(`${id}\n`);
    return 0;
  }
  return await local(system, procs, plan, all, plan.parallel ?? defaultParallel(procs.cpus()));
}

/**
 * The agent of a task sees its workspace read-write: results inside one
 * would let it rewrite the plan (the argv a retry runs on the host) and the
 * other tasks' results.
 */
function checkResultsOutside(system: System, resultsDir: string, plan: BatchPlan): void {
  let probe = resultsDir;
  let rest = "";
  // The results directory may not exist yet: resolve its nearest existing parent.
  while (system.realPath(probe) === null && probe !== "/") {
    rest = `/${basename(probe)}${rest}`;
    probe = dirname(probe);
  }
  const real = `${system.realPath(probe) ?? probe}${rest}`.replace(/^\/\//, "/");
  for (const t of plan.tasks) {
    if (t.repo) continue;
    const ws = system.realPath(t.workspace) ?? t.workspace;
    if (real === ws || real.startsWith(ws.endsWith("/") ? ws : `${ws}/`)) {
      throw new LlmError(
        `--results ${resultsDir} is inside the workspace of ${t.source} (${t.workspace}), where ` +
          `its agent could rewrite the batch's plan: put the results outside every workspace`,
      );
    }
  }
}

async function local(
  system: System,
  procs: Processes,
  plan: BatchPlan,
  indices: readonly number[],
  parallel: number,
): Promise<number> {
  system.stderr(
    `llm: running ${indices.length} tasks, ${parallel} at a time; results in ${plan.resultsDir}\n`,
  );
  const outcome = await runLocal(system, procs, plan, indices, parallel);
  const rows = await rowsOf(system, procs, readPlan(system, plan.resultsDir));
  system.stdout(statusTable(rows.filter((r) => indices.includes(r.index))));
  if (outcome.cancelled) return 130;
  return outcome.failed > 0 ? 1 : 0;
}

/**
 * Singularity/Apptainer on the nodes read the SIF cache of `llm pull`: fill
 * it once here, for every agent of the batch, rather than once per task.
 */
async function pullOnce(system: System, options: ParsedOptions, plan: BatchPlan): Promise<void> {
  const { detectRuntime } = await import("../runtime/detect.ts");
  const flag = plan.tasks[0]?.argv.find((a) => a.startsWith("--backend="))?.slice(10);
  const requested = flag ?? options.values.get("backend") ?? "auto";
  const backend = requested === "auto"
    ? detectRuntime(system.os, (n) => system.which(n))?.name
    : requested;
  if (backend !== "singularity" && backend !== "apptainer") return;
  const first = plan.tasks[0].argv;
  const imageFlags = first.filter((a) =>
    a.startsWith("--image-name=") || a.startsWith("--tag=") || a.startsWith("--config=")
  );
  const agents = [...new Set(plan.tasks.map((t) => t.agent))];
  const argv = [...plan.self, ...imageFlags, `--backend=${backend}`, "pull", ...agents];
  system.stderr(`llm: filling the SIF cache once for the nodes: ${quoteArgv(argv)}\n`);
  // Captured, then shown on stderr: stdout carries the job id alone, for scripts.
  const result = await system.output(argv);
  system.stderr(result.stdout + result.stderr);
  if (result.code !== 0) {
    throw new LlmError(`llm pull failed (exit ${result.code}); nothing was submitted`);
  }
}

async function cloneRepos(system: System, plan: BatchPlan): Promise<void> {
  for (const t of plan.tasks) {
    if (!t.repo) continue;
    system.mkdir(join(plan.resultsDir, "workspaces"), 0o700);
    const out = await system.output(["git", "clone", "--quiet", "--", t.repo, t.workspace]);
    if (out.code !== 0) {
      throw new LlmError(
        `${t.source}: git clone ${t.repo} failed: ${out.stderr.trim().split("\n").at(-1) ?? ""}; ` +
          `nothing was started`,
      );
    }
  }
}

async function rowsOf(system: System, procs: Processes, plan: BatchPlan): Promise<StatusRow[]> {
  const runner = readRunner(system, plan.resultsDir);
  const view = plan.mode === "slurm" ? await slurmView(system, plan) : { squeue: [], sacct: null };
  return statusRows({
    plan,
    manifests: readManifests(system, plan),
    cancelledAt: readCancel(system, plan.resultsDir),
    runnerAlive: runner !== null && runner.host === procs.hostname() && procs.alive(runner.pid),
    squeue: view.squeue,
    sacct: view.sacct,
    now: Date.now(),
  });
}

async function batchStatus(
  system: System,
  procs: Processes,
  options: ParsedOptions,
  dirArg: string,
): Promise<number> {
  const plan = readPlan(system, resolve(system.cwd, dirArg));
  const rows = await rowsOf(system, procs, plan);
  if (options.flags.has("json")) {
    system.stdout(
      JSON.stringify(
        {
          batch: plan.id,
          mode: plan.mode,
          resultsDir: plan.resultsDir,
          jobs: plan.jobs,
          tasks: rows,
        },
        null,
        2,
      ) + "\n",
    );
  } else {
    const jobs = plan.jobs.length
      ? ` (Slurm job${plan.jobs.length > 1 ? "s" : ""} ${plan.jobs.map((j) => j.id).join(", ")})`
      : "";
    system.stdout(
      `batch ${plan.id}, ${plan.mode}${jobs}: ${plan.resultsDir}\n${statusTable(rows)}`,
    );
  }
  return 0;
}

async function batchRetry(
  system: System,
  procs: Processes,
  options: ParsedOptions,
  dirArg: string,
): Promise<number> {
  const dir = resolve(system.cwd, dirArg);
  const plan = readPlan(system, dir);
  const runner = readRunner(system, dir);
  if (
    plan.mode === "local" && runner && runner.host === procs.hostname() && procs.alive(runner.pid)
  ) {
    throw new LlmError(
      `batch ${plan.id} is still running (pid ${runner.pid}): wait for it, or 'llm batch cancel ${dirArg}'`,
    );
  }
  if (plan.mode === "slurm") checkSbatch(system);
  const rows = await rowsOf(system, procs, plan);
  const indices = retrySelection(rows, options.flags.has("failed"));
  if (indices.length === 0) {
    system.stderr(`llm: nothing to retry in batch ${plan.id}\n`);
    return 0;
  }
  for (const i of indices) keepAttempt(system, procs, plan, i);
  const parallel = positiveInt(options.values.get("parallel"), "parallel");
  const retried: BatchPlan = parallel === undefined ? plan : { ...plan, parallel };
  if (plan.mode === "slurm") {
    const n = plan.jobs.length;
    const { id } = await submit(system, retried, indices, `retry-${n}.sh`);
    writePlan(system, {
      ...plan,
      jobs: [...plan.jobs, { id, indices, submitted: new Date().toISOString() }],
    });
    system.stderr(`llm: resubmitted tasks ${indices.join(", ")} as Slurm array job ${id}\n`);
    system.stdout(`${id}\n`);
    return 0;
  }
  system.remove(join(dir, CANCEL_FILE));
  return await local(
    system,
    procs,
    retried,
    indices,
    retried.parallel ?? defaultParallel(procs.cpus()),
  );
}

/** Move the files of the task's last attempt into `attempt-N/`. */
function keepAttempt(system: System, procs: Processes, plan: BatchPlan, index: number): void {
  const task = plan.tasks[index];
  const dir = join(plan.resultsDir, task.dir);
  const names = procs.entries(dir);
  const files = names.filter((n) => !/^attempt-\d+$/.test(n));
  if (files.length === 0) return;
  const target = join(dir, `attempt-${names.length - files.length + 1}`);
  system.mkdir(target, 0o700);
  for (const n of files) procs.move(join(dir, n), join(target, n));
}

async function batchCancel(system: System, procs: Processes, dirArg: string): Promise<number> {
  const dir = resolve(system.cwd, dirArg);
  const plan = readPlan(system, dir);
  if (plan.mode === "slurm") {
    system.writeFileAtomic(
      join(dir, CANCEL_FILE),
      JSON.stringify({ at: new Date().toISOString(), by: "llm batch cancel" }) + "\n",
      0o600,
    );
    await cancelJobs(system, plan);
    system.stderr(
      `llm: cancelled Slurm job${plan.jobs.length > 1 ? "s" : ""} ${
        plan.jobs.map((j) => j.id).join(", ")
      }\n`,
    );
    return 0;
  }
  const runner = readRunner(system, dir);
  if (!runner || !procs.alive(runner.pid)) {
    system.stderr(`llm: batch ${plan.id} is not running\n`);
    return 0;
  }
  if (runner.host !== procs.hostname()) {
    throw new LlmError(
      `batch ${plan.id} runs on ${runner.host} (pid ${runner.pid}): cancel it there`,
    );
  }
  // The runner ends its tasks itself (SIGTERM, then SIGKILL) and records the cancel.
  procs.signal(runner.pid, "SIGTERM");
  for (let i = 0; i < 300 && procs.alive(runner.pid); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (procs.alive(runner.pid)) {
    throw new LlmError(`batch ${plan.id}'s runner (pid ${runner.pid}) is still ending its tasks`);
  }
  system.stderr(`llm: cancelled batch ${plan.id}\n`);
  return 0;
}

/** `llm batch task DIR [INDEX]`: one task, here (INDEX defaults to $SLURM_ARRAY_TASK_ID). */
async function batchTask(
  system: System,
  procs: Processes,
  args: readonly string[],
): Promise<number> {
  const [dirArg, indexArg = system.env.SLURM_ARRAY_TASK_ID] = args;
  if (dirArg === undefined || indexArg === undefined || !/^\d+$/.test(indexArg)) {
    throw new UsageError("llm batch task takes DIR and INDEX (or $SLURM_ARRAY_TASK_ID)");
  }
  const plan = readPlan(system, resolve(system.cwd, dirArg));
  const task = plan.tasks[Number(indexArg)];
  if (task === undefined) throw new UsageError(`batch ${plan.id} has no task ${indexArg}`);
  const abort = new AbortController();
  const stop = procs.onTerminate(() => abort.abort());
  const env = system.env;
  try {
    const m = await runTask(system, procs, plan, task, {
      abort: abort.signal,
      ...(env.SLURM_JOB_ID
        ? {
          slurm: {
            jobId: env.SLURM_JOB_ID,
            arrayJobId: env.SLURM_ARRAY_JOB_ID ?? env.SLURM_JOB_ID,
            arrayTaskId: env.SLURM_ARRAY_TASK_ID ?? indexArg,
          },
        }
        : {}),
    });
    return m.exit ?? 1;
  } finally {
    stop();
  }
}
