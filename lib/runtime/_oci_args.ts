/**
 * What podman and docker (the runtimes with Docker's command line) share:
 * least privilege, the environment file, mount arguments and the refusal of
 * paths their syntax cannot carry.
 */
import { LlmError } from "../errors.ts";
import type { Mount } from "../launch/mounts.ts";
import type { LaunchPlan } from "../launch/plan.ts";
import type { InvocationFacts, RuntimeCommand } from "./runtime.ts";
import { EGRESS_TARGET, EGRESS_URL, SCRATCH_EGRESS, wrapForEgress } from "../egress/container.ts";
import { vmAgentArgs, vmEgress } from "../egress/vm.ts";
import { basename } from "../std/path.ts";
import {
  bindSource,
  SCRATCH_CREATED,
  SCRATCH_EMPTY,
  SCRATCH_EMPTY_FILE,
  SCRATCH_ENV_FILE,
  scratchPath,
} from "./scratch.ts";

/**
 * No capabilities, and no way to gain any (setuid binaries, file
 * capabilities): the agent needs neither to edit files and run tools.
 */
export const LEAST_PRIVILEGE = ["--cap-drop=ALL", "--security-opt=no-new-privileges"] as const;

/**
 * The plan's environment as env-file lines. An env file carries one
 * `KEY=VALUE` a line, read verbatim, so a value holding a line break (or
 * ending in a carriage return, which line readers drop) cannot be passed and
 * is refused rather than cut.
 */
export function envFileLines(plan: LaunchPlan, runtime: string): string[] {
  return plan.env.map(([k, v]) => {
    if (/[\n\r]/.test(v)) {
      throw new LlmError(
        `cannot pass ${k} to ${runtime}: its value holds a line break, which an environment ` +
          `file cannot carry; set it without line breaks`,
      );
    }
    return `${k}=${v}`;
  });
}

/** Assemble a `run` command from its parts; the env file and markers live in the scratch dir. */
export function ociCommand(
  plan: LaunchPlan,
  facts: InvocationFacts,
  runtime: string,
  parts: {
    user: readonly string[];
    extra: readonly string[];
    mounts: readonly string[];
    /** `--cpus`, `--memory`, GPUs: lib/runtime/resources.ts. */
    resources: readonly string[];
  },
  startedMarker?: string,
): RuntimeCommand {
  const envFile = scratchPath(facts.scratch, SCRATCH_ENV_FILE);
  const createdMarker = scratchPath(facts.scratch, SCRATCH_CREATED);
  const argv = [facts.executable, "run", "--rm", "-i"];
  if (facts.tty) argv.push("-t");
  // A real init as PID 1 so SIGTERM reaches the agent (PID 1 ignores
  // unhandled signals) and orphaned children are reaped.
  argv.push("--init", `--platform=${plan.platform}`);
  argv.push(...parts.user, ...LEAST_PRIVILEGE, ...parts.extra);
  argv.push(`--env-file=${envFile}`, `--cidfile=${createdMarker}`);
  if (startedMarker) argv.push(`--pidfile=${startedMarker}`);
  argv.push(...parts.mounts);
  argv.push(...ociNetworkArgs(plan, facts, runtime));
  const allow = plan.network.mode === "allow";
  const vm = allow && usesVm(facts) ? vmEgress(sessionId(facts.scratch)) : undefined;
  // In a VM the forwarder is a container of its own (lib/egress/vm.ts): no wrapper.
  const command = allow && !vm ? wrapForEgress(plan.command) : plan.command;
  argv.push(`--workdir=${plan.workdir}`);
  if (plan.session) {
    argv.push(`--name=${plan.session.name}`);
    for (const [k, v] of plan.session.labels) argv.push(`--label=${k}=${v}`);
  }
  argv.push(...parts.resources, ...(plan.runtimeArgs ?? []), plan.image, ...command);
  const env = vm ? plan.env.map(([k, v]) => [k, v === EGRESS_URL ? vm.url : v] as const) : plan.env;
  return {
    argv,
    envFile: { path: envFile, lines: envFileLines({ ...plan, env }, runtime) },
    createdMarker,
    startedMarker,
  };
}

