/**
 * Choosing the container runtime for a launch.
 */
import { LlmError, UsageError } from "../errors.ts";
import { BACKENDS } from "../cli/options.ts";
import {
  autoOrder,
  type DockerEngineFacts,
  dockerEngineProblem,
  type RuntimeName,
} from "./detect.ts";

/** The runtime chosen, and why; lib/runtime/adapters.ts loads its adapter. */
export interface RuntimeChoice {
  readonly name: RuntimeName;
  /** Executable name to run. */
  readonly executable: string;
  /** For --verbose. */
  readonly reason: string;
  /** False when the executable was not found (allowed on --dry-run only). */
  readonly found: boolean;
}

/** How to install each runtime, for error messages. */
export const INSTALL_HINTS: Readonly<Record<RuntimeName, string>> = {
  podman:
    "install Podman Desktop on macOS (podman-desktop.io), the podman package or HPC module on Linux",
  docker: "install Docker (docs.docker.com/engine/install) and start its engine",
  singularity: "on an HPC cluster try 'module load singularity' (sylabs.io/singularity)",
  apptainer: "on an HPC cluster try 'module load apptainer' (apptainer.org)",
};

/**
 * Pick a runtime. `requested` is `--backend` or `LLM_BACKEND` (default auto);
 * `auto` takes the first of `autoOrder(os)` found on PATH.
 * With `dryRun`, a missing runtime is tolerated so the command can still be shown.
 * `engineProblem` says why a found runtime cannot work (docker without an
 * engine); auto passes over such a runtime when a later one is found.
 * `origin` names where `requested` came from, for --verbose.
 *
 * @example
 * ```ts ignore
 * selectRuntime("auto", (n) => n === "apptainer" ? "/usr/bin/apptainer" : null, false, "linux");
 * // { executable: "apptainer", found: true, reason: "apptainer: first found on PATH ...", ... }
 * ```
 */
export function selectRuntime(
  requested: string | undefined,
  which: (name: string) => string | null,
  dryRun: boolean,
  os: string,
  engineProblem: (name: RuntimeName) => string | null = () => null,
  origin = "--backend or LLM_BACKEND",
): RuntimeChoice {
  const name = requested === undefined || requested === "" ? "auto" : requested;
  if (!(BACKENDS as readonly string[]).includes(name)) {
    throw new UsageError(`unknown backend '${name}': use one of ${BACKENDS.join(", ")}`);
  }
  if (name === "auto") return selectAuto(which, dryRun, os, engineProblem);
  const wanted = name as RuntimeName;
  const path = which(wanted);
  if (path === null && !dryRun) {
    throw new LlmError(
      `backend ${wanted} was requested but ${wanted} is not on PATH; ${INSTALL_HINTS[wanted]}`,
    );
  }
  return {
    name: wanted,
    executable: wanted,
    reason: `${wanted}: requested with ${origin}${
      path === null ? " (not found on PATH)" : ` (${path})`
    }`,
    found: path !== null,
  };
}

function selectAuto(
  which: (name: string) => string | null,
  dryRun: boolean,
  os: string,
  engineProblem: (name: RuntimeName) => string | null,
): RuntimeChoice {
  const order = autoOrder(os);
  const missing: string[] = [];
  const unusable: { name: RuntimeName; path: string; problem: string }[] = [];
  for (const name of order) {
    const path = which(name);
    if (path === null) {
      missing.push(name);
      continue;
    }
    const problem = engineProblem(name);
    if (problem !== null) {
      unusable.push({ name, path, problem });
      continue;
    }
    const notes = [
      ...(missing.length ? [`not found: ${missing.join(", ")}`] : []),
      ...unusable.map((u) => `${u.name} passed over: ${u.problem}`),
    ];
    return {
      name,
      executable: name,
      reason: `${name}: first found on PATH (${path}) in the ${os} order ` +
        `${order.join(", ")}${notes.length ? `; ${notes.join("; ")}` : ""}`,
      found: true,
    };
  }
  if (unusable.length > 0) {
    const first = unusable[0];
    if (!dryRun) {
      throw new LlmError(
        `${first.name} is on PATH (${first.path}) but its engine is not running: ` +
          `${first.problem}; ${INSTALL_HINTS[first.name]}, set DOCKER_HOST, or ` +
          `use --backend ${first.name} to try anyway`,
      );
    }
    return {
      name: first.name,
      executable: first.name,
      reason: `${first.name}: found on PATH (${first.path}), shown although ${first.problem}`,
      found: true,
    };
  }
  if (!dryRun) {
    throw new LlmError(
      `no container runtime found on PATH (looked for ${order.join(", ")}): ` +
        order.map((n) => `${n}: ${INSTALL_HINTS[n]}`).join("; "),
    );
  }
  // Nothing to run with, but --dry-run still shows what a podman launch would be.
  return {
    name: "podman",
    executable: "podman",
    reason: `podman: shown because none of ${order.join(", ")} is on PATH`,
    found: false,
  };
}

/** The engine check `selectRuntime` takes, over host facts (a `System`). */
export function engineCheck(facts: DockerEngineFacts): (name: RuntimeName) => string | null {
  return (name) => name === "docker" ? dockerEngineProblem(facts) : null;
}
