/**
 * Credential files as places in an agent-writable tree: which directory is
 * the trusted root of each file (the directory a launch mounts, which the
 * agent can fill but not replace), and the one-line errors for whatever the
 * agent may have left there instead of a plain file.
 *
 * @example
 * ```ts
 * import { treePath } from "./tree.ts";
 * treePath("/h", "/h/.pi/agent/auth.json"); // { root: "/h/.pi", rel: "agent/auth.json" }
 * treePath("/h", "/elsewhere/auth.json"); // { root: "/elsewhere", rel: "auth.json" }
 * ```
 */
import { LlmError } from "../errors.ts";
import { basename, dirname, isAbsolute, join, normalize } from "../std/path.ts";
import type { TreePath, TreeProblem, TreeResult } from "../system/system.ts";
import { quoteArgv } from "../text/shell_words.ts";

/** Directories under the home that launches mount read-write for agents. */
export const CREDENTIAL_ROOTS: readonly string[] = [".aws", ".codex", ".pi", ".claude"];

/** The largest credential file refresh reads (a bigger one is not a credential file). */
export const CREDENTIAL_LIMIT = 1024 * 1024;

/**
 * The root and relative part of absolute `path`: below one of the mounted
 * credential directories that directory is the root; any other file (for
 * example `PI_AUTH_PATH` elsewhere, or `~/.claude.json`) has its own
 * directory as the root, so only the file itself must not be a link.
 */
export function treePath(home: string, path: string): TreePath {
  const p = normalize(path);
  for (const r of CREDENTIAL_ROOTS) {
    const root = join(home, r);
    if (p === root) return { root, rel: "" };
    if (p.startsWith(`${root}/`)) return { root, rel: p.slice(root.length + 1) };
  }
  return { root: dirname(p), rel: basename(p) };
}

/** `path` with the home shown as `~`, and control characters escaped so a message stays one line. */
export function shownPath(path: string, home: string): string {
  const h = home.replace(/\/+$/, "");
  const tilde = path === h
    ? "~"
    : path.startsWith(`${h}/`)
    ? `~/${path.slice(h.length + 1)}`
    : path;
  return escapeControls(tilde);
}

function escapeControls(text: string): string {
  return text.replace(
    // deno-lint-ignore no-control-regex
    /[\x00-\x1f\x7f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

/** The error for `problem`, showing paths relative to `home`. */
export function treeError(problem: TreeProblem, home: string): LlmError {
  const at = shownPath(problem.path, home);
  // A name the agent chose may hold terminal control characters: no command to paste then.
  // deno-lint-ignore no-control-regex
  const plain = !/[\x00-\x1f\x7f]/.test(problem.path);
  const rm = plain ? `: ${quoteArgv(["rm", problem.path])}` : "";
  switch (problem.kind) {
    case "symlink": {
      const target = isAbsolute(problem.target)
        ? problem.target
        : join(dirname(problem.path), problem.target);
      return new LlmError(
        `${at} is a symlink to ${escapeControls(target)}; llm refresh never follows links in ` +
          `credential directories (an agent can plant them): check the link, then remove it${rm}`,
      );
    }
    case "not-dir":
      return new LlmError(
        `${at} is not a directory; llm refresh keeps credential files in it: move it away and run again`,
      );
    case "not-file":
      return new LlmError(
        `${at} is not a regular file; llm refresh reads and replaces only regular files there: ` +
          "move it away and run again",
      );
    case "too-large":
      return new LlmError(
        `${at} is larger than ${CREDENTIAL_LIMIT / 1024 / 1024} MiB, too large for a credential ` +
          "file: check what wrote it, move it away and run again",
      );
    case "changed":
      return new LlmError(
        `${at} was replaced while llm refresh was using it (is an agent writing there?); ` +
          "run again when nothing else changes it",
      );
  }
}

/** The value of `result`, or its problem thrown as an `LlmError`. */
export function valueOf<T>(result: TreeResult<T>, home: string): T {
  if (!result.ok) throw treeError(result.problem, home);
  return result.value;
}

/**
 * `bytes` as text, exactly: a byte-order mark is kept and anything that is
 * not UTF-8 is refused (a replacement character written back would change
 * the file). `fix` says what to do, e.g. "run 'codex login' to recreate it".
 */
export function utf8Text(bytes: Uint8Array, path: string, home: string, fix: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const at = firstInvalidByte(bytes);
    const byte = bytes[at].toString(16).padStart(2, "0");
    throw new LlmError(
      `${shownPath(path, home)} is not UTF-8 text (byte 0x${byte} at offset ${at}); ${fix}`,
    );
  }
}

/** Offset of the first byte of `bytes`, which is not valid UTF-8, where a bad character starts. */
function firstInvalidByte(bytes: Uint8Array): number {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let start = 0;
  let need = 0;
  for (let i = 0; i < bytes.length; i++) {
    try {
      decoder.decode(bytes.subarray(i, i + 1), { stream: true });
    } catch {
      // Inside a multi-byte character the character is bad, not the byte that ended it.
      return need > 0 ? start : i;
    }
    const b = bytes[i];
    if (need > 0 && b >= 0x80 && b < 0xc0) need--;
    else if (b >= 0xc0) [start, need] = [i, b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : 1];
  }
  return start;
}
