/**
 * The part of a launch after planning: warn about macOS volumes the runtime
 * cannot see, create the credential paths the plan needs, run the container
 * in its temporary directory as a recorded session (session copies in and
 * back, the egress proxy and its VM path under `--network allow`), and
 * explain a runtime failure.
 * Loaded only when a launch really runs (and for a dry run's VM steps).
 */
import { LlmError } from "../errors.ts";
import { dirname } from "../std/path.ts";
import type { LaunchPlan } from "../launch/plan.ts";
import { copyBack, copyIn } from "../launch/session_copy.ts";
import { unsharedVolumeWarnings } from "../macos/volume_warning.ts";
import { runtimeFailed, runtimeFailureMessage } from "../runtime/failure.ts";
import { withScratch } from "../runtime/prepare.ts";
import { probeFailure, runCommand } from "../runtime/run.ts";
import type { RuntimeAdapter, RuntimeCommand } from "../runtime/runtime.ts";
import type { RuntimeChoice } from "../runtime/select.ts";
import type { System } from "../system/system.ts";
import type { EgressSession, EgressSettings } from "../egress/session.ts";
import { quoteArgv } from "../text/shell_words.ts";
import { beginSession, type SessionStart } from "../session/record.ts";

/** A planned launch, ready to run. */
export interface PlannedLaunch {
  readonly plan: LaunchPlan;
  readonly runtime: RuntimeChoice;
  readonly adapter: RuntimeAdapter;
  /** The runtime's argv for a plan (the session's, with its name and labels) and a scratch directory. */
  readonly commandFor: (plan: LaunchPlan, scratch: string) => RuntimeCommand;
  /** The egress proxy's settings under `--network allow`. */
  readonly egress: EgressSettings | undefined;
  readonly verbose: boolean;
  /** What the session manifest records besides the plan. */
  readonly session: Omit<SessionStart, "plan">;
}

/** Run a planned launch; resolves to the exit code to exit with. */
export async function runPlan(launch: PlannedLaunch, system: System): Promise<number> {
  const { plan, runtime, adapter, commandFor, egress, verbose } = launch;
  for (const w of await unsharedVolumeWarnings(plan.mounts, runtime.name, system)) {
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
  const session = beginSession({ plan, ...launch.session }, system);
  // A signal outside the container's run ends llm: the name goes back first.
  const releaseOnSignal = system.cleanupOnSignal(() => session.abandon());
  if (verbose) system.stderr(`llm: session ${session.name} (${session.id})\n`);
  let result;
  try {
    // The temporary directory goes on every exit path, signals included.
    result = await withScratch(adapter, session.plan, system, async (scratch) => {
      const copied = await copyIn(plan.sessionFiles, scratch, system);
      const inVm =
        (await vmSteps(runtime.name, runtime.executable, plan, scratch, 0, system.os)) !==
          undefined;
      const proxy = egress && await startSessionProxy(egress, scratch, verbose, system, inVm);
      let ran: Awaited<ReturnType<typeof runCommand>>;
      let vm: { setup: string[][]; teardown: string[][] } | undefined;
      try {
        vm = proxy && await vmSteps(
          runtime.name,
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
              `could not set up the path to llm's proxy in the ${runtime.name} VM: ` +
                `'${quoteArgv(step)}' failed: ${out.stderr.trim().split("\n").pop() ?? ""}`,
            );
          }
        }
        ran = await runCommand(commandFor(session.plan, scratch), system, session.hooks);
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
    releaseOnSignal();
    session.abandon();
    throw e;
  }
  try {
    await session.finish(result.code);
  } finally {
    releaseOnSignal();
  }
  let outcome = { ...result, runtime: runtime.name, image: plan.image };
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
export async function vmSteps(
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
