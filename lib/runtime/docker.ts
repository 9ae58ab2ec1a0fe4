/**
 * Docker: `docker run` argv for a launch plan, the same shape as podman's.
 *
 * Docker has no `--userns=keep-id`, so the user the agent runs as is chosen
 * so that workspace files come out owned by the invoking host user:
 *
 * - macOS (Docker Desktop): the image's user (1000); the file-sharing layer
 *   gives files written to bind mounts to the macOS user.
 * - Linux, rootless engine: container root (0), which the engine maps onto
 *   the invoking user; root in that namespace can also write the image home.
 * - Linux, rootful engine: the invoking uid:gid. With uid 1000 (or 0) the
 *   image home is writable too; otherwise only the mounted credential paths
 *   under it are, and the launch says so.
 */
import { CONTAINER_GID, CONTAINER_HOME, CONTAINER_UID } from "../launch/container.ts";
import type { LaunchPlan } from "../launch/plan.ts";
import type { Mount } from "../launch/mounts.ts";
import { volumeArgs } from "./_volume_args.ts";
import type { InvocationFacts, RuntimeAdapter, RuntimeCommand } from "./runtime.ts";

/** The `--user` for a docker launch, and a warning when the home stays read-only. */
export function dockerUser(facts: InvocationFacts): { arg: string; warning?: string } {
  if (facts.os !== "linux") return { arg: `--user=${CONTAINER_UID}:${CONTAINER_GID}` };
  if (facts.rootless) return { arg: "--user=0:0" };
  const arg = `--user=${facts.uid}:${facts.gid}`;
  if (facts.uid === 0 || facts.uid === CONTAINER_UID) return { arg };
  return {
    arg,
    warning: `rootful docker runs the agent as your uid ${facts.uid}, but ${CONTAINER_HOME} ` +
      `belongs to uid ${CONTAINER_UID} in the image: only the mounted credential paths there ` +
      `are writable (rootless docker or podman avoid this)`,
  };
}

/** The `-v`/`--mount` arguments for one mount. */
export function dockerMountArgs(mount: Mount): string[] {
  return volumeArgs(mount, "docker", "tmpfs-mode=0555");
}

/**
 * `docker run` for a plan.
 *
 * @example
 * ```ts ignore
 * dockerCommand(plan, { executable: "docker", tty: false, uid: 1000, gid: 1000, os: "linux" });
 * // { argv: ["docker", "run", "--rm", "-i", "--init", "--platform=linux/amd64", "--user=1000:1000", ...] }
 * ```
 */
export function dockerCommand(plan: LaunchPlan, facts: InvocationFacts): RuntimeCommand {
  const argv = [facts.executable, "run", "--rm", "-i"];
  if (facts.tty) argv.push("-t");
  // As for podman: an init as PID 1 forwards signals to the agent and reaps orphans.
  argv.push("--init", `--platform=${plan.platform}`);
  const user = dockerUser(facts);
  argv.push(user.arg);
  for (const [k, v] of plan.env) argv.push("--env", `${k}=${v}`);
  for (const m of plan.mounts) argv.push(...dockerMountArgs(m));
  argv.push(`--workdir=${plan.workdir}`, plan.image, ...plan.command);
  return { argv, warnings: user.warning ? [user.warning] : [] };
}

export const docker: RuntimeAdapter = { name: "docker", command: dockerCommand };

/**
 * True when `docker info --format '{{json .SecurityOptions}}'` output says
 * the engine is rootless.
 */
export function isRootlessDockerInfo(securityOptions: string): boolean {
  return /name=rootless/.test(securityOptions);
}

/** The argv that asks the engine for its security options. */
export function dockerInfoArgv(executable: string): string[] {
  return [executable, "info", "--format", "{{json .SecurityOptions}}"];
}
