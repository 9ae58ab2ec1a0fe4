/**
 * Launching an agent: the edge that turns a plan into a running container.
 */
import { LlmError } from "../errors.ts";
import type { ParsedOptions } from "../cli/parse.ts";
import type { AgentDef } from "../launch/agents.ts";
import { findCondaEnv, isCondaEnvName } from "../launch/conda_env.ts";
import { planLaunch } from "../launch/plan.ts";
import { unsharedVolumeWarnings } from "../macos/volume_warning.ts";
import { type LaunchRequest, launchRequest } from "../launch/request.ts";
import {
  dryRunScratch,
  isSingularity,
  setUpRuntime,
  singularityFailureHint,
  withScratch,
} from "../runtime/prepare.ts";
import { selectRuntime } from "../runtime/select.ts";
import type { System } from "../system/system.ts";
import { quoteArgv } from "../text/shell_words.ts";

/** Exit status podman and docker use for their own failures. */
const RUNTIME_FAILURE = 125;

/** Launch `agent` with `args`; resolves to the exit code to exit with. */
export async function launchAgent(
  agent: AgentDef,
  args: readonly string[],
  options: ParsedOptions,
  system: System,
): Promise<number> {
  const dryRun = options.flags.has("dry-run");
  const verbose = options.flags.has("verbose");
  const request = await resolveCondaName(launchRequest(agent, args, options), system);
  const runtime = selectRuntime(
    options.values.get("backend") ?? system.env.LLM_BACKEND,
    (name) => system.which(name),
    dryRun,
    system.os,
  );
  const setup = await setUpRuntime(
    runtime,
    planLaunch(request, system),
    agent,
    options,
    system,
  );
  const plan = setup.plan;
  for (const w of [...plan.warnings, ...setup.warnings]) system.stderr(`llm: warning: ${w}\n`);
  if (!runtime.found) {
    system.stderr(`llm: warning: ${runtime.executable} not found; showing its command anyway\n`);
  }
  if (verbose) {
    system.stderr(`llm: runtime ${runtime.reason}\n`);
    system.stderr(`llm: image ${plan.image} (${plan.platform})\n`);
    for (const note of setup.notes) system.stderr(`llm: ${note}\n`);
    for (const m of plan.mounts) {
      system.stderr(
        m.kind === "bind"
          ? `llm: mount ${m.source} -> ${m.target}${m.readOnly ? " (ro)" : ""} [${m.origin}]\n`
          : `llm: mask ${m.target} [${m.origin}]\n`,
      );
    }
  }
  const commandFor = (scratch: string | undefined) =>
    runtime.adapter.command(plan, {
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
  const scratch = dryRunScratch(runtime.adapter);
  const preview = commandFor(scratch);
  for (const w of preview.warnings ?? []) system.stderr(`llm: warning: ${w}\n`);
  if (dryRun) {
    system.stdout(quoteArgv(preview.argv) + "\n");
    if (scratch !== undefined) {
      system.stderr(`llm: note: ${scratch} stands for a temporary directory made at launch\n`);
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
      system.createFileIfAbsent(e.hostPath, e.content ?? "", 0o600);
    }
  }
  // Singularity's temporary home is removed on every exit path, signals included.
  const result = await withScratch(
    runtime.adapter,
    plan,
    system,
    (scratch) => system.interactive(commandFor(scratch).argv),
  );
  if (isSingularity(runtime.adapter.name)) {
    const hint = result.code === 0 ? null : singularityFailureHint(plan.image, result.stderrTail);
    if (hint) system.stderr(`llm: error: ${hint}\n`);
  } else if (result.code === RUNTIME_FAILURE) {
    explainRuntimeFailure(plan.image, result.stderrTail, system);
  }
  return result.code;
}

const PULL_FAILURE =
  /manifest unknown|unable to pull|pull access denied|image not known|repository .* not found|requested access to the resource is denied|initializing source|no such image/i;

function explainRuntimeFailure(image: string, stderrTail: string, system: System): void {
  if (PULL_FAILURE.test(stderrTail)) {
    system.stderr(
      `llm: error: could not get image ${image}; check --image-name/--tag, log in with ` +
        `'podman login ghcr.io' if the registry needs it, or build it with 'llm build'\n`,
    );
  } else {
    system.stderr("llm: error: the container runtime could not start the container (see above)\n");
  }
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
