/**
 * Colour of `llm: error:` and `llm: warning:` (lib/text/colour.ts): only
 * on a terminal stderr, never with NO_COLOR (any value) or TERM=dumb.
 */
import { assertEquals, assertStringIncludes } from "../../_assert.ts";
import { main } from "../../../lib/cli/main.ts";
import { colourWanted, PLAIN, problemText } from "../../../lib/text/colour.ts";
import { fakeSystem, type FakeSystemOptions, setContent } from "../../_fake_system.ts";

async function stderrOf(argv: string[], host: FakeSystemOptions): Promise<string> {
  const system = fakeSystem(host);
  await main(argv, system);
  return system.err.join("");
}

Deno.test("colourWanted() needs a terminal and no NO_COLOR (any value) or TERM=dumb", () => {
  assertEquals(colourWanted({}, true), true);
  assertEquals(colourWanted({ TERM: "xterm-256color" }, true), true);
  assertEquals(colourWanted({}, false), false);
  assertEquals(colourWanted({ NO_COLOR: "" }, true), false);
  assertEquals(colourWanted({ NO_COLOR: "1" }, true), false);
  assertEquals(colourWanted({ TERM: "dumb" }, true), false);
});

Deno.test("problemText() with the plain palette is the usual one-line message", () => {
  assertEquals(problemText(PLAIN, "error", "bad"), "llm: error: bad\n");
  assertEquals(problemText(PLAIN, "warning", "hmm"), "llm: warning: hmm\n");
});

Deno.test({
  name: "llm: error: is red on a terminal stderr, plain with NO_COLOR or into a pipe",
  // std's colours are off for the whole process when the test runner has NO_COLOR.
  ignore: Deno.noColor,
  fn: async () => {
    const tty = await stderrOf(["nope"], { terminalStreams: ["stderr"] });
    assertStringIncludes(
      tty,
      "\x1b[1m\x1b[31mllm: error:\x1b[39m\x1b[22m unknown agent or command",
    );
    for (
      const host of [
        { terminalStreams: ["stderr"], env: { NO_COLOR: "" } },
        { terminalStreams: ["stdout"] },
        { terminal: true },
      ] as FakeSystemOptions[]
    ) {
      const plain = await stderrOf(["nope"], host);
      assertEquals(plain.includes("\x1b["), false, JSON.stringify(host));
      assertStringIncludes(plain, "llm: error: unknown agent or command 'nope'");
    }
  },
});

Deno.test({
  name: "llm: warning: is yellow on a terminal stderr",
  ignore: Deno.noColor,
  fn: async () => {
    // A broken config file is a warning for commands that read no settings.
    const system = fakeSystem({
      files: ["/home/user/.config/llm/config.yaml"],
      terminalStreams: ["stderr"],
    });
    setContent(system, "/home/user/.config/llm/config.yaml", "nope: 1\n");
    await main(["completions", "bash"], system);
    assertStringIncludes(system.err.join(""), "\x1b[1m\x1b[33mllm: warning:\x1b[39m\x1b[22m ");
  },
});
