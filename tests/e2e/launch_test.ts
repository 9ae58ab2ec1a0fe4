/**
 * The launcher against real runtimes, on the busybox test image built by
 * tasks/e2e_setup.ts, in four modes: podman and docker, each rootful (as
 * root; docker on the set-up's private engine) and rootless (as the
 * unprivileged test user; docker on that user's rootless engine). The same
 * tests run in every mode; where the runtimes differ the expectation says so.
 */
import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import { join } from "../../lib/std/path.ts";
import {
  ALL_MODES,
  type Engine,
  type Mode,
  type Ran,
  runAs,
  runLlm,
  type Sandbox,
  sandboxTest,
  spawnLlm,
  testImage,
} from "./_harness.ts";

const IMAGE = testImage();

/** The first child of `pid` (runuser's one child, llm). */
function childOf(pid: number): number {
  const children = Deno.readTextFileSync(`/proc/${pid}/task/${pid}/children`).trim().split(" ");
  return Number(children[0]);
}

/**
 * The uid the agent runs as. Rootless podman maps the invoking user onto the
 * image's 1000 (keep-id). The others run it as container root: rootless
 * docker's root is the invoking user; rootful launches come from root and
 * use no user namespace (a --uidmap fails on overlay, podman #15312).
 */
function agentUid(mode: Mode, engine: Engine): string {
  return mode === "rootless" && engine === "podman" ? "1000" : "0";
}

/** `llm [opts] shell -- bash -c SCRIPT` in the test image. */
function shell(
  s: Sandbox,
  opts: string[],
  script: string,
  env?: Record<string, string>,
): Promise<Ran> {
  return runLlm(s, ["--image-name", IMAGE, ...opts, "shell", "--", "bash", "-c", script], { env });
}

async function mkdirs(s: Sandbox, ...paths: string[]): Promise<void> {
  const r = await runAs(s, ["mkdir", "-p", ...paths]);
  assertEquals(r.code, 0, r.stderr);
}

async function write(s: Sandbox, path: string, text: string): Promise<void> {
  const r = await runAs(s, ["sh", "-c", 'printf %s "$1" > "$2"', "sh", text, path]);
  assertEquals(r.code, 0, r.stderr);
}

