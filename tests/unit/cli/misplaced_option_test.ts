/**
 * `llm codex --dry-run`: the flag goes to the agent, as documented, and one
 * warning says where llm's own options go.
 */
import { main } from "../../../lib/cli/main.ts";
import { misplacedOption } from "../../../lib/cli/parse.ts";
import { assertEquals } from "../../_assert.ts";
import { type FakeSystem, fakeSystem, type FakeSystemOptions } from "../../_fake_system.ts";

async function llm(argv: string[], host: FakeSystemOptions = {}): Promise<[number, FakeSystem]> {
  const system = fakeSystem(host);
  const code = await main(argv, system);
  return [code, system];
}

function warnings(system: FakeSystem): string[] {
  return system.err.join("").split("\n").filter((l) => l.startsWith("llm: warning: "));
}

Deno.test("llm codex --dry-run launches codex with --dry-run, warning once where llm's go", async () => {
  const [code, sys] = await llm(["codex", "--dry-run"], {
    interactiveResult: { code: 0, stderrTail: "" },
  });
  assertEquals(code, 0);
  assertEquals(sys.ran.length, 1);
  assertEquals(sys.ran[0].slice(-4), ["codex", "--sandbox", "danger-full-access", "--dry-run"]);
  assertEquals(warnings(sys), [
    "llm: warning: --dry-run after 'codex' goes to codex; llm's own options go before " +
    "the agent name: llm --dry-run codex",
  ]);
});

Deno.test("the warning moves a value option with its value and keeps the rest", async () => {
  const [code, sys] = await llm(["--dry-run", "claude", "--mount", "/data", "-p", "hi there"], {
    files: ["/data/"],
  });
  assertEquals(code, 0);
  assertEquals(warnings(sys), [
    "llm: warning: --mount after 'claude' goes to claude; llm's own options go before " +
    "the agent name: llm --mount /data claude -p 'hi there'",
  ]);
});

Deno.test("misplacedOption() covers llm's launch options that no agent has", () => {
  for (const args of [["--dry-run"], ["--mask", ".env"], ["--ro=docs"], ["--backend", "docker"]]) {
    assertEquals(typeof misplacedOption("pi", args), "string", args.join(" "));
  }
  assertEquals(
    misplacedOption("pi", ["--ro=docs", "x"]),
    "--ro after 'pi' goes to pi; llm's own options go before the agent name: llm --ro=docs pi x",
  );
});

Deno.test("misplacedOption() stays quiet for flags an agent may have, later flags and --", () => {
  const quiet = [
    [],
    ["--verbose"], // Claude Code's own
    ["--config", "model=o3"], // Codex's own (-c/--config)
    ["--help"],
    ["--version"],
    ["-e", "ext.ts"], // Pi's -e (--extension)
    ["--env", "A=1"],
    ["--", "--dry-run"],
    ["exec", "--dry-run"],
    ["--dryrun"],
    ["-h"],
  ];
  for (const args of quiet) assertEquals(misplacedOption("codex", args), undefined, args.join(" "));
});