/**
 * The network arguments: nothing for `open` (the runtime's own default);
 * no network at all for `none`; for `allow` no network either, and the
 * directory holding llm's proxy socket bound in (see lib/egress/container.ts).
 * On macOS the runtime runs in a VM that a Unix socket does not reach.
 */
export function ociNetworkArgs(
  plan: LaunchPlan,
  facts: InvocationFacts,
  runtime: string,
): string[] {
  const mode = plan.network.mode;
  if (mode === "open") return [];
  if (mode === "none") return ["--network=none"];
  if (usesVm(facts)) return vmAgentArgs(vmEgress(sessionId(facts.scratch)));
  const source = scratchPath(facts.scratch, SCRATCH_EGRESS);
  if (source.includes(":")) {
    throw new LlmError(
      `cannot bind the egress proxy's directory ${source}: ${runtime} mount paths cannot ` +
        `contain ':'; set TMPDIR to a path without one`,
    );
  }
  return ["--network=none", "-v", `${source}:${EGRESS_TARGET}`];
}

/**
 * Whether containers run in a VM that a host Unix socket cannot reach
 * (podman machine, Docker Desktop): every OS but Linux.
 */
export function usesVm(facts: Pick<InvocationFacts, "os">): boolean {
  return facts.os !== "linux";
}

/** The session's id: the scratch directory's name after `llm-` (`XXXXXX` on --dry-run). */
export function sessionId(scratch: string): string {
  return basename(scratch).replace(/^llm-/, "");
}

/** Refuse a path no runtime's mount syntax can carry (line breaks). */
function checkPrintable(path: string, mount: Mount): void {
  if (/[\n\r]/.test(path)) {
    throw new LlmError(
      `cannot ${mount.kind === "mask" ? "mask" : "mount"} ${JSON.stringify(path)} ` +
        `(${mount.origin}): the path holds a line break; rename it`,
    );
  }
}

/** How a runtime hides a masked file or directory. */
export interface MaskStyle {
  /** `--mount type=tmpfs` options for a directory, or "bind" to bind the scratch's empty dir. */
  readonly dir: string | "bind";
  /** Source bound read-only over a masked file. */
  readonly file: "empty-file";
}

/**
 * The `-v`/`--mount` arguments for one mount. `-v` cannot carry a path with
 * ':', nor `--mount` one with ',' or '"': those are refused, never mangled.
 * `bindOptions` are appended to every bind (podman: nosuid,nodev).
 */
export function volumeArgs(
  mount: Mount,
  runtime: string,
  style: MaskStyle,
  scratch: string,
  bindOptions: readonly string[] = [],
): string[] {
  const bind = (source: string, target: string, readOnly: boolean, extra: readonly string[]) => {
    for (const p of [source, target]) {
      checkPrintable(p, mount);
      if (p.includes(":")) {
        throw new LlmError(
          `cannot ${
            mount.kind === "mask" ? "mask" : "mount"
          } ${p} (${mount.origin}): ${runtime} mount paths cannot contain ':'; rename it`,
        );
      }
    }
    const options = [...(readOnly ? ["ro"] : []), ...extra];
    return ["-v", `${source}:${target}${options.length ? `:${options.join(",")}` : ""}`];
  };
  if (mount.kind === "bind") {
    return bind(bindSource(mount, scratch), mount.target, mount.readOnly, bindOptions);
  }
  if (mount.entry === "file") {
    // Not /dev/null: a device takes writes whatever the mount's ro flag says,
    // so the agent's writes would vanish silently. An empty regular file
    // reads as empty and refuses writes.
    return bind(scratchPath(scratch, SCRATCH_EMPTY_FILE), mount.target, true, bindOptions);
  }
  if (style.dir === "bind") {
    return bind(scratchPath(scratch, SCRATCH_EMPTY), mount.target, true, bindOptions);
  }
  checkPrintable(mount.target, mount);
  if (/[,"]/.test(mount.target)) {
    throw new LlmError(
      `cannot mask ${mount.target} (${mount.origin}): ${runtime} mask paths cannot contain ',' ` +
        `or '"'; rename it`,
    );
  }
  return ["--mount", `type=tmpfs,destination=${mount.target},ro=true,${style.dir}`];
}
