/**
 * Line numbers for keys in block-style YAML, so validation errors can point
 * at `file:line`. The YAML parser gives data without positions; this scans
 * the text by indentation, which is enough for config files people write.
 */

interface Found {
  line: number;
  indent: number;
  item?: boolean;
}

/**
 * The 1-based line of `path` (keys and list indexes) in `text`; the deepest
 * part found when the full path is not, and 1 when nothing is.
 *
 * @example
 * ```ts
 * import { lineOf } from "./lines.ts";
 * lineOf("a: 1\nb:\n  c: 2\n", ["b", "c"]); // 3
 * ```
 */
export function lineOf(text: string, path: readonly (string | number)[]): number {
  const lines = text.split("\n");
  let parent: Found = { line: 0, indent: -1 };
  for (const part of path) {
    const found = typeof part === "number"
      ? findItem(lines, parent, part)
      : findKey(lines, parent, part);
    if (!found) break;
    parent = found;
  }
  return Math.max(parent.line, 1);
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function isContent(line: string): boolean {
  const t = line.trim();
  return t !== "" && !t.startsWith("#") && t !== "---";
}

/**
 * Content lines of the block under `parent`, with 1-based numbers. A list
 * item's own line is part of its block: `- key: v` opens a mapping.
 */
function* block(lines: readonly string[], parent: Found): Generator<[number, string]> {
  const start = parent.item ? parent.line - 1 : parent.line;
  for (let i = start; i < lines.length; i++) {
    const line = lines[i];
    if (!isContent(line)) continue;
    if (i >= parent.line && indentOf(line) <= parent.indent) return;
    yield [i + 1, line];
  }
}

function findKey(lines: readonly string[], parent: Found, key: string): Found | undefined {
  const pattern = new RegExp(`^(\\s*(?:- )?)(["']?)${escape(key)}\\2\\s*:(\\s|$)`);
  for (const [n, line] of block(lines, parent)) {
    const m = pattern.exec(line);
    if (m) return { line: n, indent: m[1].length };
  }
  return undefined;
}

function findItem(lines: readonly string[], parent: Found, index: number): Found | undefined {
  let seen = -1;
  let itemIndent = -1;
  for (const [n, line] of block(lines, parent)) {
    const t = line.trimStart();
    if (!t.startsWith("- ") && t !== "-") continue;
    const indent = indentOf(line);
    if (itemIndent < 0) itemIndent = indent;
    if (indent !== itemIndent) continue;
    if (++seen === index) return { line: n, indent, item: true };
  }
  return undefined;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
