/**
 * `llm ps` output: a table like `docker ps`, or JSON. Pure.
 */
import type { SessionManifest } from "./manifest.ts";
import type { SessionState } from "./state.ts";

/** A manifest with the state `llm ps` worked out for it. */
export interface SessionView {
  readonly manifest: SessionManifest;
  readonly state: SessionState;
}

/**
 * How long ago `iso` was, in the words `docker ps` uses.
 *
 * @example
 * ```ts
 * import { ago } from "./table.ts";
 * ago("2026-12-01T10:00:00Z", Date.parse("2026-12-01T10:03:10Z")); // "3 minutes ago"
 * ```
 */
export function ago(iso: string, now: number): string {
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"} ago`;
  if (Number.isNaN(s)) return "?";
  if (s < 60) return unit(s, "second");
  if (s < 3600) return unit(Math.floor(s / 60), "minute");
  if (s < 86400) return unit(Math.floor(s / 3600), "hour");
  return unit(Math.floor(s / 86400), "day");
}

/** The image id as `docker images` shortens it: 12 hex digits. */
export function shortDigest(id: string | null): string {
  return id === null ? "-" : id.replace(/^sha256:/, "").slice(0, 12);
}

/** Newest first. */
export function newestFirst(views: readonly SessionView[]): SessionView[] {
  // ISO times sort as strings; localeCompare would load ICU (about 20 ms).
  return [...views].sort((a, b) =>
    a.manifest.started < b.manifest.started ? 1 : a.manifest.started > b.manifest.started ? -1 : 0
  );
}

/** The table `llm ps` prints, with a header line. */
export function psTable(views: readonly SessionView[], now: number): string {
  const header = [
    "NAME",
    "AGENT",
    "STATE",
    "EXIT",
    "STARTED",
    "RUNTIME",
    "IMAGE",
    "DIGEST",
    "WORKSPACE",
  ];
  const rows = newestFirst(views).map(({ manifest: m, state }) => [
    m.name,
    m.agent,
    state,
    m.exitCode === null ? "-" : String(m.exitCode),
    ago(m.started, now),
    m.runtime.name,
    m.image.reference,
    shortDigest(m.image.id),
    m.workspace,
  ]);
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  "))
    .join("\n") + "\n";
}

/** The JSON `llm ps --json` and `llm show` print: manifests, with the state as it is now. */
export function viewJson(view: SessionView): SessionManifest {
  return { ...view.manifest, state: view.state as SessionManifest["state"] };
}
