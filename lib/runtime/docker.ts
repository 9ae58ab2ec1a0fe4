/**
 * Docker: `docker run` argv for a launch plan, the same shape as podman's.
 *
 * Docker has no `--userns=keep-id`, so the user the agent runs as is chosen
 * so that workspace files come out owned by the invoking host user:
 *
 * - macOS (Docker Desktop): the image's user (1000); the file-sharing layer
 *   gives files written to bind mounts to the macOS user.
 * - Linux, rootless engine: container root (0), which the engine maps onto
 *   the invoking user.
 * - Linux, rootful engine: the invoking uid:gid.
 *
 * When that user is not the image's 1000, the image home is not theirs, and
 * without capabilities not even root may write it: the home is then a fresh
 * tmpfs owned by the agent's user (Docker copies nothing into it).
 */
import { CONTAINER_GID, CONTAINER_HOME, CONTAINER_UID } from "../launch/container.ts";
import type { LaunchPlan } from "../launch/plan.ts";
import type { Mount } from "../launch/mounts.ts";
import { ociCommand, volumeArgs } from "./_oci_args.ts";
import { dockerResourceArgs } from "./resources.ts";
import type { InvocationFacts, RuntimeAdapter, RuntimeCommand } from "./runtime.ts";

/** The `--user` for a docker launch, and a tmpfs home when the image's is not the user's. */
export function dockerUserArgs(facts: InvocationFacts, home = CONTAINER_HOME): string[] {
  if (facts.os !== "linux") return [`--user=${CONTAINER_UID}:${CONTAINER_GID}`];
  const [uid, gid] = facts.rootless ? [0, 0] : [facts.uid, facts.gid];
  const user = `--user=${uid}:${gid}`;
  if (uid === CONTAINER_UID) return [user];
  // Docker mounts a tmpfs noexec unless told otherwise; tools install into the home.
  return [user, `--tmpfs=${home}:exec,uid=${uid},gid=${gid},mode=0700`];
}

/** The `-v`/`--mount` arguments for one mount. */
export function dockerMountArgs(mount: Mount, scratch: string): string[] {
  // Docker's -v takes no nosuid/nodev; no-new-privileges and no capabilities
  // take the power out of setuid files and device nodes instead.
  return volumeArgs(mount, "docker", { dir: "bind", file: "empty-file" }, scratch);
}

/**
 * `docker run` for a plan.
 *
 * @example
 * ```ts ignore
 * dockerCommand(plan, { executable: "docker", tty: false, uid: 1000, gid: 1000, os: "linux", scratch: "/tmp/llm-1" });
 * // { argv: ["docker", "run", "--rm", "-i", "--init", "--platform=linux/amd64", "--user=1000:1000", ...] }
 * ```
 */
export function dockerCommand(plan: LaunchPlan, facts: InvocationFacts): RuntimeCommand {
  const home = plan.env.find(([k]) => k === "HOME")?.[1] ?? CONTAINER_HOME;
  return ociCommand(plan, facts, "docker", {
    user: dockerUserArgs(facts, home),
    extra: [],
    mounts: plan.mounts.flatMap((m) => dockerMountArgs(m, facts.scratch)),
    resources: dockerResourceArgs(plan.resources ?? {}, facts.os),
  });
}

export const docker: RuntimeAdapter = { name: "docker", scratchDirs: [], command: dockerCommand };

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
