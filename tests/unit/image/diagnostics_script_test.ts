/**
 * image/llm-diagnostics run for real with bash on this machine, with a
 * scratch HOME and a PATH of recorded fake tools (small scripts that answer
 * `--version` the way the real ones do), so every branch can be reached
 * without the agent image.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../../_assert.ts";

const SCRIPT = new URL("../../../image/llm-diagnostics", import.meta.url).pathname;
/** Host utilities the script uses; everything else on PATH is a fake. */
const UTILITIES = ["id", "uname", "sed", "sort", "timeout", "cat"];
/** What the real tools print for `--version`. */
const VERSIONS: Record<string, string> = {
  python: "Python 3.12.3",
  git: "git version 2.43.0",
  node: "v24.11.0",
  codex: "codex-cli 0.46.0",
  claude: "2.0.14 (Claude Code)",
  pi: "0.9.0",
};

interface Scene {
  /** Fake tools to provide: name -> shell body (default: print its version). */
  tools?: Record<string, string>;
  env?: Record<string, string>;
  /** Files to create under HOME. */
  homeFiles?: string[];
  /** Extra PATH elements after the fakes. */
  extraPath?: string[];
  args?: string[];
}

async function diagnose(scene: Scene = {}): Promise<{ code: number; out: string; home: string }> {
  const root = await Deno.makeTempDir({ prefix: "llm-diag-" });
  try {
    const bin = `${root}/bin`;
    const home = `${root}/home`;
    await Deno.mkdir(bin);
    await Deno.mkdir(home);
    for (const u of UTILITIES) {
      const found = ["/usr/bin", "/bin"].map((d) => `${d}/${u}`).find((p) => exists(p));
      if (found) await Deno.symlink(found, `${bin}/${u}`);
    }
    const tools = scene.tools ?? Object.fromEntries(
      Object.entries(VERSIONS).map(([k, v]) => [k, `echo '${v}'`]),
    );
    for (const [name, body] of Object.entries(tools)) {
      await Deno.writeTextFile(`${bin}/${name}`, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    }
    for (const f of scene.homeFiles ?? []) {
      const path = `${home}/${f}`;
      if (f.endsWith("/")) await Deno.mkdir(path, { recursive: true });
      else {
        await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
        await Deno.writeTextFile(path, "{}");
      }
    }
    const out = await new Deno.Command("/bin/bash", {
      args: [SCRIPT, ...(scene.args ?? [])],
      cwd: root,
      env: {
        HOME: home,
        PATH: [bin, ...(scene.extraPath ?? [])].join(":"),
        TOOL: "codex",
        HOST_MOUNT_DIR: "/Users/me/project",
        ...scene.env,
      },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return {
      code: out.code,
      out: (dec.decode(out.stdout) + dec.decode(out.stderr)).replaceAll(root, "<root>"),
      home,
    };
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

const lines = (out: string, status: string) =>
  out.split("\n").filter((l) => l.startsWith(`${status} `)).map((l) => l.slice(6));

Deno.test("llm-diagnostics passes and reports each tool's version when all are present", async () => {
  const r = await diagnose();
  assertEquals(r.code, 0, r.out);
  assertEquals(lines(r.out, "FAIL"), []);
  for (const [name, version] of Object.entries(VERSIONS)) {
    assert(lines(r.out, "ok").includes(`${name}: ${version}`), `${name} in\n${r.out}`);
  }
  assertStringIncludes(r.out, "llm-diagnostics: all checks passed");
});

Deno.test("llm-diagnostics marks each missing tool FAIL and exits 1", async () => {
  const r = await diagnose({ tools: {} });
  assertEquals(r.code, 1);
  assertEquals(lines(r.out, "FAIL"), [
    "python: not found on PATH",
    "git: not found on PATH",
    "node: not found on PATH",
    "codex: not found on PATH",
    "claude: not found on PATH",
    "pi: not found on PATH",
  ]);
  assertStringIncludes(r.out, "llm-diagnostics: 6 check(s) FAILED");
});

Deno.test("llm-diagnostics marks a tool whose --version fails, with its output", async () => {
  const r = await diagnose({
    tools: {
      ...Object.fromEntries(Object.entries(VERSIONS).map(([k, v]) => [k, `echo '${v}'`])),
      codex: "echo 'GLIBC_2.38 not found' >&2; exit 1",
    },
  });
  assertEquals(r.code, 1);
  assertEquals(lines(r.out, "FAIL"), ["codex: 'codex --version' failed: GLIBC_2.38 not found"]);
});

Deno.test("llm-diagnostics fails when python is not Python 3", async () => {
  const tools = Object.fromEntries(Object.entries(VERSIONS).map(([k, v]) => [k, `echo '${v}'`]));
  const r = await diagnose({ tools: { ...tools, python: "echo 'Python 2.7.18'" } });
  assertEquals(lines(r.out, "FAIL"), ["python is not Python 3"]);
});

Deno.test("llm-diagnostics reports identity, HOME, the working directory, TOOL and HOST_MOUNT_DIR", async () => {
  const r = await diagnose();
  assertMatch(r.out, /^info {2}user: \S+ \(uid \d+, gid \d+, groups: [\d ]+\)$/m);
  assert(lines(r.out, "ok").includes("HOME=<root>/home (writable)"), r.out);
  assert(lines(r.out, "ok").includes("working directory <root> (writable)"), r.out);
  assert(lines(r.out, "info").includes("TOOL=codex"));
  assert(lines(r.out, "info").includes("HOST_MOUNT_DIR=/Users/me/project"));
});

Deno.test("llm-diagnostics warns when TOOL and HOST_MOUNT_DIR are missing", async () => {
  const r = await diagnose({ env: { TOOL: "", HOST_MOUNT_DIR: "" } });
  assert(lines(r.out, "warn").includes("TOOL is not set: was this container started by llm?"));
  assert(
    lines(r.out, "warn").includes("HOST_MOUNT_DIR is not set: was this container started by llm?"),
  );
});

Deno.test("llm-diagnostics fails when HOME is missing or not a directory", async () => {
  assertEquals(lines((await diagnose({ env: { HOME: "" } })).out, "FAIL"), ["HOME is not set"]);
  assertEquals(
    lines((await diagnose({ env: { HOME: "/nonexistent-home" } })).out, "FAIL")[0],
    "HOME=/nonexistent-home is not a directory",
  );
});

Deno.test("llm-diagnostics says which credential paths are present", async () => {
  const r = await diagnose({ homeFiles: [".codex/auth.json", ".claude/", ".aws/config"] });
  const ok = lines(r.out, "ok");
  const info = lines(r.out, "info");
  assert(ok.includes("~/.codex/auth.json: present (file)"), r.out);
  assert(ok.includes("~/.claude: present (directory)"));
  assert(ok.includes("~/.aws/config: present (file)"));
  assert(info.includes("~/.claude.json: absent"));
  assert(info.includes("~/.pi: absent"));
  assert(info.includes("~/.aws/credentials.json: absent"));
});

Deno.test("llm-diagnostics shows Bedrock variables but never secret values", async () => {
  const r = await diagnose({
    env: {
      CLAUDE_CODE_USE_BEDROCK: "1",
      AWS_PROFILE: "llm-export",
      AWS_REGION: "us-east-1",
      AWS_SECRET_ACCESS_KEY: "s3cr3t-value",
      AWS_SESSION_TOKEN: "t0ken-value",
      ANTHROPIC_API_KEY: "sk-ant-value",
      ANTHROPIC_MODEL: "claude-sonnet",
    },
  });
  const info = lines(r.out, "info");
  assert(info.includes("CLAUDE_CODE_USE_BEDROCK=1"), r.out);
  assert(info.includes("PI_USE_BEDROCK: not set"));
  assert(info.includes("AWS_PROFILE: llm-export"));
  assert(info.includes("AWS_REGION: us-east-1"));
  assert(info.includes("ANTHROPIC_MODEL: claude-sonnet"));
  assert(info.includes("AWS_SECRET_ACCESS_KEY: set (value hidden)"));
  assert(info.includes("ANTHROPIC_API_KEY: set (value hidden)"));
  for (const secret of ["s3cr3t", "t0ken", "sk-ant"]) assert(!r.out.includes(secret), secret);
  assertEquals(lines(r.out, "FAIL"), []);
});

Deno.test("llm-diagnostics fails when Bedrock is on without AWS credentials", async () => {
  const r = await diagnose({ env: { PI_USE_BEDROCK: "1" } });
  assertEquals(lines(r.out, "FAIL"), [
    "PI_USE_BEDROCK=1 but neither AWS_PROFILE nor AWS_ACCESS_KEY_ID is set",
  ]);
  assert(lines(r.out, "warn").includes("PI_USE_BEDROCK=1 but AWS_REGION is not set"));
});

Deno.test("llm-diagnostics checks each PATH element", async () => {
  const r = await diagnose({ extraPath: ["/nonexistent/bin", ""] });
  assert(lines(r.out, "ok").includes("<root>/bin"), r.out);
  assert(lines(r.out, "warn").includes("/nonexistent/bin: does not exist"));
  assert(lines(r.out, "warn").includes("(empty element: means the current directory)"));
});

Deno.test("llm-diagnostics reports OS and architecture", async () => {
  const r = await diagnose();
  assertMatch(r.out, /^info {2}OS: .+$/m);
  assertMatch(r.out, /^info {2}architecture: (x86_64|aarch64), kernel \S+$/m);
});

Deno.test("llm-diagnostics rejects arguments with exit 2 and prints help for --help", async () => {
  const bad = await diagnose({ args: ["--json"] });
  assertEquals(bad.code, 2);
  assertStringIncludes(bad.out, "unknown argument '--json'");
  const help = await diagnose({ args: ["--help"] });
  assertEquals(help.code, 0);
  assertStringIncludes(help.out, "grep '^FAIL'");
});
