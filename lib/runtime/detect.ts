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

/** What the docker engine check may look at; a `System` provides all of it. */
export interface DockerEngineFacts {
  readonly env: Readonly<Record<string, string>>;
  readonly home: string;
  readonly os: string;
  /** Kind of `path`, or null when absent (a socket is "other"). */
  stat(path: string): "file" | "dir" | "other" | null;
  /** A text file's contents, or null when absent. */
  readText(path: string): string | null;
}

/**
 * Why the docker client on PATH has no engine to talk to, or null when it
 * may have one. Cheap (a stat or two, no process): DOCKER_HOST=unix://PATH
 * and the default sockets (/var/run/docker.sock; on macOS also Docker
 * Desktop's ~/.docker/run/docker.sock) are checked for existence. Where the
 * engine is elsewhere (DOCKER_HOST=tcp:// or ssh://, a DOCKER_CONTEXT or a
 * current context in the docker config) only a connection could tell, so
 * the engine is given the benefit of the doubt.
 *
 * @example
 * ```ts
 * import { dockerEngineProblem } from "./detect.ts";
 * dockerEngineProblem({
 *   env: { DOCKER_HOST: "tcp://10.0.0.5:2376" }, home: "/home/me", os: "linux",
 *   stat: () => null, readText: () => null,
 * }); // null: a remote engine cannot be checked cheaply
 * ```
 */
export function dockerEngineProblem(facts: DockerEngineFacts): string | null {
  const host = facts.env.DOCKER_HOST ?? "";
  if (host !== "") {
    if (!host.startsWith("unix://")) return null;
    const socket = host.slice("unix://".length);
    return facts.stat(socket) === null ? `no engine socket at ${socket} (DOCKER_HOST)` : null;
  }
  if ((facts.env.DOCKER_CONTEXT ?? "default") !== "default") return null;
  const sockets = facts.os === "darwin"
    ? ["/var/run/docker.sock", `${facts.home}/.docker/run/docker.sock`]
    : ["/var/run/docker.sock"];
  if (sockets.some((s) => facts.stat(s) !== null)) return null;
  // Only now, off the happy path: a current context may point elsewhere.
  const configDir = facts.env.DOCKER_CONFIG || `${facts.home}/.docker`;
  if (currentContext(facts.readText(`${configDir}/config.json`)) !== "default") return null;
  return `no engine socket at ${sockets.join(" or ")}`;
}

/** The `currentContext` of a docker config.json ("default" when unset or unreadable). */
function currentContext(text: string | null): string {
  if (text === null) return "default";
  try {
    const value = (JSON.parse(text) as { currentContext?: unknown }).currentContext;
    return typeof value === "string" && value !== "" ? value : "default";
  } catch {
    // docker itself refuses a malformed config; let it say so.
    return "unknown";
  }
}
