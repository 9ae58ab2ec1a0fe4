/**
 * Launching an agent: the edge that turns a plan into a running container.
 * Running it is lib/commands/agent_run.ts, which a dry run never loads.
 */
import { LlmError } from "../errors.ts";
import { misplacedOption, type ParsedOptions, sourceOf } from "../cli/parse.ts";
import type { AgentDef } from "../launch/agents.ts";
import { findCondaEnv, isCondaEnvName } from "../launch/conda_env.ts";
import { type LaunchPlan, planLaunch } from "../launch/plan.ts";
import { type LaunchRequest, launchRequest } from "../launch/request.ts";
import { dryRunLine } from "../runtime/dry_run.ts";
import { DRY_RUN_SCRATCH, scratchLayout, setUpRuntime } from "../runtime/prepare.ts";
import { engineCheck, type RuntimeChoice, selectRuntime } from "../runtime/select.ts";
import { loadAdapter } from "../runtime/adapters.ts";
import type { PreparedWorktree } from "../worktree/git.ts";
import type { System } from "../system/system.ts";
import { VERSION } from "../version.ts";
import { runtimeArgWarning } from "../runtime/resources.ts";
import { quoteArgv } from "../text/shell_words.ts";

/** Launch `agent` with `args`; resolves to the exit code to exit with. */
export async function launchAgent(
  agent: AgentDef,
  args: readonly string[],
  options: ParsedOptions,
  system: System,
): Promise<number> {
  const misplaced = misplacedOption(agent.name, args);
  if (misplaced !== undefined) system.stderr(`llm: warning: ${misplaced}\n`);
  const dryRun = options.flags.has("dry-run");
  const request = await resolveCondaName(launchRequest(agent, args, options), system);
  const backend = options.values.get("backend");
  const runtime = selectRuntime(
    backend ?? system.env.LLM_BACKEND,
    (name) => system.which(name),
    dryRun,
    system.os,
    engineCheck(system),
    backend === undefined ? "LLM_BACKEND" : sourceOf(options, "backend"),
  );
  if (request.worktree === undefined) {
    return await launchPlanned(agent, request, runtime, options, system, undefined);
  }
  // --worktree's modules load only for a launch that asks for one.
  const git = await import("../worktree/git.ts");
  const worktree = await git.prepareWorktree(
    system,
    request.worktree,
    request.sessionName,
    agent.name,
    dryRun,
  );
  try {
    return await launchPlanned(agent, request, runtime, options, system, worktree);
  } catch (e) {
    if (worktree.created) await git.undoWorktree(system, worktree);
    throw e;
  }
}

