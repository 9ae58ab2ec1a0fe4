/**
 * Upsert of one section in an AWS-style INI file (`~/.aws/config`), leaving
 * every other byte of the file as it was: other sections, comments, blank
 * lines, key case and line endings.
 *
 * @example
 * ```ts
 * import { upsertIniSection } from "./ini.ts";
 * upsertIniSection("[default]\nregion = us-east-1\n", "profile x", ["a = 1"]);
 * // "[default]\nregion = us-east-1\n\n[profile x]\na = 1\n"
 * ```
 */

/** The profile `llm refresh` writes, read by agents through `credential_process`. */
export const EXPORT_PROFILE = "profile llm-export";

/** The body of the export profile: it reads the file `llm refresh` keeps fresh. */
export const EXPORT_PROFILE_LINES: readonly string[] = [
  "credential_process = sh -c 'cat ~/.aws/credentials.json'",
];

/**
 * Replace section `[name]` of `text` with `lines`, or append it when absent
 * (`text` null means no file yet). Section names match as AWS does: spaces
 * around the name and between its words do not matter. Comments and blank
 * lines at the end of the replaced section stay, because they usually
 * introduce the next section. The file's line ending (LF or CRLF) is kept.
 */
export function upsertIniSection(
  text: string | null,
  name: string,
  lines: readonly string[],
): string {
  const source = text ?? "";
  const eol = source.includes("\r\n") ? "\r\n" : "\n";
  const section = [`[${name}]`, ...lines].map((l) => l + eol).join("");
  const rows = splitKeepingEnds(source);
  const start = rows.findIndex((r) => sectionName(r) === normalizeName(name));
  if (start < 0) return appendSection(source, section, eol);
  let end = start + 1;
  while (end < rows.length && sectionName(rows[end]) === null) end++;
  // Give back the trailing comments and blank lines to whatever follows.
  let keepFrom = end;
  while (keepFrom > start + 1 && isCommentOrBlank(rows[keepFrom - 1])) keepFrom--;
  const before = rows.slice(0, start).join("");
  const after = rows.slice(keepFrom).join("");
  return before + section + after;
}

function appendSection(source: string, section: string, eol: string): string {
  if (source === "") return section;
  let prefix = source;
  if (!prefix.endsWith("\n")) prefix += eol;
  const rows = splitKeepingEnds(prefix);
  const last = rows[rows.length - 1] ?? "";
  if (last.trim() !== "") prefix += eol;
  return prefix + section;
}

/** Split into lines, each keeping its own line ending. */
function splitKeepingEnds(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** The normalized name of a section header line, or null for any other line. */
function sectionName(row: string): string | null {
  const m = /^\s*\[([^\]]*)\]\s*(?:[#;].*)?$/.exec(row.replace(/\r?\n$/, ""));
  return m ? normalizeName(m[1]) : null;
}

function normalizeName(name: string): string {
  return name.trim().split(/\s+/).join(" ");
}

function isCommentOrBlank(row: string): boolean {
  const t = row.trim();
  return t === "" || t.startsWith("#") || t.startsWith(";");
}