for (const [mode, engine] of ALL_MODES) {
  const test = sandboxTest(mode, engine);

  test("the workspace is writable and files created there belong to the host user", async (s) => {
    const r = await shell(s, [], "id -u; pwd; echo hi > made-inside");
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout.trim().split("\n"), [agentUid(mode, engine), s.workspace]);
    const owner = await runAs(s, ["stat", "-c", "%u", join(s.workspace, "made-inside")]);
    const me = await runAs(s, ["id", "-u"]);
    assertEquals(owner.stdout.trim(), me.stdout.trim());
  });

  test("the agent's home belongs to it and is writable", async (s) => {
    const r = await shell(s, [], "touch ~/x && stat -c %u ~");
    assertEquals([r.code, r.stdout.trim()], [0, agentUid(mode, engine)], r.stderr);
  });

  test("--global-read-only makes the workspace read-only", async (s) => {
    const r = await shell(
      s,
      ["--global-read-only"],
      "cat /dev/null > f 2>/dev/null && echo wrote || echo refused",
    );
    assertEquals(r.stdout.trim(), "refused", r.stderr);
  });

  test("--ro protects a subdirectory and --mask hides one, the rest stays writable", async (s) => {
    await mkdirs(s, join(s.workspace, "data"), join(s.workspace, "secrets"));
    await write(s, join(s.workspace, "data", "keep"), "kept");
    await write(s, join(s.workspace, "secrets", "token"), "SECRET");
    await write(s, join(s.workspace, ".env"), "PASSWORD=x");
    const r = await shell(
      s,
      ["--ro", "data", "--mask", "secrets", "--mask", ".env"],
      [
        "cat data/keep; echo",
        "(echo x > data/new) 2>/dev/null && echo data-writable || echo data-ro",
        "ls -A secrets | wc -l",
        "(echo x > secrets/new) 2>/dev/null && echo secrets-writable || echo secrets-ro",
        "cat secrets/token 2>/dev/null || echo no-token",
        "wc -c < .env",
        "(echo x > .env) 2>/dev/null && echo env-writable || echo env-ro",
        "echo x > other && echo other-writable",
      ].join("; "),
    );
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout.trim().split("\n").map((l) => l.trim()), [
      "kept",
      "data-ro",
      "0",
      "secrets-ro",
      "no-token",
      "0",
      "env-ro",
      "other-writable",
    ]);
    assert(!r.stdout.includes("SECRET"));
    // Nothing left on the host: the masked directory holds only its own file.
    const ls = await runAs(s, ["ls", "-A", join(s.workspace, "secrets")]);
    assertEquals(ls.stdout.trim(), "token");
    assertEquals((await runAs(s, ["cat", join(s.workspace, ".env")])).stdout, "PASSWORD=x");
  });

  test("extra mounts land where asked, and :ro is read-only", async (s) => {
    await mkdirs(s, join(s.root, "data"), join(s.root, "ro"));
    await write(s, join(s.root, "data", "f"), "D");
    const r = await shell(
      s,
      [
        "--mount",
        `${s.root}/data:/data`,
        "--mount",
        `${s.root}/ro:/ro:ro`,
        "--mount",
        `${s.root}/data`,
      ],
      "cat /data/f; cat " + `'${s.root}/data/f'` +
        "; echo; (echo x > /ro/x) 2>/dev/null && echo ro-writable || echo ro-refused; echo y > /data/y",
    );
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout.trim().split("\n"), ["DD", "ro-refused"]);
    assertEquals((await runAs(s, ["cat", join(s.root, "data", "y")])).stdout.trim(), "y");
  });

  test("credential paths appear under /home/devuser, created when missing", async (s) => {
    await mkdirs(s, join(s.home, ".codex"));
    await write(s, join(s.home, ".codex", "auth.json"), '{"k":1}');
    const r = await shell(
      s,
      [],
      "cat ~/.codex/auth.json; echo; cat ~/.claude.json; ls -d ~/.claude ~/.pi",
    );
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout.trim().split("\n"), [
      '{"k":1}',
      "{}",
      "/home/devuser/.claude",
      "/home/devuser/.pi",
    ]);
    // The agent writes through to the host copy (refreshed tokens must persist).
    const w = await shell(s, [], "echo new > ~/.codex/auth.json");
    assertEquals(w.code, 0, w.stderr);
    assertEquals(
      (await runAs(s, ["cat", join(s.home, ".codex", "auth.json")])).stdout.trim(),
      "new",
    );
  });

  test("the environment inside: identity, TOOL, HOST_MOUNT_DIR, PATH without empty elements", async (s) => {
    await mkdirs(s, join(s.workspace, "tools"));
    const r = await shell(
      s,
      ["--path-prepend", "tools", "--env", "EXTRA=a b"],
      'echo "$HOME|$USER|$LOGNAME|$USERNAME|$TOOL|$HOST_MOUNT_DIR|$EXTRA"; echo "$PATH"',
      { ANTHROPIC_MODEL: "m", OPENAI_SECRET: "no" },
    );
    assertEquals(r.code, 0, r.stderr);
    const [ids, path] = r.stdout.trim().split("\n");
    assertEquals(ids, `/home/devuser|devuser|devuser|devuser|shell|${s.workspace}|a b`);
    assertEquals(path.split(":")[0], `${s.workspace}/tools`);
    assert(!path.split(":").includes(""), path);
    const env = await shell(s, [], "env", { ANTHROPIC_MODEL: "m", OPENAI_SECRET: "no" });
    assertStringIncludes(env.stdout, "ANTHROPIC_MODEL=m");
    assert(!env.stdout.includes("OPENAI_SECRET"));
  });

  test("the container's exit code is passed through", async (s) => {
    const r = await runLlm(s, ["--image-name", IMAGE, "shell", "--", "exit", "3"]);
    assertEquals(r.code, 3, r.stderr);
  });

  test("agent arguments with spaces and quotes arrive intact", async (s) => {
    const args = ["a b", "it's", 'say "hi"', "$HOME", "*", ""];
    const r = await runLlm(s, ["--image-name", IMAGE, "shell", "printf", "[%s]\\n", ...args]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout.trimEnd().split("\n"), args.map((a) => `[${a}]`));
  });

  test("the --dry-run line run through bash does the same as the launch", async (s) => {
    const args = ["--image-name", IMAGE, "shell", "printf", "<%s>", "a b", "it's"];
    const dry = await runLlm(s, ["--dry-run", ...args]);
    assertEquals(dry.code, 0, dry.stderr);
    assertEquals(dry.stdout.trim().split("\n").length, 1);
    const real = await runLlm(s, args);
    const viaBash = await runAs(s, ["bash", "-c", dry.stdout]);
    assertEquals(viaBash.code, 0, viaBash.stderr);
    assertEquals(viaBash.stdout, real.stdout);
    assertEquals(real.stdout, "<a b><it's>");
  });

  test("stdin reaches the agent", async (s) => {
    const r = await runLlm(s, ["--image-name", IMAGE, "shell", "--", "cat"], {
      stdin: "piped in\n",
    });
    assertEquals(r.stdout, "piped in\n", r.stderr);
  });

  test("a missing image gets one clear llm error line and exit 1", async (s) => {
    const image = "localhost/llm-no-such-image:x";
    const r = await runLlm(s, ["--image-name", image, "shell", "--", "true"]);
    assertEquals(r.code, 1, r.stderr);
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("llm: error: "));
    assertEquals(errors.length, 1, r.stderr);
    assertStringIncludes(errors[0], image);
  });

  test("SIGTERM to llm reaches the agent, llm exits and no container is left", async (s) => {
    const child = spawnLlm(s, [
      "--image-name",
      IMAGE,
      "shell",
      "--",
      "bash",
      "-c",
      "trap 'echo got-term; exit 7' TERM; echo started; while :; do sleep 0.1; done",
    ]);
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes("started")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    // This launch's container, by its label: other tests share the runtime's user.
    const ours = () =>
      runAs(s, [
        engine,
        "ps",
        "-a",
        "--filter",
        `label=llm.workspace=${s.workspace}`,
        "--format",
        "{{.Image}}",
      ]);
    const running = await ours();
    assertStringIncludes(running.stdout, IMAGE, "the label finds the running container");
    // Rootless runs llm under runuser, which would answer a signal itself: signal llm.
    const pid = s.mode === "rootless" ? childOf(child.pid) : child.pid;
    Deno.kill(pid, "SIGTERM");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    const status = await child.status;
    await child.stderr.cancel();
    assertStringIncludes(seen, "got-term");
    assertEquals(status.code, 7);
    const ps = await ours();
    assertEquals(ps.code, 0, ps.stderr);
    assert(!ps.stdout.includes(IMAGE), ps.stdout);
  });
}
