/**
 * Podman: `podman run` argv for a launch plan.
 */
import { CONTAINER_GID, CONTAINER_HOME, CONTAINER_UID } from "../launch/container.ts";
import type { LaunchPlan } from "../launch/plan.ts";
import type { Mount } from "../launch/mounts.ts";
import { ociCommand, volumeArgs } from "./_oci_args.ts";
import { podmanResourceArgs } from "./resources.ts";
import type { InvocationFacts, RuntimeAdapter, RuntimeCommand } from "./runtime.ts";
import { SCRATCH_STARTED, scratchPath } from "./scratch.ts";

/** True when podman runs rootful: invoked as root on Linux (a podman machine is rootless). */
export function podmanRootful(facts: Pick<InvocationFacts, "os" | "uid">): boolean {
  return facts.os === "linux" && facts.uid === 0;
}

/**
 * User mapping, so the agent can write its home while files it writes to the
 * workspace belong to the invoking host user.
 *
 * Rootless: keep-id maps the host user onto the image's uid 1000, the owner
 * of its home. Rootful (invoked as root): no user namespace at all, since an
 * explicit `--uidmap` fails on the default overlay storage of kernels >= 5.19
 * (podman #15312); the agent runs as root without capabilities (so it is no
 * stronger than an ordinary user) and gets a fresh home on a tmpfs owned by
 * it, filled from the image's home.
 */
export function podmanUserArgs(facts: InvocationFacts, home = CONTAINER_HOME): string[] {
  if (!podmanRootful(facts)) {
    return [
      `--userns=keep-id:uid=${CONTAINER_UID},gid=${CONTAINER_GID}`,
      `--user=${CONTAINER_UID}:${CONTAINER_GID}`,
    ];
  }
  return ["--user=0:0", "--mount", `type=tmpfs,destination=${home},U=true`];
}

/** The `-v`/`--mount` arguments for one mount. */
export function podmanMountArgs(mount: Mount, scratch: string): string[] {
  // Podman copies a hidden directory's contents into a tmpfs unless told not to.
  return volumeArgs(mount, "podman", { dir: "notmpcopyup", file: "empty-file" }, scratch, [
    "nosuid",
    "nodev",
  ]);
}

/** `podman run` for a plan. */
export function podmanCommand(plan: LaunchPlan, facts: InvocationFacts): RuntimeCommand {
  const home = plan.env.find(([k]) => k === "HOME")?.[1] ?? CONTAINER_HOME;
  return ociCommand(plan, facts, "podman", {
    user: podmanUserArgs(facts, home),
    // Podman copies the host's proxy variables in by itself (FTP_PROXY too);
    // the plan already carries the ones a container may see.
    extra: ["--http-proxy=false"],
    mounts: plan.mounts.flatMap((m) => podmanMountArgs(m, facts.scratch)),
    resources: podmanResourceArgs(plan.resources ?? {}, facts.os),
  }, scratchPath(facts.scratch, SCRATCH_STARTED));
}

export const podman: RuntimeAdapter = { name: "podman", scratchDirs: [], command: podmanCommand };
