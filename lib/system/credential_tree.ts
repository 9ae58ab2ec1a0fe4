/**
 * The real `CredentialTree`: files below a credential root that an agent can
 * write (`~/.aws`, `~/.pi`, ...), read and written without ever following a
 * symlink the agent planted there.
 *
 * Deno has neither `openat` nor `fchdir`, so each operation pins the
 * process's working directory instead: it enters the root, then each
 * directory below it by its single name after `lstat` said it is a real
 * directory, and compares the inode it arrived in with the one it checked
 * (a link swapped in between would land elsewhere). From then on the
 * operation uses names relative to that directory, which no later rename
 * can redirect. The working directory is restored before returning; every
 * step is synchronous, so no other code runs while it is moved.
 *
 * The final name is opened with O_NOFOLLOW (node:fs passes the flag
 * through; this module loads only when refresh needs it), new files are
 * created O_EXCL with their mode, and modes are fixed on the open
 * descriptor or on `.`, never on a path that could have become a link.
 */
import * as fs from "node:fs";
import { join } from "../std/path.ts";
import { readUpTo } from "./bounded_read.ts";
import type { BoundedRead, CredentialTree, TreePath, TreeProblem, TreeResult } from "./system.ts";

/** Prefix of llm's temporary files; the rest of the name is a random UUID. */
export const TEMP_PREFIX = ".llm-tmp-";

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/**
 * Names of llm's own temporary files: `.llm-tmp-<uuid>`, and the
 * `.<uuid>.tmp` that `writeFileAtomic` used before, which a killed refresh
 * may have left holding full credentials.
 */
export const TEMP_NAME = new RegExp(`^(?:\\${TEMP_PREFIX}${UUID}|\\.${UUID}\\.tmp)$`);

/** The real credential tree. */
export function realCredentialTree(): CredentialTree {
  return {
    inspect: (path) =>
      pinned(path, "parent", false, (name) => {
        if (name === null) return ok("dir");
        const st = lstat(name);
        if (st === null) return ok("absent");
        const refused = notFollowed(name, st, path);
        if (refused) return refused;
        if (st.isDirectory()) return ok<"dir">("dir");
        if (st.isFile()) return ok<"file">("file");
        return fail({ kind: "not-file", path: where(path) });
      }, ok<"absent">("absent")),
    read: (path, limit) =>
      pinned(path, "parent", false, (name) => {
        if (name === null) return fail({ kind: "not-file", path: where(path) });
        const got = readNoFollow(name, limit);
        switch (got.kind) {
          case "file":
            return ok(got.bytes);
          case "absent":
            return ok(null);
          case "symlink":
            return fail({ kind: "symlink", path: where(path), target: readLink(name) });
          case "too-large":
            return fail({ kind: "too-large", path: where(path) });
          default:
            return fail({ kind: "not-file", path: where(path) });
        }
      }, ok(null)),
    write: (path, content, mode) =>
      pinned(path, "parent", true, (name) => {
        if (name === null) return fail({ kind: "not-file", path: where(path) });
        const st = lstat(name);
        if (st !== null) {
          const refused = notFollowed(name, st, path);
          if (refused) return refused;
          if (!st.isFile()) return fail({ kind: "not-file", path: where(path) });
        }
        writeBeside(name, content, mode);
        return ok(undefined);
      }, ok(undefined)),
    removeStaleTemps: (dir) =>
      pinned(dir, "self", false, () => {
        const removed: string[] = [];
        for (const name of fs.readdirSync(".")) {
          if (!TEMP_NAME.test(name)) continue;
          const st = lstat(name);
          // unlink never follows a link; a directory of that name is not ours.
          if (st === null || st.isDirectory()) continue;
          fs.unlinkSync(name);
          removed.push(name);
        }
        return ok(removed);
      }, ok([])),
    refuseLinksIn: (dir) =>
      pinned(dir, "self", false, () => {
        for (const name of fs.readdirSync(".").sort()) {
          const st = lstat(name);
          if (st?.isSymbolicLink()) {
            const path = where(dir, dir.rel === "" ? name : `${dir.rel}/${name}`);
            return fail({ kind: "symlink", path, target: readLink(name) });
          }
        }
        return ok(undefined);
      }, ok(undefined)),
  };
}

function ok<T>(value: T): TreeResult<T> {
  return { ok: true, value };
}

function fail(problem: TreeProblem): TreeResult<never> {
  return { ok: false, problem };
}

/** The absolute, unresolved path of `path`, as messages show it. */
function where(path: TreePath, rel = path.rel): string {
  return rel === "" ? path.root : join(path.root, rel);
}

/**
 * Run `fn` with the working directory pinned to the directory that holds
 * `path` ("parent", `fn` gets the last name, or null when `path` is the
 * root) or to `path` itself ("self"). A missing directory gives `absent`
 * unless `create` is set, which makes it 0700.
 */
