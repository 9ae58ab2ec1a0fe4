/**
 * `llm refresh` against what an agent can leave in the credential
 * directories it has read-write (issue 12, attack 5 and its hygiene items):
 * planted symlinks (to a file, or as a directory on the way), a non-UTF-8
 * `~/.aws/config`, and the temporary file a killed refresh leaves behind.
 * The real `llm` runs with the recorded fake `codex` and `aws` of
 * _refresh_fixtures.ts; no container runtime is needed except for the last
 * test, which plants the link from inside a real rootless podman launch.
 */
import { join } from "../../lib/std/path.ts";
import { ALL_MODES, e2eState, runLlm, sandboxTest } from "./_harness.ts";
import { assertEquals, assertMatch, assertNotEquals, assertStringIncludes } from "../_assert.ts";
import { loggedIn, makeWorld, modeOf, type RefreshWorld, runRefresh } from "./_refresh_fixtures.ts";

/** A file outside the credential tree that a planted link points at, and its bytes and mode. */
function bait(world: RefreshWorld, name = ".bashrc"): { path: string; check(): void } {
  const path = join(world.home, name);
  const bytes = new TextEncoder().encode("alias ll='ls -l'\n# mine\n");
  Deno.writeFileSync(path, bytes, { mode: 0o644 });
  Deno.chmodSync(path, 0o644);
  return {
    path,
    check() {
      assertEquals(Deno.readFileSync(path), bytes, `${path} changed`);
      assertEquals(modeOf(path).toString(8), "644", `${path} mode changed`);
    },
  };
}

function names(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  } catch {
    return [];
  }
}

function symlinkError(world: RefreshWorld, rel: string, target: string): string {
  return `llm: error: ~/${rel} is a symlink to ${target}; llm refresh never follows links in ` +
    "credential directories (an agent can plant them): check the link, then remove it: " +
    `rm ${join(world.home, rel)}\n`;
}

Deno.test("refresh refuses a ~/.aws/config symlinked to ~/.bashrc, runs nothing and writes nothing", async () => {
  const world = makeWorld();
  try {
    loggedIn(world);
    const target = bait(world);
    Deno.mkdirSync(join(world.home, ".aws"), { mode: 0o700 });
    Deno.symlinkSync(target.path, join(world.home, ".aws/config"));
    const r = await runRefresh(world, ["--kind", "claude"]);
    assertEquals(r.code, 1);
    assertEquals(r.stderr, symlinkError(world, ".aws/config", target.path));
    target.check();
    assertEquals(world.log(), [], "no aws command may run");
    assertEquals(names(join(world.home, ".aws")), ["config"]);
    assertEquals(Deno.readLinkSync(join(world.home, ".aws/config")), target.path);
  } finally {
    world.cleanup();
  }
});

Deno.test("refresh refuses a relative ~/.aws/credentials.json link, naming where it leads", async () => {
  const world = makeWorld();
  try {
    loggedIn(world);
    const target = bait(world, ".ssh-key");
    Deno.mkdirSync(join(world.home, ".aws"), { mode: 0o700 });
    Deno.symlinkSync("../.ssh-key", join(world.home, ".aws/credentials.json"));
    const r = await runRefresh(world, ["--kind", "claude"]);
    assertEquals(r.code, 1);
    assertEquals(r.stderr, symlinkError(world, ".aws/credentials.json", target.path));
    target.check();
  } finally {
    world.cleanup();
  }
});

Deno.test("refresh refuses a ~/.pi/agent directory that is a symlink, creating nothing in its target", async () => {
  const world = makeWorld();
  try {
    loggedIn(world);
    const elsewhere = join(world.home, "private");
    Deno.mkdirSync(elsewhere, { mode: 0o700 });
    Deno.mkdirSync(join(world.home, ".pi"), { mode: 0o700 });
    Deno.symlinkSync(elsewhere, join(world.home, ".pi/agent"));
    const r = await runRefresh(world, ["--kind", "codex"]);
    assertEquals(r.code, 1);
    assertEquals(r.stderr, symlinkError(world, ".pi/agent", elsewhere));
    assertEquals(names(elsewhere), []);
    assertEquals(world.log(), [], "codex may not run either");
  } finally {
    world.cleanup();
  }
});

Deno.test("refresh never reads a credential through a link: ~/.codex/auth.json to another file", async () => {
  const world = makeWorld();
  try {
    loggedIn(world);
    // A file that would parse as a Codex login, so following the link would succeed silently.
    const other = join(world.home, "other-auth.json");
    Deno.renameSync(join(world.home, ".codex/auth.json"), other);
    Deno.symlinkSync(other, join(world.home, ".codex/auth.json"));
    const r = await runRefresh(world, ["--kind", "codex"]);
    assertEquals(r.code, 1);
    assertEquals(r.stderr, symlinkError(world, ".codex/auth.json", other));
    assertEquals(names(join(world.home, ".pi")), []);
  } finally {
    world.cleanup();
  }
});

