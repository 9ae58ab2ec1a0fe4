/**
 * Runtime detection end to end: llm's real PATH lookup against fake
 * executables on a PATH the test controls (nothing else on it).
 */
import { assertEquals, assertStringIncludes } from "../_assert.ts";
import { addFake, makeFakeArea, runFakeLlm } from "./_fake_backend.ts";

// Never run on --dry-run except `docker info`, which fails as with no engine.
const FAKE = "#!/bin/sh\nexit 1\n";

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
        const r = await runFakeLlm(area, ["--dry-run", "--verbose", "codex"]);
        assertEquals(r.code, 0, r.stderr);
        assertStringIncludes(r.stderr, `llm: runtime ${want}: first found on PATH (${area.bin}/`);
        assertEquals(r.stdout.split(" ")[0], want);
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
