/**
 * The launch itself against a hostile reader and a hostile agent, in every
 * runtime mode (podman and docker, rootful and rootless): no variable's value
 * on any process's argv, nothing of the environment left on disk while the
 * agent runs, no capabilities and no way to gain any, only the documented
 * host variables inside, and a runtime's own failure told apart from the
 * agent's exit status.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../_assert.ts";
import { join } from "../../lib/std/path.ts";
import { ALL_MODES, e2eState, runLlm, sandboxTest, spawnLlm } from "./_harness.ts";

const IMAGE = e2eState()?.image ?? "localhost/llm-test:latest";
const SECRET = "s3cr3t-value-7f3a91";

/** Every process whose command line holds `needle`, as `pid: cmdline`. */
function processesShowing(needle: string, except: number): string[] {
  const found: string[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name) || [Deno.pid, except].includes(Number(entry.name))) continue;
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`);
      if (cmdline.includes(needle)) found.push(`${entry.name}: ${cmdline.replaceAll("\0", " ")}`);
    } catch { /* gone meanwhile */ }
  }
  return found;
}

/** Files under llm's temporary directories that hold `needle`. */
function scratchFilesHolding(needle: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(dir)];
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory) walk(path);
      else if (e.isFile) {
        try {
          if (Deno.readTextFileSync(path).includes(needle)) found.push(path);
        } catch { /* unreadable or gone */ }
      }
    }
  };
  for (const e of Deno.readDirSync("/tmp")) {
    if (e.isDirectory && e.name.startsWith("llm-") && !e.name.startsWith("llm-e2e")) {
      walk(join("/tmp", e.name));
    }
  }
  return found;
}

for (const [mode, engine] of ALL_MODES) {
  const test = sandboxTest(mode, engine);

  test("an API key from the host environment is on no process's argv and in no file while the agent runs", async (s) => {
    const child = spawnLlm(s, [
      "--image-name",
      IMAGE,
      "shell",
      "--",
      "bash",
      "-c",
      'echo "token=$ANTHROPIC_API_KEY"; echo started; read -r _',
    ], { stdin: "", env: { ANTHROPIC_API_KEY: SECRET } });
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes("started")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    // The agent is running now: the runtime has read its env file long ago.
    // The harness's own runuser (rootless) carries llm's environment on its argv.
    const onArgv = processesShowing(SECRET, child.pid);
    const onDisk = scratchFilesHolding(SECRET);
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode("go\n"));
    await writer.close();
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
    const status = await child.status;
    await child.stderr.cancel();
    assertStringIncludes(seen, `token=${SECRET}`);
    assertEquals(onArgv, []);
    assertEquals(onDisk, []);
    assertEquals(status.code, 0);
  });

  test("the agent has no capabilities and cannot gain any", async (s) => {
    const r = await runLlm(s, [
      "--image-name",
      IMAGE,
      "shell",
      "--",
      "grep",
      "-E",
      "^(CapEff|CapPrm|NoNewPrivs):",
      "/proc/self/status",
    ]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout.trim().split("\n").map((l) => l.replace(/\s+/g, " ")), [
      "CapPrm: 0000000000000000",
      "CapEff: 0000000000000000",
      "NoNewPrivs: 1",
    ]);
  });

  test("only the documented host variables reach the container (no FTP_PROXY)", async (s) => {
    const r = await runLlm(s, ["--image-name", IMAGE, "shell", "--", "env"], {
      env: {
        FTP_PROXY: "http://ftp.invalid:1",
        ftp_proxy: "http://ftp.invalid:2",
        HTTPS_PROXY: "http://proxy.invalid:3",
      },
    });
    assertEquals(r.code, 0, r.stderr);
    const names = r.stdout.split("\n").map((l) => l.split("=")[0]);
    assertEquals(names.filter((n) => /^ftp_proxy$/i.test(n)), []);
    assert(r.stdout.includes("HTTPS_PROXY=http://proxy.invalid:3"), r.stdout);
    assert(r.stdout.includes("https_proxy=http://proxy.invalid:3"), r.stdout);
  });

  test("the agent cannot plant commands in the agents' host-run settings", async (s) => {
    await Deno.mkdir(join(s.home, ".codex"), { recursive: true });
    await Deno.writeTextFile(join(s.home, ".codex", "config.toml"), 'model = "m"\n');
    if (s.mode === "rootless") {
      const uid = Deno.statSync(s.home).uid ?? 0;
      Deno.chownSync(join(s.home, ".codex"), uid, uid);
      Deno.chownSync(join(s.home, ".codex", "config.toml"), uid, uid);
    }
    const r = await runLlm(s, [
      "--image-name",
      IMAGE,
      "shell",
      "--",
      "bash",
      "-c",
      [
        "(echo 'notify = [\"/bin/evil\"]' >> ~/.codex/config.toml) 2>/dev/null && echo codex-writable || echo codex-ro",
        "(echo '{\"hooks\":{}}' > ~/.claude/settings.json) 2>/dev/null && echo claude-writable || echo claude-ro",
        "(rm -f ~/.codex/config.toml) 2>/dev/null; test -f ~/.codex/config.toml && echo kept",
        "echo token > ~/.codex/auth.json && echo login-state-writable",
      ].join("; "),
    ]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout.trim().split("\n"), [
      "codex-ro",
      "claude-ro",
      "kept",
      "login-state-writable",
    ]);
    assertEquals(await Deno.readTextFile(join(s.home, ".codex", "config.toml")), 'model = "m"\n');
    assertEquals(await Deno.readTextFile(join(s.home, ".claude", "settings.json")), "{}\n");
  });

  test("~/.claude.json is a session copy: login state comes back, MCP servers do not", async (s) => {
    const host = join(s.home, ".claude.json");
    await Deno.writeTextFile(host, '{"numStartups":1,"mcpServers":{}}\n');
    if (s.mode === "rootless") {
      const uid = Deno.statSync(s.home).uid ?? 0;
      Deno.chownSync(host, uid, uid);
    }
    const r = await runLlm(s, [
      "--image-name",
      IMAGE,
      "shell",
      "--",
      "bash",
      "-c",
      // What Claude Code would write, plus a server the host's claude would start.
      `printf '%s' '{"numStartups":2,"oauthAccount":{"emailAddress":"a@b"},` +
      `"mcpServers":{"evil":{"command":"/bin/sh","args":["-c","touch /tmp/pwned"]}}}' ` +
      `> ~/.claude.json && echo written`,
    ]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout.trim(), "written");
    assertEquals(JSON.parse(await Deno.readTextFile(host)), {
      numStartups: 2,
      mcpServers: {},
      oauthAccount: { emailAddress: "a@b" },
    });
    assertEquals(r.stderr.includes("the agent changed mcpServers in ~/.claude.json"), true);
  });

  test("a missing local image is one llm: error line naming llm build, exit 1", async (s) => {
    const r = await runLlm(s, [
      "--image-name",
      "localhost/llm-no-such-image:1",
      "shell",
      "--",
      "true",
    ]);
    assertEquals(r.code, 1, r.stderr);
    const lines = r.stderr.trim().split("\n").filter((l) => l.startsWith("llm: "));
    assertEquals(lines.length, 1, r.stderr);
    assertMatch(lines[0], /^llm: error: .*localhost\/llm-no-such-image:1.*'llm build'/);
    assert(!lines[0].includes(`${engine} login`), lines[0]);
  });

  test("an agent that itself exits 125 is not reported as a runtime failure", async (s) => {
    const r = await runLlm(s, ["--image-name", IMAGE, "shell", "--", "exit", "125"]);
    assertEquals(r.code, 125, r.stderr);
    assertEquals(r.stderr.includes("llm: error"), false, r.stderr);
  });
}
