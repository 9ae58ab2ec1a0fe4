/**
 * POSIX path functions: the few of std's `@std/path/posix` that llm uses,
 * with the same results (tests/unit/std/path_test.ts compares them with
 * std's on a table of paths). Host paths (macOS, Linux) and container paths
 * are all POSIX.
 *
 * Written out rather than re-exported from std, which arrives from npm: the
 * launch path would otherwise start Deno's npm resolver and load std's whole
 * path module (about 30 files) before anything else runs, which was a fifth
 * of `llm --dry-run codex`'s start-up cost over an empty script.
 *
 * @example
 * ```ts
 * import { join, relative, resolve } from "./path.ts";
 * join("/a/b", "../c", "d/"); // "/a/c/d/"
 * relative("/a/b", "/a/c/d"); // "../c/d"
 * resolve("/a", "b", "./c"); // "/a/b/c"
 * ```
 */

/** `path` with `.` and `..` segments resolved and repeated slashes collapsed, keeping a trailing slash. */
export function normalize(path: string): string {
  if (path === "") return ".";
  const absolute = path.startsWith("/");
  const trailing = path.endsWith("/");
  const out = normalizeSegments(path, !absolute);
  if (out === "" && !absolute) return trailing ? "./" : ".";
  const body = out + (out !== "" && trailing ? "/" : "");
  return absolute ? `/${body}` : body;
}

/** The segments of `path` with `.` and `..` resolved; `..` above the start kept when `keepUp`. */
function normalizeSegments(path: string, keepUp: boolean): string {
  const out: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (keepUp) out.push("..");
    } else {
      out.push(segment);
    }
  }
  return out.join("/");
}

/** Join the non-empty `paths` with `/` and normalize; `"."` when all are empty. */
export function join(...paths: string[]): string {
  const joined = paths.filter((p) => p !== "").join("/");
  return joined === "" ? "." : normalize(joined);
}

/** The absolute path `paths` lead to, right to left, from the working directory when needed. */
export function resolve(...paths: string[]): string {
  let resolved = "";
  let absolute = false;
  for (let i = paths.length - 1; i >= -1 && !absolute; i--) {
    const path = i >= 0 ? paths[i] : Deno.cwd();
    if (path === "") continue;
    resolved = `${path}/${resolved}`;
    absolute = path.startsWith("/");
  }
  const body = normalizeSegments(resolved, !absolute);
  return absolute ? `/${body}` : body === "" ? "." : body;
}

/** Whether `path` starts at the root. */
export function isAbsolute(path: string): boolean {
  return path.startsWith("/");
}

/** `path` without trailing slashes (but `/` stays `/`). */
function stripTrailing(path: string): string {
  let end = path.length;
  while (end > 1 && path[end - 1] === "/") end--;
  return path.slice(0, end);
}

/** The directory part of `path`: `"."` for a bare name, `/` at the root. */
export function dirname(path: string): string {
  if (path === "") return ".";
  const stripped = stripTrailing(path);
  const slash = stripped.lastIndexOf("/");
  if (slash === -1) return ".";
  const dir = stripTrailing(stripped.slice(0, slash));
  return dir === "" ? "/" : dir;
}

/** The last segment of `path` (`/` for the root), without `suffix` when it ends so (and is not all of it). */
export function basename(path: string, suffix = ""): string {
  const stripped = stripTrailing(path);
  if (stripped === "/") return "/";
  const base = stripped.slice(stripped.lastIndexOf("/") + 1);
  return suffix !== "" && base !== suffix && base.endsWith(suffix)
    ? base.slice(0, -suffix.length)
    : base;
}

/** The path from `from` to `to`, both resolved first; `""` when they are the same. */
export function relative(from: string, to: string): string {
  const a = resolve(from).split("/").filter(Boolean);
  const b = resolve(to).split("/").filter(Boolean);
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  return [...a.slice(common).map(() => ".."), ...b.slice(common)].join("/");
}