Deno.test("refresh refuses a link planted in the AWS SSO cache before aws can write through it", async () => {
  const world = makeWorld();
  try {
    loggedIn(world);
    const target = bait(world);
    const cache = join(world.home, ".aws/sso/cache");
    Deno.mkdirSync(cache, { recursive: true, mode: 0o700 });
    Deno.symlinkSync(target.path, join(cache, "0123abcd.json"));
    const r = await runRefresh(world, ["--kind", "claude"]);
    assertEquals(r.code, 1);
    assertEquals(r.stderr, symlinkError(world, ".aws/sso/cache/0123abcd.json", target.path));
    assertEquals(world.log(), []);
    target.check();
  } finally {
    world.cleanup();
  }
});

Deno.test("refresh refuses a non-UTF-8 ~/.aws/config and leaves it byte for byte", async () => {
  const world = makeWorld();
  try {
    loggedIn(world);
    Deno.mkdirSync(join(world.home, ".aws"), { mode: 0o700 });
    const config = join(world.home, ".aws/config");
    // Latin-1 "é" in a comment: valid to the AWS CLI, not UTF-8.
    const bytes = new Uint8Array([
      ...new TextEncoder().encode("[default]\n# caf"),
      0xe9,
      ...new TextEncoder().encode("\nregion = us-east-1\n"),
    ]);
    Deno.writeFileSync(config, bytes, { mode: 0o644 });
    Deno.chmodSync(config, 0o644);
    const r = await runRefresh(world, ["--kind", "claude"]);
    assertEquals(r.code, 1);
    assertEquals(
      r.stderr.split("\n").filter((l) => l.startsWith("llm: error:")),
      [
        "llm: error: ~/.aws/config is not UTF-8 text (byte 0xe9 at offset 15); llm refresh keeps " +
        "that file byte for byte and will not rewrite it: convert it to UTF-8, or run with " +
        "--no-export-creds",
      ],
    );
    assertEquals(Deno.readFileSync(config), bytes);
    assertEquals(modeOf(config).toString(8), "644");
    assertEquals(
      names(join(world.home, ".aws")),
      ["config"],
      "credentials.json is not written either",
    );
  } finally {
    world.cleanup();
  }
});

