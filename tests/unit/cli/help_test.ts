/**
 * Help for agents and for help itself, a missing agent, and which commands
 * offer --dry-run and --verbose.
 */
import { main } from "../../../lib/cli/main.ts";
import { COMMAND_FLAGS, commandCommonOptions } from "../../../lib/cli/options.ts";
import { COMMANDS } from "../../../lib/cli/registry.ts";
import { completionModel } from "../../../lib/commands/completions.ts";
import { BUILTIN_AGENTS } from "../../../lib/launch/agents.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../../_assert.ts";
import { type FakeSystem, fakeSystem, type FakeSystemOptions } from "../../_fake_system.ts";

async function llm(argv: string[], host: FakeSystemOptions = {}): Promise<[number, FakeSystem]> {
  const system = fakeSystem(host);
  const code = await main(argv, system);
  return [code, system];
}

Deno.test("llm help codex shows what llm codex runs, its image and the launch options", async () => {
  const [code, sys] = await llm(["help", "codex"]);
  assertEquals(code, 0, sys.err.join(""));
  const help = sys.out.join("");
  assertStringIncludes(help, "Usage: llm [options] codex [codex args...]");
  assertStringIncludes(help, "codex --sandbox danger-full-access ARGS...");
  assertStringIncludes(help, "ghcr.io/nichd-bspc/llm:codex-latest");
  assertStringIncludes(help, "~/.codex");
  assertStringIncludes(help, "--mount SPEC");
  assertStringIncludes(help, "--dry-run");
  assertStringIncludes(help, "llm codex --help");
  assert(!help.includes("--version"), "--version does not configure a launch");
  assert(!help.includes("Commands ("), "not the overview");
});

Deno.test("llm help shell shows bash and how arguments reach it", async () => {
  const [code, sys] = await llm(["help", "shell"]);
  assertEquals(code, 0);
  assertStringIncludes(sys.out.join(""), "/bin/bash");
  assertStringIncludes(sys.out.join(""), "ghcr.io/nichd-bspc/llm:latest");
});

Deno.test("llm help AGENT shows the image the settings choose", async () => {
  const [, sys] = await llm(["help", "claude"], { env: {} });
  assertStringIncludes(sys.out.join(""), "ghcr.io/nichd-bspc/llm:claude-latest");
  const [, tagged] = await llm(["--tag", "v2", "help", "claude"]);
  assertStringIncludes(tagged.out.join(""), "ghcr.io/nichd-bspc/llm:v2 (from --tag)");
});

Deno.test("llm --help AGENT and llm -h AGENT are llm help AGENT", async () => {
  const [, want] = await llm(["help", "pi"]);
  for (const argv of [["--help", "pi"], ["-h", "pi"]]) {
    const [code, sys] = await llm(argv);
    assertEquals(code, 0);
    assertEquals(sys.out.join(""), want.out.join(""));
  }
});

Deno.test("llm help help, llm help --help and llm --help help explain help", async () => {
  for (const argv of [["help", "help"], ["help", "--help"], ["--help", "help"], ["help", "-h"]]) {
    const [code, sys] = await llm(argv);
    assertEquals(code, 0, argv.join(" "));
    const help = sys.out.join("");
    assertStringIncludes(help, "Usage: llm help [agent | command]", argv.join(" "));
    assertStringIncludes(help, "llm help codex");
  }
});

Deno.test("llm help with two topics is a usage error", async () => {
  const [code, sys] = await llm(["help", "codex", "pull"]);
  assertEquals(code, 2);
  assertMatch(sys.err.join(""), /^llm: error: llm help takes one agent or command/);
});

Deno.test("llm --dry-run without an agent says the agent is missing (exit 2)", async () => {
  for (const argv of [["--dry-run"], ["--verbose", "--mount", "/tmp"], ["--dry-run", "--"]]) {
    const [code, sys] = await llm(argv);
    assertEquals(code, 2, argv.join(" "));
    const err = sys.err.join("");
    assertEquals(err.trimEnd().split("\n").length, 1, err);
    assertMatch(err, /^llm: error: missing agent: /);
    assertStringIncludes(err, `e.g. llm ${argv.filter((a) => a !== "--").join(" ")} codex`);
    assertStringIncludes(err, "codex, claude, pi, shell");
    assertEquals(sys.out, []);
  }
});

Deno.test("every registered command says which of --dry-run and --verbose it acts on", () => {
  for (const c of COMMANDS) assert(c.name in COMMAND_FLAGS, `${c.name} is not in COMMAND_FLAGS`);
  for (const name of Object.keys(COMMAND_FLAGS)) {
    assert(COMMANDS.some((c) => c.name === name), `COMMAND_FLAGS names unknown '${name}'`);
  }
});

Deno.test("--dry-run and --verbose are offered only where they mean something", async () => {
  const names = (cmd: string) => commandCommonOptions(cmd).map((o) => o.name);
  assertEquals(names("doctor"), ["help"]);
  assertEquals(names("completions"), ["help"]);
  assertEquals(names("pull"), ["dry-run", "verbose", "help"]);
  const [, doctor] = await llm(["help", "doctor"]);
  assert(!doctor.out.join("").includes("--dry-run"), doctor.out.join(""));
  assert(!doctor.out.join("").includes("--verbose"));
  const [, pull] = await llm(["help", "pull"]);
  assertStringIncludes(pull.out.join(""), "--dry-run");
  const model = completionModel(BUILTIN_AGENTS);
  const completions = model.commands.find((c) => c.name === "completions");
  assertEquals(completions?.options.map((o) => o.name), ["help"]);
});

Deno.test("a command that ignores --dry-run rejects it after its name", async () => {
  const [code, sys] = await llm(["completions", "--dry-run", "bash"]);
  assertEquals(code, 2);
  assertMatch(sys.err.join(""), /^llm: error: unknown option --dry-run/);
});
