import { assert, assertEquals, assertMatch, assertStringIncludes } from "../../_assert.ts";
import { main } from "../../../lib/cli/main.ts";
import { COMMANDS } from "../../../lib/cli/registry.ts";
import { BUILTIN_AGENTS } from "../../../lib/launch/agents.ts";
import { splitShellWords } from "../../../lib/text/shell_words.ts";
import { type FakeSystem, fakeSystem, type FakeSystemOptions } from "../../_fake_system.ts";

async function llm(argv: string[], host: FakeSystemOptions = {}): Promise<[number, FakeSystem]> {
  const system = fakeSystem(host);
  const code = await main(argv, system);
  return [code, system];
}

/** stderr must be exactly one `llm: error:` line. */
function oneErrorLine(system: FakeSystem): string {
  const text = system.err.join("");
  const lines = text.trimEnd().split("\n");
  assertEquals(lines.length, 1, text);
  assertMatch(lines[0], /^llm: error: /);
  return lines[0];
}

Deno.test("llm with no arguments prints help on stderr and exits 2", async () => {
  const [code, sys] = await llm([]);
  assertEquals(code, 2);
  assertStringIncludes(sys.err.join(""), "Usage: llm");
});

Deno.test("llm -h codex is llm's help on codex; llm codex -h goes to codex", async () => {
  const [code, sys] = await llm(["-h", "codex"]);
  assertEquals(code, 0);
  assertStringIncludes(sys.out.join(""), "Usage: llm [options] codex [codex args...]");
  const [code2, sys2] = await llm(["--dry-run", "codex", "-h"]);
  assertEquals(code2, 0);
  assertEquals(splitShellWords(sys2.out.join("")).slice(-4), [
    "codex",
    "--sandbox",
    "danger-full-access",
    "-h",
  ]);
});

Deno.test("llm --version prints the version", async () => {
  const [code, sys] = await llm(["--version"]);
  assertEquals(code, 0);
  assertMatch(sys.out.join(""), /^llm \d+\.\d+\.\d+ \(.+\)\n$/);
});

Deno.test("an unknown agent is a usage error suggesting the closest", async () => {
  const [code, sys] = await llm(["cladue"]);
  assertEquals(code, 2);
  assertStringIncludes(oneErrorLine(sys), "did you mean 'claude'?");
  const [code2, sys2] = await llm(["zzzzzz"]);
  assertEquals(code2, 2);
  assertStringIncludes(oneErrorLine(sys2), "codex, claude, pi, shell");
});

Deno.test("an unknown option is a usage error", async () => {
  const [code, sys] = await llm(["--bogus", "codex"]);
  assertEquals(code, 2);
  assertStringIncludes(oneErrorLine(sys), "--bogus");
});

Deno.test("--dry-run prints one quoted line and changes nothing", async () => {
  const [code, sys] = await llm(["--dry-run", "shell", "--", "echo", "it's", "a b"]);
  assertEquals(code, 0);
  assertEquals(sys.out.length, 1);
  // The session copy of ~/.claude.json lives in a temporary directory the line makes first.
  const line = sys.out[0].trim();
  assert(line.startsWith("(umask 077 && d=$(mktemp -d /tmp/llm-XXXXXX) && "), line);
  assert(line.endsWith(")"), line);
  const words = splitShellWords(line.slice(1, -1));
  const argv = words.slice(words.lastIndexOf("&&") + 1);
  assertEquals(argv.slice(0, 4), ["podman", "run", "--rm", "-i"]);
  assertEquals(argv.slice(-7), ["/bin/bash", "-c", '"$@"', "bash", "echo", "it's", "a b"]);
  assertEquals(sys.changes, []);
  assertEquals(sys.ran, []);
});

Deno.test("a launch creates missing credential paths, runs podman and passes its exit code", async () => {
  const [code, sys] = await llm(["shell", "--", "exit", "3"], {
    files: ["/home/user/.claude.json"],
    interactiveResult: { code: 3, stderrTail: "" },
  });
  assertEquals(code, 3);
  // The launch's temporary directory (env file, mask sources) goes afterwards; the
  // session's record is tested in tests/unit/session/.
  assertEquals(
    sys.changes.filter((c) => !c.includes("/tmp/llm-") && !c.includes("/.local/state/")),
    [
      "mkdir /home/user/.codex",
      "mkdir /home/user/.claude",
      "mkdir /home/user/.pi",
      "create /home/user/.codex/config.toml",
      "create /home/user/.codex/AGENTS.md",
      "mkdir /home/user/.codex/skills",
      "create /home/user/.claude/settings.json",
      "create /home/user/.claude/CLAUDE.md",
      "mkdir /home/user/.claude/skills",
      "mkdir /home/user/.pi/agent",
      "create /home/user/.pi/agent/AGENTS.md",
      "mkdir /home/user/.pi/agent/skills",
    ],
  );
  assertEquals(sys.changes.findLast((c) => c.includes("/tmp/llm-"))?.startsWith("remove "), true);
  assertEquals(sys.files.get("/home/user/.codex")?.mode, 0o700);
  assertEquals(sys.ran.length, 1);
  assertEquals(sys.ran[0].slice(-6), ["/bin/bash", "-c", '"$@"', "bash", "exit", "3"]);
});

