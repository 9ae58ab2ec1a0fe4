/**
 * Session ids and names. A name is what users type (`llm stop NAME`) and
 * what `podman ps` shows: the container is named after it.
 */
import { UsageError } from "../errors.ts";
import { basename } from "../std/path.ts";

/** What a session name may be: a container name and a plain file name at once. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** A new session id: 12 lowercase hex digits, from `bytes` random bytes (6 needed). */
export function sessionId(bytes: Uint8Array): string {
  return [...bytes.subarray(0, 6)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** True for a whole session id: 12 lowercase hex digits. */
export function isSessionId(text: string): boolean {
  return /^[0-9a-f]{12}$/.test(text);
}

/** True for a string shaped like a session id (or the start of one, 4 digits or more). */
export function looksLikeId(text: string): boolean {
  return /^[0-9a-f]{4,12}$/.test(text);
}

/**
 * Refuse a name that a container runtime or the session store cannot take.
 *
 * @example
 * ```ts
 * import { checkSessionName } from "./names.ts";
 * checkSessionName("fix-login"); // no error
 * ```
 */
export function checkSessionName(name: string, origin = "--name"): string {
  if (!NAME.test(name)) {
    throw new UsageError(
      `${origin} '${name}' is not a valid session name: use 1 to 63 letters, digits, '_', '.' ` +
        `or '-', starting with a letter or digit`,
    );
  }
  return name;
}

/**
 * The default name: the agent and the workspace's directory name
 * (`codex-myproject`), with characters a name cannot hold replaced by `-`.
 *
 * @example
 * ```ts
 * import { defaultSessionName } from "./names.ts";
 * defaultSessionName("codex", "/home/me/My Project"); // "codex-My-Project"
 * ```
 */
export function defaultSessionName(agent: string, workspace: string): string {
  const base = `${agent}-${basename(workspace)}`
    .replace(/[^A-Za-z0-9_.-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .replace(/-+$/, "")
    .slice(0, 56);
  return base === "" ? "llm" : base;
}

/**
 * The `n`th candidate for a default name (`codex-proj`, `codex-proj-2`, ...),
 * tried in turn until one is free, as `docker compose` numbers replicas.
 */
export function numberedName(base: string, n: number): string {
  return n <= 1 ? base : `${base}-${n}`;
}
