/**
 * Sessions against real podman and docker, rootless and rootful: two named
 * sessions at once, `llm ps` and `ps --json` list both with the image id
 * the runtime reports, `llm stop` ends one and leaves the other, each
 * manifest is complete and holds no secret value, and a session whose llm
 * was SIGKILLed shows as killed afterwards (and `llm stop` still ends the
 * container it left).
 */
import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import {
  ALL_MODES,
  e2eState,
  type Engine,
  finish,
  type Ran,
  runAs,
  runLlm,
  type Sandbox,
  sandboxTest,
  spawnLlm,
  testImage,
} from "./_harness.ts";

const IMAGE = testImage();
const SECRET = "s3cr3t-value-never-stored";

interface Listed {
  readonly id: string;
  readonly name: string;
  readonly state: string;
  readonly exitCode: number | null;
  readonly pid: number;
  readonly image: { readonly id: string | null };
  readonly env: readonly string[];
  readonly mounts: readonly { target: string; mode: string }[];
  readonly runtime: { name: string; version: string | null };
  readonly container: string | null;
  readonly containerId: string | null;
}

async function ps(s: Sandbox, ...flags: string[]): Promise<Listed[]> {
  const r = await runLlm(s, ["ps", "--json", ...flags]);
  assertEquals(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Listed[];
}

/** Poll `llm ps --json` until `ok` holds (the image id is filled in just after the start). */
async function waitFor(s: Sandbox, ok: (l: Listed[]) => boolean, what: string): Promise<Listed[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const listed = await ps(s, "--all");
    if (ok(listed)) return listed;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(listed)}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function imageId(s: Sandbox, engine: Engine): Promise<string> {
  const r = await runAs(s, [engine, "image", "inspect", "--format", "{{.Id}}", IMAGE]);
  assertEquals(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  return id.startsWith("sha256:") ? id : `sha256:${id}`;
}

/** The raw manifest file and its mode, as the sandbox user sees it. */
async function manifestFile(s: Sandbox, id: string): Promise<{ text: string; mode: number }> {
  const path = `${s.home}/.local/state/llm/sessions/${id}.json`;
  const info = await Deno.stat(path);
  return { text: await Deno.readTextFile(path), mode: (info.mode ?? 0) & 0o777 };
}

for (const [mode, engine] of ALL_MODES) {
  const test = sandboxTest(mode, engine);
  test("two named sessions run side by side; ps lists both; stop ends one; a killed llm shows as killed", async (s) => {
    const start = (name: string) =>
      spawnLlm(s, [
        "--image-name",
        IMAGE,
        "--name",
        name,
        "-e",
        `SESSION_SECRET=${SECRET}`,
        "shell",
        "--",
        "sleep 300",
      ]);
    // Names unique to this run: other tests share the runtime's user.
    const tag = crypto.randomUUID().slice(0, 8);
    const [alphaName, betaName] = [`alpha-${tag}`, `beta-${tag}`];
    const alpha = start(alphaName);
    const beta = start(betaName);
    let betaDone: Promise<Ran> | undefined;
    try {
      const listed = await waitFor(
        s,
        (l) => l.length === 2 && l.every((m) => m.state === "running" && m.image.id !== null),
        "two running sessions with their image ids",
      );
      const id = await imageId(s, engine);
      assertEquals(listed.map((m) => m.name).sort(), [alphaName, betaName]);
      for (const m of listed) {
        assertEquals(m.image.id, id);
        assertEquals(m.runtime.name, engine);
        assert(m.runtime.version !== null, "runtime version recorded");
        assertEquals(m.container, m.name);
        assert(m.containerId !== null);
      }
      // The table too, and the running set without --all.
      const table = await runLlm(s, ["ps"]);
      assertEquals(table.code, 0, table.stderr);
      const lines = table.stdout.trim().split("\n");
      assertEquals(lines.length, 3, table.stdout);
      for (const name of [alphaName, betaName]) {
        const line = lines.find((l) => l.startsWith(`${name} `)) ?? "";
        assertStringIncludes(line, " running ");
        assertStringIncludes(line, ` ${id.slice(7, 19)} `);
      }
      // The runtime sees the names and labels too.
      const byLabel = await runAs(s, [
        engine,
        "ps",
        "--filter",
        `label=llm.session=${listed[0].id}`,
        "--format",
        "{{.Names}}",
      ]);
      assertEquals(byLabel.stdout.trim(), listed[0].name);

      // Stop alpha: beta goes on.
      const stop = await runLlm(s, ["stop", "--time", "5", alphaName]);
      assertEquals(stop.code, 0, stop.stderr);
      assertEquals(stop.stdout, `${alphaName}\n`);
      const alphaRan = await finish(alpha);
      assertEquals(alphaRan.code, 143, alphaRan.stderr);
      const after = await ps(s);
      assertEquals(after.map((m) => m.name), [betaName]);
      const all = await ps(s, "--all");
      const a = all.find((m) => m.name === alphaName);
      assertEquals([a?.state, a?.exitCode], ["exited", 143]);

      // Each manifest is complete and holds variable names, never values.
      for (const m of all) {
        const file = await manifestFile(s, m.id);
        assertEquals(file.mode, 0o600);
        assertEquals(file.text.includes(SECRET), false, "secret value in manifest");
        const shown = await runLlm(s, ["show", m.name]);
        assertEquals(shown.code, 0, shown.stderr);
        const full = JSON.parse(shown.stdout) as Listed & Record<string, unknown>;
        assert(full.env.includes("SESSION_SECRET"));
        assert(full.mounts.some((x) => x.target === s.workspace && x.mode === "rw"));
        for (const k of ["llmVersion", "started", "platform", "command", "masks", "readOnly"]) {
          assert(k in full, `manifest lacks ${k}`);
        }
      }
      assert(a !== undefined);
      const ended = JSON.parse((await manifestFile(s, a.id)).text);
      assert(ended.ended !== null);

      // SIGKILL beta's llm: no end gets recorded, and ps must not say running.
      const b = all.find((m) => m.name === betaName);
      assert(b !== undefined);
      // Its output ends only when the runtime's client, which outlives llm, does.
      betaDone = finish(beta);
      Deno.kill(b.pid, "SIGKILL");
      await beta.status;
      const killed = await waitFor(
        s,
        (l) => l.find((m) => m.name === betaName)?.state === "killed",
        "beta shown as killed",
      );
      assertEquals(killed.find((m) => m.name === betaName)?.exitCode, null);
      assertEquals(await ps(s), []);
      // Its container outlived llm; llm stop still ends it.
      const leftover = await runLlm(s, ["stop", "--time", "1", betaName]);
      assertEquals(leftover.code, 0, leftover.stderr);
      await betaDone;
      const gone = await runAs(s, [engine, "ps", "-q", "--filter", `label=llm.session=${b.id}`]);
      assertEquals(gone.stdout.trim(), "");
    } finally {
      for (const name of [alphaName, betaName]) {
        await runAs(s, [engine, "rm", "-f", name]).catch(() => {});
      }
      for (const child of [alpha, beta]) {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
      }
      await alpha.status;
      await beta.status;
      await betaDone;
    }
  });
}

/**
 * A `podman`/`docker` first on PATH that logs its arguments, refuses
 * `image inspect` and runs the real one otherwise: a manifest that still
 * gets its image facts got them without that process.
 */
async function refusingInspect(s: Sandbox, engine: Engine): Promise<{ PATH: string; log: string }> {
  const state = e2eState();
  const real = engine === "docker" ? state?.docker : state?.podman;
  const bin = `${s.root}/bin`;
  const log = `${bin}/calls.log`;
  await Deno.mkdir(bin, { mode: 0o755 });
  // Written by the sandbox's user, whoever that is.
  await Deno.writeTextFile(log, "", { mode: 0o666 });
  await Deno.chmod(log, 0o666);
  await Deno.writeTextFile(
    `${bin}/${engine}`,
    `#!/bin/sh\necho "$*" >> ${log}\nif [ "$1" = image ] && [ "$2" = inspect ]; then\n` +
      `  echo "image inspect refused by the test" >&2; exit 97\nfi\nexec ${real} "$@"\n`,
    { mode: 0o755 },
  );
  return { PATH: `${bin}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`, log };
}

for (const [mode, engine] of ALL_MODES) {
  const test = sandboxTest(mode, engine);
  test("the image id and digests are recorded without an image inspect", async (s) => {
    const { PATH, log } = await refusingInspect(s, engine);
    const r = await runLlm(s, ["--image-name", IMAGE, "shell", "--", "true"], { env: { PATH } });
    assertEquals(r.code, 0, r.stderr);
    const [m] = await ps(s, "--all");
    const shown = await runLlm(s, ["show", m.id], { env: { PATH } });
    const manifest = JSON.parse(shown.stdout) as {
      image: { id: string; repoDigests: string[] };
    };
    assertEquals(manifest.image.id, await imageId(s, engine));
    const digests = await runAs(s, [
      engine,
      "image",
      "inspect",
      "--format",
      "{{json .RepoDigests}}",
      IMAGE,
    ]);
    assertEquals(manifest.image.repoDigests, JSON.parse(digests.stdout));
    // The launch went through the wrapper, and nothing asked it for the image.
    const calls = (await Deno.readTextFile(log)).trim().split("\n");
    assert(calls.some((c) => c.startsWith("run ")), calls.join("\n"));
    assertEquals(calls.filter((c) => c.startsWith("image ")), []);
  });
}

for (const [mode, engine] of ALL_MODES) {
  const test = sandboxTest(mode, engine);
  test("llm attach joins a running session: its input reaches the agent, the output comes back", async (s) => {
    const name = `attach-${crypto.randomUUID().slice(0, 8)}`;
    // The session's own stdin stays open (and silent) until the end.
    const session = spawnLlm(s, [
      "--image-name",
      IMAGE,
      "--name",
      name,
      "shell",
      "--",
      "while read l; do echo got:$l; done",
    ], { stdin: "" });
    try {
      await waitFor(
        s,
        (l) => l.some((m) => m.name === name && m.state === "running" && m.containerId !== null),
        "the session running",
      );
      const attached = await runLlm(s, ["attach", name], { stdin: "hello\n" });
      assertEquals(attached.code, 0, attached.stderr);
      assertStringIncludes(attached.stdout, "got:hello");
    } finally {
      await runLlm(s, ["stop", "--time", "1", name]).catch(() => {});
      await runAs(s, [engine, "rm", "-f", name]).catch(() => {});
      await session.stdin.close().catch(() => {});
      await session.output();
    }
  });
}
