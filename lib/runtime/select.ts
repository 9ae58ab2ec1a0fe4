/**
 * Choosing the container runtime for a launch.
 */
import { LlmError, UsageError } from "../errors.ts";
import { BACKENDS } from "../cli/options.ts";
import { autoOrder, detectRuntime, type RuntimeName } from "./detect.ts";
import { docker } from "./docker.ts";
import { podman } from "./podman.ts";
import type { RuntimeAdapter } from "./runtime.ts";
import { singularityAdapter } from "./singularity.ts";

/** The runtime chosen, and why. */
export interface RuntimeChoice {
  readonly adapter: RuntimeAdapter;
  /** Executable name to run. */
  readonly executable: string;
  /** For --verbose. */
  readonly reason: string;
  /** False when the executable was not found (allowed on --dry-run only). */
  readonly found: boolean;
}

const ADAPTERS: Readonly<Record<RuntimeName, RuntimeAdapter>> = {
  podman,
  docker,
  singularity: singularityAdapter("singularity"),
  apptainer: singularityAdapter("apptainer"),
};

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
): RuntimeChoice {
  const name = requested === undefined || requested === "" ? "auto" : requested;
  if (!(BACKENDS as readonly string[]).includes(name)) {
    throw new UsageError(`unknown backend '${name}': use one of ${BACKENDS.join(", ")}`);
  }
  if (name === "auto") return selectAuto(which, dryRun, os);
  const wanted = name as RuntimeName;
  const path = which(wanted);
  if (path === null && !dryRun) {
    throw new LlmError(
      `backend ${wanted} was requested but ${wanted} is not on PATH; ${INSTALL_HINTS[wanted]}`,
    );
  }
  return {
    adapter: ADAPTERS[wanted],
    executable: wanted,
    reason: `${wanted}: requested with --backend or LLM_BACKEND${
      path === null ? " (not found on PATH)" : ` (${path})`
    }`,
    found: path !== null,
  };
}

function selectAuto(
  which: (name: string) => string | null,
  dryRun: boolean,
  os: string,
): RuntimeChoice {
  const order = autoOrder(os);
  const found = detectRuntime(os, which);
  if (found) {
    const before = order.slice(0, order.indexOf(found.name));
    return {
      adapter: ADAPTERS[found.name],
      executable: found.name,
      reason: `${found.name}: first found on PATH (${found.path}) in the ${os} order ` +
        `${order.join(", ")}${before.length ? `; not found: ${before.join(", ")}` : ""}`,
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
    adapter: podman,
    executable: "podman",
    reason: `podman: shown because none of ${order.join(", ")} is on PATH`,
    found: false,
  };
}