Deno.test("refresh keeps a UTF-8 byte-order mark at the start of ~/.aws/config", async () => {
  const world = makeWorld();
  try {
    loggedIn(world);
    Deno.mkdirSync(join(world.home, ".aws"), { mode: 0o700 });
    const config = join(world.home, ".aws/config");
    Deno.writeTextFileSync(config, "\uFEFF[default]\r\nregion = us-east-1\r\n");
    const r = await runRefresh(world, ["--kind", "claude"]);
    assertEquals(r.code, 0, r.stderr);
    const after = Deno.readFileSync(config);
    assertEquals([...after.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assertEquals(
      new TextDecoder("utf-8", { ignoreBOM: true }).decode(after),
      "\uFEFF[default]\r\nregion = us-east-1\r\n\r\n[profile llm-export]\r\n" +
        "credential_process = sh -c 'cat ~/.aws/credentials.json'\r\n",
    );
  } finally {
    world.cleanup();
  }
});

Deno.test("refresh removes the temp files a killed refresh left, and nothing of other programs", async () => {
  const world = makeWorld();
  try {
    loggedIn(world);
    const aws = join(world.home, ".aws");
    Deno.mkdirSync(aws, { mode: 0o700 });
    // What a refresh killed between creating and renaming leaves (this and the older naming).
    const stale = `.llm-tmp-${crypto.randomUUID()}`;
    const legacy = `.${crypto.randomUUID()}.tmp`;
    for (const n of [stale, legacy]) {
      Deno.writeTextFileSync(join(aws, n), '{"SecretAccessKey":"old"}', { mode: 0o600 });
    }
    Deno.writeTextFileSync(join(aws, ".llm-tmp-notes"), "mine\n");
    Deno.writeTextFileSync(join(aws, ".other.tmp"), "mine\n");
    const r = await runRefresh(world, ["--kind", "claude"]);
    assertEquals(r.code, 0, r.stderr);
    for (const n of [stale, legacy]) {
      assertStringIncludes(r.stderr, `removed ~/.aws/${n} (left by an interrupted llm refresh)\n`);
    }
    assertEquals(names(aws), [".llm-tmp-notes", ".other.tmp", "config", "credentials.json"]);
  } finally {
    world.cleanup();
  }
});

const STRACE = ["/usr/bin/strace", "/bin/strace"].find((p) => {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
});
if (!STRACE) console.log("skipping the temp-file creation test: strace is not installed");

Deno.test({
  name: "refresh creates each temp file 0600 with O_EXCL|O_NOFOLLOW and never chmods a path",
  ignore: !STRACE,
  async fn() {
    const world = makeWorld();
    try {
      loggedIn(world);
      const trace = join(world.root, "trace");
      const r = await runRefresh(world, [], {}, [
        STRACE as string,
        "-f",
        "-qq",
        "-e",
        "trace=open,openat,creat,chmod,fchmodat,fchmod,rename,renameat,renameat2",
        "-o",
        trace,
      ]);
      assertEquals(r.code, 0, r.stderr);
      const lines = Deno.readTextFileSync(trace).split("\n");
      const creates = lines.filter((l) => /open(at)?\(.*\.llm-tmp-/.test(l));
      assertEquals(creates.length, 3, creates.join("\n"));
      for (const l of creates) {
        assertMatch(l, /O_WRONLY\|O_CREAT\|O_EXCL\|O_NOFOLLOW\|O_CLOEXEC, 0600\) = \d+/);
      }
      // Modes are set on descriptors (fchmod) or on "." only, never on a name that could be a link.
      const byPath = lines.filter((l) => /\b(chmod|fchmodat)\(/.test(l));
      for (const l of byPath) assertMatch(l, /(chmod|fchmodat)\((AT_FDCWD, )?"\."/);
      const fchmods = lines.filter((l) => /\bfchmod\(\d+, 0600\)/.test(l));
      assertEquals(fchmods.length, 3);
    } finally {
      world.cleanup();
    }
  },
});

for (const [mode, engine] of ALL_MODES) {
  sandboxTest(mode, engine)(
    "an agent's ~/.aws/config link to ~/.bashrc cannot be planted in a launch, and one planted anyway stops the next refresh",
    async (s) => {
      const uid = Deno.statSync(s.home).uid as number;
      const own = (p: string) => Deno.chownSync(p, uid, uid);
      const bashrc = join(s.home, ".bashrc");
      const bytes = new TextEncoder().encode("export PATH=$HOME/bin:$PATH\n");
      Deno.writeFileSync(bashrc, bytes, { mode: 0o644 });
      Deno.chmodSync(bashrc, 0o644);
      own(bashrc);
      const aws = join(s.home, ".aws");
      Deno.mkdirSync(aws, { mode: 0o700 });
      Deno.writeTextFileSync(join(aws, "config"), "[profile dev]\nregion = us-east-1\n");
      own(aws);
      own(join(aws, "config"));
      const bin = join(s.root, "bin");
      Deno.mkdirSync(bin);
      Deno.writeTextFileSync(join(bin, "aws"), `#!/bin/sh\necho "aws $*" >> ${bin}/log\nexit 1\n`, {
        mode: 0o755,
      });
      own(bin);
      const config = join(aws, "config");
      // The agent's move, inside the container, where ~/.aws is mounted read-write for Bedrock.
      const plant = await runLlm(s, [
        "--image-name",
        e2eState()?.image ?? "localhost/llm-test:latest",
        "shell",
        "--",
        "bash",
        "-c",
        `rm -f ~/.aws/config && ln -s ${bashrc} ~/.aws/config`,
      ], { env: { CLAUDE_CODE_USE_BEDROCK: "1", AWS_PROFILE: "dev" } });
      let planted: boolean;
      try {
        planted = Deno.lstatSync(config).isSymlink;
      } catch {
        planted = false;
      }
      // With Bedrock ~/.aws is mounted read-only: the agent's move fails inside the container.
      assertEquals(planted, false, `the agent replaced ~/.aws/config: ${plant.stderr}`);
      assertNotEquals(plant.code, 0);
      // The refresh must hold anyway (anything in a credential directory may be hostile, and
      // --writable-agent-config gives the agent ~/.aws): plant the link from the host.
      Deno.removeSync(config);
      Deno.symlinkSync(bashrc, config);
      const r = await runLlm(s, ["refresh", "--kind", "claude"], {
        env: { PATH: `${bin}:/usr/bin:/bin` },
      });
      assertEquals(r.code, 1, r.stderr);
      assertEquals(
        r.stderr,
        `llm: error: ~/.aws/config is a symlink to ${bashrc}; llm refresh never follows links in ` +
          "credential directories (an agent can plant them): check the link, then remove it: " +
          `rm ${config}\n`,
      );
      assertEquals(Deno.readFileSync(bashrc), bytes);
      assertEquals(modeOf(bashrc).toString(8), "644");
      assertEquals(names(bin), ["aws"], "aws never ran");
    },
  );
}
