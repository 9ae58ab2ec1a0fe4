import { assertEquals, assertThrows } from "../../_assert.ts";
import { quoteArgv, quoteWord, splitShellWords } from "../../../lib/text/shell_words.ts";

Deno.test("quoteWord() leaves safe words bare", () => {
  assertEquals(quoteWord("/usr/bin:/bin"), "/usr/bin:/bin");
  assertEquals(quoteWord("KEY=value,x@y+1%"), "KEY=value,x@y+1%");
});

Deno.test("quoteWord() single-quotes words with spaces, quotes and shell syntax", () => {
  assertEquals(quoteWord("a b"), "'a b'");
  assertEquals(quoteWord("it's"), "'it'\\''s'");
  assertEquals(quoteWord("$HOME"), "'$HOME'");
  assertEquals(quoteWord(""), "''");
  assertEquals(quoteWord("a\nb"), "'a\nb'");
});

Deno.test("splitShellWords() reverses quoteArgv() for awkward words", () => {
  const argv = ["a b", "it's", "", "$x", 'say "hi"', "back\\slash", "tab\there", "~/x"];
  assertEquals(splitShellWords(quoteArgv(argv)), argv);
});

Deno.test("splitShellWords() handles quotes, escapes and runs of whitespace", () => {
  assertEquals(splitShellWords(`  a  "b c"\t'd e' f\\ g "h\\"i" ''  `), [
    "a",
    "b c",
    "d e",
    "f g",
    'h"i',
    "",
  ]);
  assertEquals(splitShellWords(`"$HOME/x"`), ["$HOME/x"]);
  assertEquals(splitShellWords(`a"b"'c'`), ["abc"]);
  assertEquals(splitShellWords(""), []);
});

Deno.test("splitShellWords() rejects unbalanced quotes and a trailing backslash", () => {
  assertThrows(() => splitShellWords(`'abc`), Error, "unbalanced single quote");
  assertThrows(() => splitShellWords(`"abc`), Error, "unbalanced double quote");
  assertThrows(() => splitShellWords(`abc\\`), Error, "trailing backslash");
});

Deno.test("quoteArgv() output run through bash gives back the argv", async () => {
  const argv = ["it's", "a b", "", "$HOME", "`x`", "*", "!", "\\"];
  const script = `for a in ${quoteArgv(argv)}; do printf '%s\\0' "$a"; done`;
  const out = await new Deno.Command("bash", { args: ["-c", script], stdout: "piped" }).output();
  const words = new TextDecoder().decode(out.stdout).split("\0").slice(0, -1);
  assertEquals(words, argv);
});