function pinned<T>(
  path: TreePath,
  pin: "parent" | "self",
  create: boolean,
  fn: (name: string | null) => TreeResult<T>,
  absent: TreeResult<T>,
): TreeResult<T> {
  const parts = path.rel.split("/").filter((p) => p !== "");
  if (parts.some((p) => p === "." || p === "..")) {
    throw new Error(`credential path ${where(path)} must not contain '.' or '..'`);
  }
  const last = pin === "parent" ? parts.pop() ?? null : null;
  let saved: string;
  try {
    saved = Deno.cwd();
  } catch {
    saved = "/";
  }
  try {
    const root = enterRoot(path.root, create);
    if (root !== true) return root === null ? absent : fail(root);
    let done = "";
    for (const part of parts) {
      done = done === "" ? part : `${done}/${part}`;
      const step = enterDir(part, where(path, done), create);
      if (step === null) return absent;
      if (step !== true) return fail(step);
    }
    return fn(last);
  } finally {
    Deno.chdir(saved);
  }
}

/** Enter the trusted root (links followed); null when absent and not created. */
function enterRoot(root: string, create: boolean): true | null | TreeProblem {
  try {
    Deno.chdir(root);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      if (!create) return null;
      fs.mkdirSync(root, { recursive: true, mode: 0o700 });
      Deno.chdir(root);
      return true;
    }
    if (e instanceof Deno.errors.NotADirectory) return { kind: "not-dir", path: root };
    throw e;
  }
}

/** Enter directory `name` of the working directory without following a link. */
function enterDir(name: string, shown: string, create: boolean): true | null | TreeProblem {
  let st = lstat(name);
  let made = false;
  if (st === null) {
    if (!create) return null;
    try {
      // mkdir never follows a link: a name that appeared meanwhile fails here.
      fs.mkdirSync(name, 0o700);
      made = true;
    } catch (e) {
      if ((e as { code?: string }).code !== "EEXIST") throw e;
    }
    st = lstat(name);
    if (st === null) return { kind: "changed", path: shown };
  }
  if (st.isSymbolicLink()) return { kind: "symlink", path: shown, target: readLink(name) };
  if (!st.isDirectory()) return { kind: "not-dir", path: shown };
  Deno.chdir(name);
  const here = fs.statSync(".");
  if (here.ino !== st.ino || here.dev !== st.dev) return { kind: "changed", path: shown };
  // `.` is the directory just entered, never a link; the umask may have narrowed 0700.
  if (made) fs.chmodSync(".", 0o700);
  return true;
}

function notFollowed(name: string, st: fs.Stats, path: TreePath): TreeResult<never> | null {
  return st.isSymbolicLink()
    ? fail({ kind: "symlink", path: where(path), target: readLink(name) })
    : null;
}

/** `lstat` of a name in the working directory, null when absent. */
function lstat(name: string): fs.Stats | null {
  try {
    return fs.lstatSync(name);
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return null;
    throw e;
  }
}

function readLink(name: string): string {
  try {
    return fs.readlinkSync(name);
  } catch {
    return "(unreadable)";
  }
}

/** Write `content` to a new temporary file beside `name`, then rename it over `name`. */
function writeBeside(name: string, content: Uint8Array, mode: number): void {
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
  const tmp = `${TEMP_PREFIX}${crypto.randomUUID()}`;
  // O_CREAT|O_EXCL with `mode`: the file is never more open than `mode`, from its first byte.
  const fd = fs.openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
  try {
    // The umask may have narrowed the mode; fix it on the descriptor, not the path.
    fs.fchmodSync(fd, mode);
    let off = 0;
    while (off < content.length) off += fs.writeSync(fd, content, off, content.length - off);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    try {
      fs.unlinkSync(tmp);
    } catch { /* already gone */ }
    throw e;
  }
  fs.closeSync(fd);
  // rename replaces whatever is at `name`, a link included, and follows nothing.
  fs.renameSync(tmp, name);
}

/**
 * `readBounded` for a pinned directory, where every step must be
 * synchronous: one open with O_NOFOLLOW and O_NONBLOCK, then checks on the
 * open file itself, so a link, FIFO, device or huge file swapped in can
 * neither redirect, hang nor flood the read.
 */
function readNoFollow(path: string, limit: number): BoundedRead {
  const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
  let fd: number;
  try {
    fd = fs.openSync(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ENOENT") return { kind: "absent" };
    if (code === "ELOOP") return { kind: "symlink" };
    // A socket cannot be opened at all.
    if (code === "ENXIO" || code === "EOPNOTSUPP") return { kind: "other" };
    throw e;
  }
  try {
    const info = fs.fstatSync(fd);
    if (info.isDirectory()) return { kind: "dir" };
    if (!info.isFile()) return { kind: "other" };
    if (info.size > limit) return { kind: "too-large" };
    const bytes = readUpTo((into) => fs.readSync(fd, into), info.size, limit);
    return bytes === null ? { kind: "too-large" } : { kind: "file", bytes };
  } finally {
    fs.closeSync(fd);
  }
}
