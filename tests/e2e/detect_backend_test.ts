/**
 * Runtime detection end to end: llm's real PATH lookup against fake
 * executables on a PATH the test controls (nothing else on it).
 */
import { assertEquals, assertStringIncludes } from "../_assert.ts";
import { addFake, makeFakeArea, runFakeLlm } from "./_fake_backend.ts";

// Never run on --dry-run except `docker info`, which fails as with no engine.
const FAKE = "#!/bin/sh\nexit 1\n";

/** A listening unix socket standing in for a docker engine, and its DOCKER_HOST. */
function fakeEngine(dir: string): { env: Record<string, string>; close(): void } {
  const path = `${dir}/docker.sock`;
  const listener = Deno.listen({ transport: "unix", path });
  return { env: { DOCKER_HOST: `unix://${path}` }, close: () => listener.close() };
}

const linux = Deno.build.os === "linux";
if (!linux) console.log("skipping Linux detection-order tests: this host is not Linux");

const CASES: [string[], string][] = [
  [["apptainer", "singularity", "podman", "docker"], "apptainer"],
  [["singularity", "podman", "docker"], "singularity"],
  [["podman", "docker"], "podman"],
  [["docker"], "docker"],
];

for (const [present, want] of CASES) {
  Deno.test({
    name: `auto on Linux picks ${want} with ${present.join(", ")} on PATH`,
    ignore: !linux,
    async fn() {
      const area = await makeFakeArea();
      try {
        for (const name of present) await addFake(area, name, FAKE);
        const engine = fakeEngine(area.root);
        const r = await runFakeLlm(area, ["--dry-run", "--verbose", "codex"], {
          env: engine.env,
        });
        engine.close();
        assertEquals(r.code, 0, r.stderr);
        assertStringIncludes(r.stderr, `llm: runtime ${want}: first found on PATH (${area.bin}/`);
        // The runtime's command comes last, after any set-up of the temporary directory the
        // line makes, and may start with VAR=value assignments (singularity's environment).
        const command = r.stdout.trim().replace(/\)$/, "").split(" && ").at(-1) ?? "";
        assertEquals(command.split(" ").find((w) => !w.includes("=")), want);
      } finally {
        await area.cleanup();
      }
    },
  });
}

Deno.test({
  name: "auto with no runtime on PATH fails with one line naming each and how to get it",
  ignore: !linux,
  async fn() {
    const area = await makeFakeArea();
    try {
      const r = await runFakeLlm(area, ["codex"]);
      assertEquals(r.code, 1);
      assertEquals(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
      assertStringIncludes(r.stderr, "looked for apptainer, singularity, podman, docker");
    } finally {
      await area.cleanup();
    }
  },
});

Deno.test({
  name: "LLM_BACKEND forces a runtime; an absent forced runtime is an error",
  ignore: !linux,
  async fn() {
    const area = await makeFakeArea();
    try {
      await addFake(area, "apptainer", FAKE);
      await addFake(area, "podman", FAKE);
      const forced = await runFakeLlm(area, ["--dry-run", "codex"], {
        env: { LLM_BACKEND: "podman" },
      });
      assertEquals(forced.stdout.split(" ")[0], "podman", forced.stderr);
      const absent = await runFakeLlm(area, ["--backend", "docker", "codex"]);
      assertEquals(absent.code, 1);
      assertStringIncludes(absent.stderr, "docker is not on PATH");
      const unknown = await runFakeLlm(area, ["--backend", "lxc", "codex"]);
      assertEquals(unknown.code, 2);
      assertStringIncludes(unknown.stderr, "unknown backend 'lxc'");
    } finally {
      await area.cleanup();
    }
  },
});

Deno.test({
  name: "auto with only a docker whose engine socket is missing fails with one line saying so",
  ignore: !linux,
  async fn() {
    const area = await makeFakeArea();
    try {
      await addFake(area, "docker", FAKE);
      const env = { DOCKER_HOST: `unix://${area.root}/no-engine.sock` };
      const r = await runFakeLlm(area, ["codex"], { env });
      assertEquals(r.code, 1);
      assertEquals(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
      assertStringIncludes(r.stderr, "but its engine is not running: no engine socket at");
      const dry = await runFakeLlm(area, ["--dry-run", "codex"], { env });
      assertEquals([dry.code, dry.stdout.split(" ")[0]], [0, "docker"], dry.stderr);
      const forced = await runFakeLlm(area, ["--dry-run", "--backend", "docker", "codex"], { env });
      assertEquals(forced.stdout.split(" ")[0], "docker", forced.stderr);
    } finally {
      await area.cleanup();
    }
  },
});

Deno.test({
  name: "auto picks docker when DOCKER_HOST names a live socket or a remote engine",
  ignore: !linux,
  async fn() {
    const area = await makeFakeArea();
    try {
      await addFake(area, "docker", FAKE);
      const engine = fakeEngine(area.root);
      const live = await runFakeLlm(area, ["--dry-run", "--verbose", "codex"], { env: engine.env });
      engine.close();
      assertStringIncludes(live.stderr, "llm: runtime docker: first found on PATH");
      const remote = await runFakeLlm(area, ["--dry-run", "--verbose", "codex"], {
        env: { DOCKER_HOST: "tcp://127.0.0.1:1" },
      });
      assertStringIncludes(remote.stderr, "llm: runtime docker: first found on PATH");
    } finally {
      await area.cleanup();
    }
  },
});
