/**
 * Reading a small file that someone else may have replaced: one open with
 * O_NOFOLLOW (when asked) and O_NONBLOCK, then checks on the open file
 * itself, so a symlink, FIFO, device or huge file swapped in between a check
 * and the read can neither redirect, hang nor flood the reader. Deno's own
 * open has no such flags; node:fs passes them through (and costs ~30 ms to
 * load, so this module loads only when a config file is read).
 */
import * as fs from "node:fs";
import type { BoundedRead } from "./system.ts";

/** See `System.readBounded`. */
export function readBounded(path: string, limit: number, followSymlinks: boolean): BoundedRead {
  const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
  let fd: number;
  try {
    fd = fs.openSync(path, O_RDONLY | O_NONBLOCK | (followSymlinks ? 0 : O_NOFOLLOW));
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ENOENT") return { kind: "absent" };
    if (code === "ELOOP" && !followSymlinks) return { kind: "symlink" };
    // A socket cannot be opened at all.
    if (code === "ENXIO" || code === "EOPNOTSUPP") return { kind: "other" };
    throw e;
  }
  try {
    const info = fs.fstatSync(fd);
    if (info.isDirectory()) return { kind: "dir" };
    if (!info.isFile()) return { kind: "other" };
    if (info.size > limit) return { kind: "too-large" };
    // One byte more than the limit tells a file that grew since fstat.
    const buf = new Uint8Array(limit + 1);
    let n = 0;
    while (n < buf.length) {
      const got = fs.readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    if (n > limit) return { kind: "too-large" };
    return { kind: "file", bytes: buf.slice(0, n) };
  } finally {
    fs.closeSync(fd);
  }
}
