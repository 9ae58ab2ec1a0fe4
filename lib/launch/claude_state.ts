/**
 * Merging Claude Code's `~/.claude.json` back from a session. The file mixes
 * login state the agent must keep (account, onboarding, per-project history)
 * with settings the host's own `claude` acts on: MCP servers it starts, tools
 * it runs without asking, projects it trusts. The agent works on a copy; at
 * exit its changes come back key by key, except those settings, which stay as
 * the host has them. Pure: texts in, text and notes out.
 */

/** Top-level keys the session may not change. */
export const PROTECTED_TOP_KEYS = ["mcpServers"] as const;
/** Keys of each `projects` entry the session may not change. */
export const PROTECTED_PROJECT_KEYS = [
  "mcpServers",
  "enabledMcpjsonServers",
  "disabledMcpjsonServers",
  "enableAllProjectMcpServers",
  "allowedTools",
  "hasTrustDialogAccepted",
] as const;

type Json = Record<string, unknown>;

/** The outcome of a merge: the text to write (null: nothing to write) and what was kept out. */
export interface ClaudeMerge {
  readonly text: string | null;
  /** Protected settings the session changed, as `mcpServers` or `projects./w.allowedTools`. */
  readonly refused: string[];
  /** The session copy was not a JSON object, so nothing of it was taken. */
  readonly broken?: true;
}

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function parse(text: string): Json | null {
  try {
    const v: unknown = JSON.parse(text);
    return isObject(v) ? v : null;
  } catch {
    return null;
  }
}

/**
 * Apply to `current` (the host file now) what the session changed between
 * `original` (the copy it got) and `session` (the copy at exit), leaving the
 * protected keys as `current` has them. A session copy that is not a JSON
 * object is not merged (text null); so is one the session left unchanged.
 * A host file that is not a JSON object is replaced only by the session's
 * own changes on top of `original`.
 */
export function mergeClaudeState(original: string, session: string, current: string): ClaudeMerge {
  const before = parse(original) ?? {};
  const after = parse(session);
  if (after === null) return { text: null, refused: [], broken: true };
  if (same(before, after)) return { text: null, refused: [] };
  const now = parse(current) ?? before;
  const refused: string[] = [];
  const merged = applyChanges(
    before,
    after,
    now,
    PROTECTED_TOP_KEYS,
    "",
    refused,
    (key) => key === "projects" ? (b, a, n) => mergeProjects(b, a, n, refused) : undefined,
  );
  return { text: JSON.stringify(merged, null, 2) + "\n", refused };
}

type Merger = (before: unknown, after: unknown, now: unknown) => unknown;

/** Key by key: changed in the session → the session's value; unchanged → the host's. */
function applyChanges(
  before: Json,
  after: Json,
  now: Json,
  protectedKeys: readonly string[],
  prefix: string,
  refused: string[],
  deeper: (key: string) => Merger | undefined = () => undefined,
): Json {
  const out: Json = { ...now };
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (same(before[key], after[key])) continue;
    if (protectedKeys.includes(key)) {
      refused.push(prefix + key);
      continue;
    }
    const merge = deeper(key);
    if (merge && isObject(after[key])) out[key] = merge(before[key], after[key], now[key]);
    else if (key in after) out[key] = after[key];
    else delete out[key];
  }
  return out;
}

/** `projects`: one entry per directory, each merged with its protected keys kept. */
function mergeProjects(before: unknown, after: unknown, now: unknown, refused: string[]): Json {
  const b = isObject(before) ? before : {};
  const a = isObject(after) ? after : {};
  const n = isObject(now) ? now : b;
  return applyChanges(b, a, n, [], "projects.", refused, (dir) => (pb, pa, pn) => {
    const entry = applyChanges(
      isObject(pb) ? pb : {},
      isObject(pa) ? pa : {},
      isObject(pn) ? pn : {},
      PROTECTED_PROJECT_KEYS,
      `projects.${dir}.`,
      refused,
    );
    // A project the session added gets none of the protected settings.
    if (!isObject(pn)) { for (const k of PROTECTED_PROJECT_KEYS) delete entry[k]; }
    return entry;
  });
}
