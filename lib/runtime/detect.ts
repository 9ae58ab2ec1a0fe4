/**
 * Which container runtime is on this machine: the `auto` order per OS.
 */

/** Runtimes `auto` can pick. */
export type RuntimeName = "podman" | "docker" | "singularity" | "apptainer";

/**
 * The order `auto` tries: on macOS podman then docker; elsewhere the HPC
 * runtimes first (apptainer, singularity), then podman, then docker.
 */
export function autoOrder(os: string): readonly RuntimeName[] {
  return os === "darwin" ? ["podman", "docker"] : ["apptainer", "singularity", "podman", "docker"];
}

/** A runtime found on PATH. */
export interface Detected {
  readonly name: RuntimeName;
  /** Where it was found. */
  readonly path: string;
}

/**
 * The first runtime of `autoOrder(os)` that `which` finds, or null.
 *
 * @example
 * ```ts
 * import { detectRuntime } from "./detect.ts";
 * detectRuntime("linux", (n) => n === "podman" ? "/usr/bin/podman" : null);
 * // { name: "podman", path: "/usr/bin/podman" }
 * ```
 */
export function detectRuntime(
  os: string,
  which: (name: string) => string | null,
): Detected | null {
  for (const name of autoOrder(os)) {
    const path = which(name);
    if (path !== null) return { name, path };
  }
  return null;
}
