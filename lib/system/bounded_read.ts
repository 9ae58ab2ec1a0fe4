/**
 * Reading a small file that someone else may have replaced (a project file
 * in the workspace, a session copy): a symlink, FIFO, device or huge file
 * swapped in between a check and the read can neither redirect, hang nor
 * flood the reader.
 *
 * Deno's open takes no O_NOFOLLOW or O_NONBLOCK (node:fs would pass them,
 * but costs about 40 ms to load on every launch that reads a file). So the
 * entry is looked at first (lstat, or stat when links are followed), and
 * only a regular file within the limit is opened; the open file must then
 * be that same inode, or nothing is read. A FIFO swapped in after the look
 * would hold the open until a writer comes: the open is given a few
 * seconds, after which the entry counts as "other" and is left alone.
 */
import type { BoundedRead } from "./system.ts";

/** Ample for a regular file, even on a slow network file system. */
const OPEN_WAIT_MS = 5000;

/** Seams for the tests: a swap between the look and the open, a shorter wait. */
export interface BoundedReadHooks {
  /** Called after the look, before the open. */
  readonly afterLook?: () => void;
  readonly openWaitMs?: number;
  /** The open's time limit (default `AbortSignal.timeout`). */
  readonly timeout?: (ms: number) => AbortSignal;
}

type Look =
  | { readonly kind: "file"; readonly info: Deno.FileInfo }
  | { readonly kind: "absent" | "symlink" | "dir" | "other" | "too-large" };

/** See `System.readBounded`. */
export async function readBounded(
  path: string,
  limit: number,
  followSymlinks: boolean,
  hooks: BoundedReadHooks = {},
): Promise<BoundedRead> {
  const looked = look(path, limit, followSymlinks);
  if (looked.kind !== "file") return looked;
  hooks.afterLook?.();
  const wait = hooks.openWaitMs ?? OPEN_WAIT_MS;
  const file = await openWithin(path, (hooks.timeout ?? AbortSignal.timeout)(wait));
  if (file === null) return { kind: "other" };
  try {
    const info = file.statSync();
    if (info.ino !== looked.info.ino || info.dev !== looked.info.dev || !info.isFile) {
      // Replaced since the look: by a link (not followed) or anything else.
      const now = followSymlinks ? null : look(path, limit, false);
      return { kind: now?.kind === "symlink" ? "symlink" : "other" };
    }
    if (info.size > limit) return { kind: "too-large" };
    const bytes = readUpTo((into) => file.readSync(into), info.size, limit);
    return bytes === null ? { kind: "too-large" } : { kind: "file", bytes };
  } finally {
    file.close();
  }
}

/**
 * The whole of an open file, through `read` (bytes read into `into`; 0 or
 * null at the end), or null past `limit` bytes. The buffer starts at the
 * size the file had (one byte more tells a file still growing) and doubles
 * as needed: a limit of 64 MiB must not cost a 64 MiB buffer for every
 * small file (zeroing it takes milliseconds).
 */
export function readUpTo(
  read: (into: Uint8Array) => number | null,
  size: number,
  limit: number,
): Uint8Array | null {
  let buf = new Uint8Array(Math.min(size, limit) + 1);
  let n = 0;
  for (;;) {
    if (n === buf.length) {
      if (n > limit) return null;
      const bigger = new Uint8Array(Math.min(buf.length * 2, limit + 1));
      bigger.set(buf);
      buf = bigger;
    }
    const got = read(buf.subarray(n));
    if (got === null || got === 0) break;
    n += got;
  }
  return n > limit ? null : buf.slice(0, n);
}

/** What is at `path`, without opening it. */
function look(path: string, limit: number, followSymlinks: boolean): Look {
  let info: Deno.FileInfo;
  const stackLimit = Error.stackTraceLimit;
  // Misses are common and their stack traces never shown.
  Error.stackTraceLimit = 0;
  try {
    info = followSymlinks ? Deno.statSync(path) : Deno.lstatSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { kind: "absent" };
    // A dangling link when following, or a loop: nothing to read.
    if (e instanceof Deno.errors.FilesystemLoop) return { kind: "other" };
    throw e;
  } finally {
    Error.stackTraceLimit = stackLimit;
  }
  if (info.isSymlink) return { kind: "symlink" };
  if (info.isDirectory) return { kind: "dir" };
  if (!info.isFile) return { kind: "other" };
  if (info.size > limit) return { kind: "too-large" };
  return { kind: "file", info };
}

/**
 * Open `path` for reading, or null when `signal` fires first (a FIFO with
 * no writer). A late open is closed when it comes. The wait uses
 * `AbortSignal.timeout`, which, unlike a first `setTimeout`, does not load
 * Deno's timer module (about 10 ms); without its listener it keeps no
 * process alive.
 */
async function openWithin(path: string, signal: AbortSignal): Promise<Deno.FsFile | null> {
  const opening = Deno.open(path, { read: true });
  let timedOut = () => {};
  const late = new Promise<null>((resolve) => {
    timedOut = () => resolve(null);
    signal.addEventListener("abort", timedOut, { once: true });
  });
  try {
    const file = await Promise.race([opening, late]);
    if (file === null) opening.then((f) => f.close(), () => {});
    return file;
  } finally {
    // A timeout with a listener holds the process open until it fires.
    signal.removeEventListener("abort", timedOut);
  }
}
