/**
 * Did-you-mean on the whole command line: options, option values, and the
 * same for a value from the environment.
 */
import { main } from "../../../lib/cli/main.ts";
import { assertEquals, assertMatch } from "../../_assert.ts";
import { type FakeSystem, fakeSystem, type FakeSystemOptions } from "../../_fake_system.ts";

async function llm(argv: string[], host: FakeSystemOptions = {}): Promise<[number, FakeSystem]> {
  const system = fakeSystem(host);
  const code = await main(argv, system);
  return [code, system];
}

function oneError(system: FakeSystem): string {
  const lines = system.err.join("").trimEnd().split("\n");
  assertEquals(lines.length, 1, system.err.join(""));
  return lines[0];
}

Deno.test("llm --dryrun codex suggests --dry-run and runs nothing", async () => {
  const [code, sys] = await llm(["--dryrun", "codex"]);
  assertEquals(code, 2);
  assertEquals(
    oneError(sys),
    "llm: error: unknown option --dryrun: did you mean --dry-run? (see 'llm --help')",
  );
  assertEquals(sys.ran, []);
});

Deno.test("a command's mistyped option is matched against that command's options", async () => {
  const [code, sys] = await llm(["pull", "--dryrun"]);
  assertEquals(code, 2);
  assertEquals(
    oneError(sys),
    "llm: error: unknown option --dryrun: did you mean --dry-run? (see 'llm pull --help')",
  );
});

Deno.test("llm --backend podmn suggests podman", async () => {
  for (const argv of [["--backend", "podmn", "codex"], ["--backend=podmn", "pull"]]) {
    const [code, sys] = await llm(argv);
    assertEquals(code, 2, argv.join(" "));
    assertMatch(
      oneError(sys),
      /^llm: error: unknown backend 'podmn' from --backend: did you mean 'podman'\? \(one of auto, podman,/,
    );
  }
});

Deno.test("LLM_BACKEND=podmn suggests podman and names the variable", async () => {
  const [code, sys] = await llm(["--dry-run", "codex"], { env: { LLM_BACKEND: "podmn" } });
  assertEquals(code, 2);
  assertMatch(
    oneError(sys),
    /^llm: error: unknown backend 'podmn' from LLM_BACKEND: did you mean 'podman'\?/,
  );
});

Deno.test("a command's own fixed values get suggestions too", async () => {
  const [code, sys] = await llm(["refresh", "--kind", "cladue"]);
  assertEquals(code, 2);
  assertMatch(oneError(sys), /unknown kind 'cladue' from --kind: did you mean 'claude'\?/);
});
