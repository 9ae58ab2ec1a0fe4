/**
 * Host path arithmetic shared by the planner's steps: `~` expansion,
 * trailing slashes, containment. Pure string work, no file system.
 */
import { isAbsolute, join, relative, resolve } from "../std/path.ts";

/** Expand a leading `~` and make `path` absolute against `cwd`. */
export function hostPath(path: string, home: string, cwd: string): string {
  if (path === "~") return home;
  if (path.startsWith("~/")) return join(home, path.slice(2));
  return resolve(cwd, path);
}

/** Drop a trailing slash (but keep `/`). */
export function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

/** True when `inner` is `outer` or lies below it. */
export function isWithin(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}