/** The launch once the runtime (and any worktree) is chosen. */
async function launchPlanned(
  agent: AgentDef,
  request: LaunchRequest,
  runtime: RuntimeChoice,
  options: ParsedOptions,
  system: System,
  worktree: PreparedWorktree | undefined,
): Promise<number> {
  const dryRun = options.flags.has("dry-run");
  const verbose = options.flags.has("verbose");
  // On --worktree the worktree is the workspace, and git inside can commit to its branch.
  const planned = worktree === undefined
    ? planLaunch(request, system)
    : await withWorktreeMounts(planLaunch(request, { ...system, cwd: worktree.path }), worktree);
  const setup = await setUpRuntime(
    runtime,
    planned,
    agent,
    options,
    system,
  );
  const plan = setup.plan;
  const adapter = await loadAdapter(runtime.name);
  const egress = plan.network.mode === "allow"
    ? (await import("../egress/session.ts")).egressSettings(plan.network, system.env)
    : undefined;
  for (const w of [...plan.warnings, ...setup.warnings, ...egress?.warnings ?? []]) {
    system.stderr(`llm: warning: ${w}\n`);
  }
  if (!runtime.found) {
    system.stderr(`llm: warning: ${runtime.executable} not found; showing its command anyway\n`);
  }
  if (verbose) {
    system.stderr(`llm: runtime ${runtime.reason}\n`);
    system.stderr(`llm: image ${plan.image} (${plan.platform})\n`);
    for (const note of [...plan.notes, ...setup.notes]) system.stderr(`llm: ${note}\n`);
    for (const m of plan.mounts) {
      system.stderr(
        m.kind === "bind"
          ? `llm: mount ${
            m.inScratch ? `<temporary directory>/${m.source}` : m.source
          } -> ${m.target}${m.readOnly ? " (ro)" : ""} [${m.origin}]\n`
          : `llm: mask ${m.target} [${m.origin}]\n`,
      );
    }
    system.stderr(networkLine(plan.network));
  }
  const commandForPlan = (planned: LaunchPlan, scratch: string) =>
    adapter.command(planned, {
      executable: runtime.executable,
      tty: system.isTerminal(),
      uid: system.uid,
      gid: system.gid,
      os: system.os,
      scratch,
      rootless: setup.rootless,
    });
  // Built before anything changes on the host, so a plan the runtime cannot
  // express fails with nothing created.
  const preview = commandForPlan(plan, DRY_RUN_SCRATCH);
  const runtimeArgWarn = runtimeArgWarning(runtime.name, plan.runtimeArgs ?? []);
  if (runtimeArgWarn !== null) system.stderr(`llm: warning: ${runtimeArgWarn}\n`);
  for (const w of preview.warnings ?? []) system.stderr(`llm: warning: ${w}\n`);
  if (dryRun) {
    const setUp = {
      placeholder: DRY_RUN_SCRATCH,
      entries: scratchLayout(adapter, plan, system),
    };
    system.stdout(dryRunLine(preview, system.env, setUp) + "\n");
    // Not made by the line: pasted, it would create credential directories
    // as a side effect the user did not ask for; --verbose names them.
    const missing = plan.ensure.filter((e) => system.stat(e.hostPath) === null);
    if (verbose && missing.length > 0) {
      system.stderr(
        `llm: the launch first creates ${
          missing.map((e) => e.hostPath).join(", ")
        }; the line above expects them\n`,
      );
    }
    if (plan.network.mode === "allow") {
      system.stderr(
        `llm: note: --network allow: the container reaches only llm's filtering proxy, ` +
          `which llm runs for the session on <temporary directory>/egress/proxy.sock; the ` +
          `line makes that directory but runs no proxy, so pasted it has no route out\n`,
      );
      const { vmSteps } = await import("./agent_run.ts");
      const vm = await vmSteps(
        runtime.name,
        runtime.executable,
        plan,
        DRY_RUN_SCRATCH,
        0,
        system.os,
      );
      for (const step of vm?.setup ?? []) {
        system.stderr(`llm: note: before it (PORT: the proxy's port): ${quoteArgv(step)}\n`);
      }
    }
    return 0;
  }
  const { runPlan } = await import("./agent_run.ts");
  return await runPlan({
    plan,
    runtime,
    adapter,
    commandFor: commandForPlan,
    egress,
    verbose,
    session: {
      name: request.sessionName ?? worktree?.name,
      workspace: worktree?.path ?? system.cwd,
      ...(worktree
        ? { worktree: { name: worktree.name, branch: worktree.branch, repo: worktree.repo.top } }
        : {}),
      runtime: { name: runtime.name, executable: runtime.executable },
      llmVersion: VERSION,
    },
  }, system);
}

/** `--verbose`: the network policy and, under allow, every entry of the allow list. */
function networkLine(network: LaunchPlan["network"]): string {
  if (network.mode !== "allow") {
    return `llm: network ${network.mode}${
      network.mode === "none" ? " (loopback only)" : " (the runtime's default network)"
    }\n`;
  }
  const builtin = new Set(network.builtin.map((e) => e.text));
  const own = network.entries.filter((e) => !builtin.has(e.text)).map((e) => e.text);
  return `llm: network allow (through llm's proxy): built-in ${
    network.builtin.map((e) => e.text).join(", ") || "(none)"
  }; added ${own.join(", ") || "(none)"}\n`;
}

/** A plan with the mounts git needs in a `--worktree` launch. */
async function withWorktreeMounts(
  plan: LaunchPlan,
  worktree: PreparedWorktree,
): Promise<LaunchPlan> {
  const { worktreeMounts } = await import("../worktree/plan.ts");
  return {
    ...plan,
    mounts: [...plan.mounts, ...worktreeMounts(worktree.repo.commonDir, worktree.name)],
    notes: [...plan.notes, `worktree ${worktree.path} on branch ${worktree.branch}`],
  };
}

/** Resolve a `--conda-env` NAME to its path with `conda env list --json`. */
async function resolveCondaName(request: LaunchRequest, system: System): Promise<LaunchRequest> {
  const value = request.condaEnv;
  if (value === undefined || !isCondaEnvName(value)) return request;
  if (system.which("conda") === null) {
    throw new LlmError(
      `--conda-env ${value} is a name, but conda is not on PATH to look it up; give the path`,
    );
  }
  const out = await system.output(["conda", "env", "list", "--json"]);
  if (out.code !== 0) {
    throw new LlmError(`'conda env list --json' failed (exit ${out.code}); give the env's path`);
  }
  return { ...request, condaEnv: findCondaEnv(out.stdout, value) };
}
