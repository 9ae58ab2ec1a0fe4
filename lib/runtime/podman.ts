/**
 * Podman: `podman run` argv for a launch plan.
 */
import { CONTAINER_GID, CONTAINER_UID } from "../launch/container.ts";
import type { LaunchPlan } from "../launch/plan.ts";
import type { Mount } from "../launch/mounts.ts";
import { volumeArgs } from "./_volume_args.ts";
import type { InvocationFacts, RuntimeAdapter, RuntimeCommand } from "./runtime.ts";

/**
 * User mapping so the agent runs as the image's uid 1000 (owner of its home)
 * while files it writes to the workspace belong to the invoking host user.
 *
 * Rootless: keep-id maps the host user onto 1000. Rootful (invoked as root)
 * has no keep-id, so an explicit user namespace maps container 1000 onto the
 * invoking uid and the rest of the container's ids onto a high range that
 * subordinate-id allocations (which start near 100000) do not reach.
 */
export function podmanUserArgs(facts: InvocationFacts): string[] {
  const user = `--user=${CONTAINER_UID}:${CONTAINER_GID}`;
  if (facts.os !== "linux" || facts.uid !== 0) {
    return [`--userns=keep-id:uid=${CONTAINER_UID},gid=${CONTAINER_GID}`, user];
  }
  const map = (flag: string, hostId: number, id: number) => [
    `${flag}=${id}:${hostId}:1`,
    `${flag}=0:${ROOTFUL_BASE}:${id}`,
    `${flag}=${id + 1}:${ROOTFUL_BASE + id + 1}:${ROOTFUL_SIZE - id - 1}`,
  ];
  return [
    ...map("--uidmap", facts.uid, CONTAINER_UID),
    ...map("--gidmap", facts.gid, CONTAINER_GID),
    user,
  ];
}

/** Start of the host id range that rootful launches map the container's other ids onto. */
const ROOTFUL_BASE = 1_000_000_000;
const ROOTFUL_SIZE = 65536;

/** The `-v`/`--mount` arguments for one mount. */
export function podmanMountArgs(mount: Mount): string[] {
  // Podman copies a hidden directory's contents into a tmpfs unless told not to.
  return volumeArgs(mount, "podman", "notmpcopyup");
}

/** `podman run` for a plan. */
export function podmanCommand(plan: LaunchPlan, facts: InvocationFacts): RuntimeCommand {
  const argv = [facts.executable, "run", "--rm", "-i"];
  if (facts.tty) argv.push("-t");
  // A real init as PID 1 so SIGTERM reaches the agent (PID 1 ignores
  // unhandled signals) and orphaned children are reaped.
  argv.push("--init", `--platform=${plan.platform}`);
  argv.push(...podmanUserArgs(facts));
  for (const [k, v] of plan.env) argv.push("--env", `${k}=${v}`);
  for (const m of plan.mounts) argv.push(...podmanMountArgs(m));
  argv.push(`--workdir=${plan.workdir}`, plan.image, ...plan.command);
  return { argv };
}

export const podman: RuntimeAdapter = { name: "podman", command: podmanCommand };
