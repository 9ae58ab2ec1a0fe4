/**
 * One line for a YAML syntax error. The parser's message ends with the
 * position and then, on the next lines, the offending line and a caret;
 * error messages here are one line, so the offending line is quoted inline
 * instead (taken from the file's own text, so tabs and all are as written).
 */

/** Longest part of an offending line quoted in a message. */
const QUOTED_MAX = 80;

/**
 * The parser's `message` about `text` as one line, quoting the line it points
 * at; at the end of the file (an unclosed bracket or quote) the last line
 * with content is quoted, since that is where the mistake usually is.
 *
 * @example
 * ```ts
 * import { yamlErrorLine } from "./yaml_error.ts";
 * yamlErrorLine("bad at line 1, column 5:\n    a: b: c\n        ^", "a: b: c\n");
 * // "bad at line 1, column 5: `a: b: c`"
 * ```
 */
export function yamlErrorLine(message: string, text: string): string {
  const first = message.split("\n")[0].trimEnd();
  const at = /^(.*?) at line (\d+), column (\d+):?$/.exec(first);
  if (!at) return first.replace(/:$/, "");
  const [, reason, lineText] = at;
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  const n = Number(lineText);
  const offending = lines[n - 1];
  if (offending !== undefined && offending.trim() !== "") {
    return `${reason} at line ${n}, column ${at[3]}: ${quote(offending)}`;
  }
  const afterContent = lines.slice(n - 1).every((l) => l.trim() === "");
  const last = lines.slice(0, n - 1).findLastIndex((l) => l.trim() !== "");
  if (afterContent && last >= 0) {
    return `${reason} at the end of the file, after line ${last + 1}: ${quote(lines[last])}`;
  }
  return `${reason} at line ${n}, column ${at[3]} (an empty line)`;
}

function quote(line: string): string {
  const cut = line.length > QUOTED_MAX ? `${line.slice(0, QUOTED_MAX - 1)}…` : line;
  return `\`${cut}\``;
}
