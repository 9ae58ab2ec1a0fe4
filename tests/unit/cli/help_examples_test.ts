/**
 * Every registered command documents itself: `llm help X` and `llm X --help`
 * print the same help, with at least two real examples.
 */
import { main } from "../../../lib/cli/main.ts";
import { COMMANDS } from "../../../lib/cli/registry.ts";
import { assert, assertEquals, assertStringIncludes } from "../../_assert.ts";
import { fakeSystem } from "../../_fake_system.ts";

async function stdoutOf(argv: string[]): Promise<string> {
  const system = fakeSystem();
  assertEquals(await main(argv, system), 0, system.err.join(""));
  return system.out.join("");
}

for (const spec of COMMANDS) {
  Deno.test(`llm help ${spec.name} shows usage and at least two examples`, async () => {
    assert(spec.examples.length >= 2, `${spec.name} has ${spec.examples.length} example(s)`);
    const help = await stdoutOf(["help", spec.name]);
    assertStringIncludes(help, `Usage: llm ${spec.usage}`);
    for (const e of spec.examples) assertStringIncludes(help, e);
    assertEquals(await stdoutOf([spec.name, "--help"]), help);
  });
}

Deno.test("llm --help lists every registered command", async () => {
  const help = await stdoutOf(["--help"]);
  for (const spec of COMMANDS) assertStringIncludes(help, `  ${spec.name} `);
});
