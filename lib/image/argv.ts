/**
 * The `podman build` (or `docker build`) command line for a build request.
 */
import type { BuildRequest } from "./request.ts";
import { VERSION_OPTIONS } from "./request.ts";

/** The build secret id the Dockerfile mounts the CA bundle under. */
export const CERTS_SECRET_ID = "mitm_ca_bundle";

/** Where the Dockerfile and its build context are. */
export interface BuildFiles {
  readonly dockerfile: string;
  readonly contextDir: string;
}

/**
 * Argv for building `request` with `executable` (podman and docker take the
 * same options here).
 *
 * @example
 * ```ts
 * import { buildArgv } from "./argv.ts";
 * buildArgv(
 *   { image: "localhost/llm-devcontainer:latest", platform: "linux/amd64", noCache: false },
 *   "podman",
 *   { dockerfile: "/src/Dockerfile", contextDir: "/src" },
 * );
 * // ["podman", "build", "--platform", "linux/amd64", "--tag", "localhost/llm-devcontainer:latest",
 * //  "--file", "/src/Dockerfile", "/src"]
 * ```
 */
export function buildArgv(request: BuildRequest, executable: string, files: BuildFiles): string[] {
  const argv = [executable, "build", "--platform", request.platform, "--tag", request.image];
  if (request.noCache) argv.push("--no-cache");
  if (request.versions) {
    for (const v of VERSION_OPTIONS) {
      const version = request.versions[v.agent];
      if (version !== undefined) argv.push("--build-arg", `${v.buildArg}=${version}`);
    }
  }
  if (request.certs !== undefined) {
    argv.push("--secret", `id=${CERTS_SECRET_ID},src=${request.certs}`);
  }
  argv.push("--file", files.dockerfile, files.contextDir);
  return argv;
}