Deno.test("claude's ~/.claude.json is created containing {}", async () => {
  const [, sys] = await llm(["claude"]);
  assertEquals(new TextDecoder().decode(sys.files.get("/home/user/.claude.json")?.content), "{}\n");
});

Deno.test("podman absent: an error saying how to install it, nothing created", async () => {
  const [code, sys] = await llm(["codex"], { executables: [] });
  assertEquals(code, 1);
  assertStringIncludes(oneErrorLine(sys), "Podman Desktop");
  assertEquals(sys.changes, []);
});

Deno.test("podman absent on --dry-run: the command is still shown, with a warning", async () => {
  const [code, sys] = await llm(["--dry-run", "codex"], { executables: [] });
  assertEquals(code, 0);
  assertStringIncludes(sys.err.join(""), "warning: podman not found");
  assertEquals(sys.out.length, 1);
});

Deno.test("a failed pull is explained after podman's own message", async () => {
  const [code, sys] = await llm(["--image-name", "nope/img", "codex"], {
    runtimeReached: "none",
    interactiveResult: {
      code: 125,
      stderrTail: "Error: initializing source docker://nope/img: manifest unknown",
    },
  });
  assertEquals(code, 1);
  assertStringIncludes(sys.err.join(""), "llm: error: podman could not get image nope/img");
});

Deno.test("bad input: one error line, non-zero exit, nothing created or run", async () => {
  const cases: [string[], number, string, FakeSystemOptions?][] = [
    [["--mount", "/missing", "codex"], 1, "/missing does not exist"],
    [["--mount", "", "codex"], 2, "empty mount spec"],
    [["--mount", "a:/b:ro:x", "codex"], 2, "too many ':'"],
    [["--mount", "/tmp:relative", "codex"], 2, "must be absolute"],
    [["--ro", "/etc", "codex"], 1, "outside the workspace", { files: ["/etc/"] }],
    [["--mask", ".", "codex"], 1, "the workspace itself"],
    [["--mask", "nope", "codex"], 1, "does not exist"],
    [["--mount", "/a:/x", "--mount", "/b:/x", "codex"], 1, "two mounts", { files: ["/a/", "/b/"] }],
    [["--env", "FOO", "codex"], 2, "FOO is not set in llm's environment"],
    [["--workspace-mount", "rel", "codex"], 2, "absolute"],
    [["--conda-env", "/nope", "codex"], 1, "not a directory"],
    [["--conda-env", "myenv", "codex"], 1, "conda is not on PATH"],
    [["--certs", "/nope.pem", "codex"], 1, "does not exist"],
    [["--certs", "/etc", "codex"], 1, "is not a file", { files: ["/etc/"] }],
    [["--path-prepend", "/opt/bin", "codex"], 1, "not under any mount"],
    [["--backend", "lxc", "codex"], 2, "unknown backend"],
    [["codex"], 2, "LLM_DEVCONTAINER_MOUNTS", { env: { LLM_DEVCONTAINER_MOUNTS: `"/a` } }],
  ];
  for (const [argv, want, text, host] of cases) {
    for (const dry of [[], ["--dry-run"]]) {
      const [code, sys] = await llm([...dry, ...argv], host);
      assertEquals(code, want, argv.join(" "));
      assertStringIncludes(oneErrorLine(sys), text);
      assertEquals(sys.changes, [], argv.join(" "));
      assertEquals(sys.ran.filter((a) => a[0] === "podman"), []);
    }
  }
});

Deno.test("--conda-env NAME is looked up with conda env list --json", async () => {
  const envs = JSON.stringify({ envs: ["/opt/conda", "/opt/conda/envs/proj"] });
  const host: FakeSystemOptions = {
    executables: ["podman", "conda"],
    outputs: { "conda env list --json": { stdout: envs } },
    files: ["/opt/conda/envs/proj/bin/"],
  };
  const [code, sys] = await llm(["--dry-run", "--conda-env", "proj", "codex"], host);
  assertEquals(code, 0, sys.err.join(""));
  assertStringIncludes(sys.out[0], "PATH=/opt/conda/envs/proj/bin:");
  const [code2, sys2] = await llm(["--conda-env", "other", "codex"], host);
  assertEquals(code2, 1);
  assertStringIncludes(
    oneErrorLine(sys2),
    "no conda environment named 'other' (known: conda, proj)",
  );
});

Deno.test("--verbose explains the runtime, image and mounts on stderr", async () => {
  const [, sys] = await llm(["--dry-run", "--verbose", "codex"]);
  const err = sys.err.join("");
  assertStringIncludes(err, "llm: runtime podman");
  assertStringIncludes(err, "llm: image ghcr.io/nichd-bspc/llm:codex-latest");
  assertStringIncludes(err, "llm: mount /work/project -> /work/project [workspace]");
});

Deno.test("LLM_BACKEND picks the backend when --backend is absent", async () => {
  const [code, sys] = await llm(["--dry-run", "codex"], { env: { LLM_BACKEND: "nonsense" } });
  assertEquals(code, 2);
  assertStringIncludes(oneErrorLine(sys), "unknown backend 'nonsense'");
});

Deno.test("no command has a built-in agent's name (a launch skips the command registry)", () => {
  const agents = BUILTIN_AGENTS.map((a) => a.name);
  for (const c of COMMANDS) assert(!agents.includes(c.name), `${c.name} is also an agent`);
});
