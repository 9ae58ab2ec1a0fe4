/**
 * What the planner may know about the host. Everything is a plain value or a
 * read-only query, so tests hand in a fake host and the planner stays pure.
 */

/** Kind of a file system entry, after following symlinks. */
export type FileKind = "file" | "dir" | "other";

/** Read-only view of the host for planning a launch. */
export interface HostFacts {
  readonly env: Readonly<Record<string, string>>;
  /** Working directory, absolute. */
  readonly cwd: string;
  /** The invoking user's home, absolute. */
  readonly home: string;
  /** `Deno.build.os`: "darwin", "linux", ... */
  readonly os: string;
  /** `Deno.build.arch`: "x86_64" or "aarch64". */
  readonly arch: string;
  readonly uid: number;
  readonly gid: number;
  /** Kind of `path` (symlinks followed), or null when absent. */
  stat(path: string): FileKind | null;
  /** Canonical path with symlinks resolved, or null when absent. */
  realPath(path: string): string | null;
  /** The text of the symlink at `path` (not followed), or null when `path` is not a symlink. */
  readLink(path: string): string | null;
  /** Hard-link count of the entry at `path` (symlinks followed), or null when absent. */
  linkCount(path: string): number | null;
  /**
   * Whether looking at `path` is refused for lack of permission (it, or a
   * directory on the way, may exist but cannot be searched), so a message
   * can say "permission denied" rather than "does not exist".
   */
  denied(path: string): boolean;
  /** The first `bytes` bytes of a file, or null when unreadable. */
  readHead(path: string, bytes: number): Uint8Array | null;
}

/** How to say that `path` could not be found: absent, or hidden by permissions. */
export function missing(facts: HostFacts, path: string): string {
  return facts.denied(path) ? "cannot be read (permission denied)" : "does not exist";
}
