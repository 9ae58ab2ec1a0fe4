/**
 * Reading config files as possibly hostile input: each must be a regular
 * UTF-8 file of at most `CONFIG_SIZE_LIMIT` bytes, found out without reading
 * more than that (a symlink to /dev/zero once ate 3 GB) and without blocking
 * (a FIFO). The project file lives in the workspace, where the agent writes,
 * so a symlink there is refused too; the user config and the trust store may
 * be symlinks (dotfile managers), and only their targets are checked.
 */
import { LlmError } from "../errors.ts";
import type { System } from "../system/system.ts";

/** Largest config file read: 1 MiB. */
export const CONFIG_SIZE_LIMIT = 1024 * 1024;

/** Largest trust store read: 16 MiB (it holds an entry per trusted project). */
export const TRUST_STORE_SIZE_LIMIT = 16 * 1024 * 1024;

/**
 * A config file's text, its absence, or what is wrong with it (`is a
 * symlink`); `denied` when opening it was refused (permission denied), which
 * may be the file's fault or its directory's.
 */
export type ConfigRead =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "absent" }
  | { readonly kind: "unusable"; readonly problem: string; readonly denied?: boolean };

/** Human size for a limit: `1 MiB`. */
export function sizeLabel(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

/** Read `path` as a config file; never throws for what is found there. */
export async function readConfigFile(
  system: System,
  path: string,
  options: { followSymlinks: boolean; limit?: number },
): Promise<ConfigRead> {
  const limit = options.limit ?? CONFIG_SIZE_LIMIT;
  let got;
  try {
    got = await system.readBounded(path, limit, options.followSymlinks);
  } catch (e) {
    if (isPermissionDenied(e)) {
      return { kind: "unusable", problem: "cannot be read: permission denied", denied: true };
    }
    return { kind: "unusable", problem: `cannot be read: ${(e as Error).message}` };
  }
  switch (got.kind) {
    case "absent":
      return { kind: "absent" };
    case "symlink":
      return { kind: "unusable", problem: "is a symlink, not a regular file" };
    case "dir":
      return { kind: "unusable", problem: "is a directory, not a regular file" };
    case "other":
      return { kind: "unusable", problem: "is not a regular file (a FIFO, socket or device)" };
    case "too-large":
      return {
        kind: "unusable",
        problem: `is larger than ${sizeLabel(limit)}, the limit for config files`,
      };
  }
  try {
    return { kind: "text", text: new TextDecoder("utf-8", { fatal: true }).decode(got.bytes) };
  } catch {
    return { kind: "unusable", problem: "is not UTF-8 text" };
  }
}

/** Whether `e` is a refused open: Deno's PermissionDenied or node's EACCES/EPERM. */
export function isPermissionDenied(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof Deno.errors.PermissionDenied || code === "EACCES" || code === "EPERM";
}

/**
 * Read a config file that may be a symlink (the user config, the trust
 * store): its text, or null when absent; anything else is an error naming it.
 */
export async function readSettingsText(
  system: System,
  path: string,
  limit = CONFIG_SIZE_LIMIT,
): Promise<string | null> {
  const got = await readConfigFile(system, path, { followSymlinks: true, limit });
  if (got.kind === "absent") return null;
  if (got.kind === "unusable") {
    throw new LlmError(`config file ${path} ${got.problem}`);
  }
  return got.text;
}
