/**
 * The per-launch temporary directory: what lives in it, by name. Every
 * runtime gets one (mode 0700, made before the launch, removed on every exit
 * path), so nothing a launch needs on the host outlives it.
 */
import type { BindMount } from "../launch/mounts.ts";
import { join } from "../std/path.ts";

/** Shown instead of the real temporary directory on `--dry-run`. */
export const SCRATCH_PLACEHOLDER = "/tmp/llm-XXXXXX";

/** Subdirectory bound as the container home (Singularity/Apptainer). */
export const SCRATCH_HOME = "home";
/** Subdirectory, left empty, bound read-only over masked directories. */
export const SCRATCH_EMPTY = "empty";
/** Empty read-only regular file bound over masked files: reads as empty, writes fail. */
export const SCRATCH_EMPTY_FILE = "empty-file";
/** The environment file podman and docker read (mode 0600; removed once the container exists). */
export const SCRATCH_ENV_FILE = "env";
/** Written by podman/docker once the container is created (`--cidfile`). */
export const SCRATCH_CREATED = "created";
/** Written by podman once the container process has started (`--pidfile`). */
export const SCRATCH_STARTED = "started";
/** Session copies of agent files (see lib/launch/session_copy.ts) live in `session/`. */

/**
 * One thing a launch makes in its temporary directory before the runtime
 * starts, `path` relative to it. Both the launch (lib/runtime/prepare.ts)
 * and the `--dry-run` line (lib/runtime/dry_run.ts) follow the same list, so
 * a pasted line sets up what the launch would.
 */
export type ScratchEntry =
  | { readonly kind: "dir"; readonly path: string; readonly mode: number }
  | { readonly kind: "file"; readonly path: string; readonly mode: number }
  /** A copy of a host file (mode 0600), or `fallback` where it cannot be read. */
  | {
    readonly kind: "copy";
    readonly path: string;
    readonly from: string;
    readonly fallback: string;
  };

/** `name` inside the scratch directory. */
export function scratchPath(scratch: string, name: string): string {
  return join(scratch, name);
}

/** The host path a bind mount binds, once the scratch directory is known. */
export function bindSource(mount: BindMount, scratch: string): string {
  return mount.inScratch ? join(scratch, mount.source) : mount.source;
}
