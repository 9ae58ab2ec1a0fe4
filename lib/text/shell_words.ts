/**
 * Shell words in and out: splitting a POSIX-shell-style list (for
 * `LLM_DEVCONTAINER_MOUNTS`) and quoting argv for `--dry-run`, so that a
 * printed line pasted into bash runs exactly the same argv.
 *
 * @example
 * ```ts
 * import { quoteArgv, splitShellWords } from "./shell_words.ts";
 * splitShellWords(`a "b c" 'd'`); // ["a", "b c", "d"]
 * quoteArgv(["echo", "it's"]); // `echo 'it'\''s'`
 * ```
 */

/** Characters that never need quoting in bash. */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quote one word for bash; words made only of safe characters stay bare. */
export function quoteWord(word: string): string {
  if (word !== "" && SAFE.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Quote an argv as one bash command line. */
export function quoteArgv(argv: readonly string[]): string {
  return argv.map(quoteWord).join(" ");
}

/**
 * Split a string into words the way a POSIX shell would, without expansion:
 * whitespace separates, single quotes are literal, double quotes allow
 * `\"`, `\\`, `\$` and `` \` `` escapes, a backslash outside quotes escapes
 * the next character. Throws `Error` with the reason on an unbalanced quote.
 */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\n") {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unbalanced single quote at character ${i + 1}`);
      current += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < text.length) {
        const d = text[i];
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === "\\" && i + 1 < text.length && `"\\$\`\n`.includes(text[i + 1])) {
          if (text[i + 1] !== "\n") current += text[i + 1];
          i += 2;
        } else {
          current += d;
          i++;
        }
      }
      if (!closed) throw new Error("unbalanced double quote");
      inWord = true;
    } else if (c === "\\") {
      if (i + 1 >= text.length) throw new Error("trailing backslash");
      if (text[i + 1] !== "\n") {
        current += text[i + 1];
        inWord = true;
      }
      i += 2;
    } else {
      current += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(current);
  return words;
}
