/**
 * Launching an agent: the edge that turns a plan into a running container.
 */
import { LlmError } from "../errors.ts";
import { dirname } from "../std/path.ts";
import { misplacedOption, type ParsedOptions, sourceOf } from "../cli/parse.ts";
import type { AgentDef } from "../launch/agents.ts";
import { findCondaEnv, isCondaEnvName } from "../launch/conda_env.ts";
import { type LaunchPlan, planLaunch } from "../launch/plan.ts";
import { unsharedVolumeWarnings } from "../macos/volume_warning.ts";
import { type LaunchRequest, launchRequest } from "../launch/request.ts";
import { dryRunLine } from "../runtime/dry_run.ts";
import { runtimeFailed, runtimeFailureMessage } from "../runtime/failure.ts";
import { DRY_RUN_SCRATCH, scratchLayout, setUpRuntime, withScratch } from "../runtime/prepare.ts";
import { probeFailure, runCommand } from "../runtime/run.ts";
import { copyBack, copyIn } from "../launch/session_copy.ts";
import { engineCheck, type RuntimeChoice, selectRuntime } from "../runtime/select.ts";
import { type PreparedWorktree, prepareWorktree, undoWorktree } from "../worktree/git.ts";
import { worktreeMounts } from "../worktree/plan.ts";
import type { System } from "../system/system.ts";
import { VERSION } from "../version.ts";
import { runtimeArgWarning } from "../runtime/resources.ts";
import { beginSession } from "../session/record.ts";
import type { EgressSession, EgressSettings } from "../egress/session.ts";
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
  const worktree = request.worktree === undefined
    ? undefined
    : await prepareWorktree(system, request.worktree, request.sessionName, agent.name, dryRun);
  try {
    return await launchPlanned(agent, request, runtime, options, system, worktree);
  } catch (e) {
    if (worktree?.created) await undoWorktree(system, worktree);
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
    : withWorktreeMounts(planLaunch(request, { ...system, cwd: worktree.path }), worktree);
  const setup = await setUpRuntime(
    runtime,
    planned,
    agent,
    options,
    system,
  );
  const plan = setup.plan;
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
    runtime.adapter.command(planned, {
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
  const runtimeArgWarn = runtimeArgWarning(runtime.adapter.name, plan.runtimeArgs ?? []);
  if (runtimeArgWarn !== null) system.stderr(`llm: warning: ${runtimeArgWarn}\n`);
  for (const w of preview.warnings ?? []) system.stderr(`llm: warning: ${w}\n`);
  if (dryRun) {
    const setUp = {
      placeholder: DRY_RUN_SCRATCH,
      entries: scratchLayout(runtime.adapter, plan, system),
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
      const vm = await vmSteps(
        runtime.adapter.name,
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
  for (const w of await unsharedVolumeWarnings(plan.mounts, runtime.adapter.name, system)) {
    system.stderr(`llm: warning: ${w}\n`);
  }
  for (const e of plan.ensure) {
    if (e.kind === "dir") {
      if (system.stat(e.hostPath) === null) system.mkdir(e.hostPath, 0o700);
    } else {
      // Nested settings (~/.pi/agent/AGENTS.md) may sit in a directory made just now.
      if (system.stat(dirname(e.hostPath)) === null) system.mkdir(dirname(e.hostPath), 0o700);
      system.createFileIfAbsent(e.hostPath, e.content ?? "", 0o600);
    }
  }
  const session = beginSession({
    plan,
    name: request.sessionName ?? worktree?.name,
    workspace: worktree?.path ?? system.cwd,
    ...(worktree
      ? { worktree: { name: worktree.name, branch: worktree.branch, repo: worktree.repo.top } }
      : {}),
    runtime: { name: runtime.adapter.name, executable: runtime.executable },
    llmVersion: VERSION,
  }, system);
  if (verbose) system.stderr(`llm: session ${session.name} (${session.id})\n`);
  let result;
  try {
    // The temporary directory goes on every exit path, signals included.
    result = await withScratch(runtime.adapter, session.plan, system, async (scratch) => {
      const copied = await copyIn(plan.sessionFiles, scratch, system);
      const inVm =
        (await vmSteps(runtime.adapter.name, runtime.executable, plan, scratch, 0, system.os)) !==
          undefined;
      const proxy = egress && await startSessionProxy(egress, scratch, verbose, system, inVm);
      let ran: Awaited<ReturnType<typeof runCommand>>;
      let vm: { setup: string[][]; teardown: string[][] } | undefined;
      try {
        vm = proxy && await vmSteps(
          runtime.adapter.name,
          runtime.executable,
          plan,
          scratch,
          proxy.session.port ?? 0,
          system.os,
        );
        for (const step of vm?.setup ?? []) {
          const out = await system.output(step);
          if (out.code !== 0) {
            throw new LlmError(
              `could not set up the path to llm's proxy in the ${runtime.adapter.name} VM: ` +
                `'${quoteArgv(step)}' failed: ${out.stderr.trim().split("\n").pop() ?? ""}`,
            );
          }
        }
        ran = await runCommand(commandForPlan(session.plan, scratch), system, session.hooks);
      } finally {
        for (const step of vm?.teardown ?? []) await system.output(step).catch(() => {});
        if (proxy) await stopSessionProxy(proxy, plan.agent, system);
      }
      for (const w of await copyBack(copied, scratch, system)) {
        system.stderr(`llm: warning: ${w}\n`);
      }
      return ran;
    });
  } catch (e) {
    session.abandon();
    throw e;
  }
  await session.finish(result.code);
  let outcome = { ...result, runtime: runtime.adapter.name, image: plan.image };
  if (runtimeFailed(outcome)) {
    if (outcome.stderrTail === "") {
      outcome = {
        ...outcome,
        stderrTail: await probeFailure(runtime.executable, plan.image, system),
      };
    }
    system.stderr(`llm: error: ${runtimeFailureMessage(outcome)}\n`);
    return 1;
  }
  return result.code;
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

/** Start the session's egress proxy; `--verbose` prints each refusal as it happens. */
async function startSessionProxy(
  settings: EgressSettings,
  scratch: string,
  verbose: boolean,
  system: System,
  loopbackPort: boolean,
): Promise<{ session: EgressSession; started: Date }> {
  const { startEgress } = await import("../egress/session.ts");
  const { blockedNotice } = await import("../egress/summary.ts");
  const started = new Date();
  const session = await startEgress(settings, scratch, system, (event) => {
    if (verbose) system.stderr(`${blockedNotice(event)}\n`);
  }, loopbackPort);
  return { session, started };
}

/**
 * Under `--network allow` with a runtime in a VM (podman machine, Docker
 * Desktop): the commands that build the path to the proxy before the
 * launch and remove it after (lib/egress/vm.ts); undefined otherwise.
 */
async function vmSteps(
  runtime: string,
  executable: string,
  plan: LaunchPlan,
  scratch: string,
  port: number,
  os: string,
): Promise<{ setup: string[][]; teardown: string[][] } | undefined> {
  if (plan.network.mode !== "allow" || (runtime !== "podman" && runtime !== "docker")) {
    return undefined;
  }
  const { sessionId, usesVm } = await import("../runtime/_oci_args.ts");
  if (!usesVm({ os })) return undefined;
  const { vmEgress, vmSetup, vmTeardown } = await import("../egress/vm.ts");
  const vm = vmEgress(sessionId(scratch));
  const setup = vmSetup(runtime, executable, vm, plan.image, port).map((step) =>
    port === 0 ? step.map((w) => w.replace(/:0$/, ":PORT")) : step
  );
  return { setup, teardown: vmTeardown(executable, vm) };
}

/** Stop the proxy, write the session log and print the one-line summary. */
async function stopSessionProxy(
  proxy: { session: EgressSession; started: Date },
  agent: string,
  system: System,
): Promise<void> {
  const { countBlocked, egressLogPath, finishEgressLog } = await import("../egress/session.ts");
  await proxy.session.close();
  const line = finishEgressLog(
    proxy.session.events,
    countBlocked(proxy.session.events),
    egressLogPath(system.env, system.home, agent, proxy.started),
    system,
  );
  if (line !== undefined) system.stderr(`${line}\n`);
}

/** A plan with the mounts git needs in a `--worktree` launch. */
function withWorktreeMounts(plan: LaunchPlan, worktree: PreparedWorktree): LaunchPlan {
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
