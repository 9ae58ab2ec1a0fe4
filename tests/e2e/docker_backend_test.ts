/**
 * Docker specifics against the set-up's real engines (the launch behaviour
 * shared with podman is in launch_test.ts, which runs in every mode): llm
 * tells a rootless engine from a rootful one, and auto-detection reaches
 * docker through DOCKER_HOST.
 */
import { assertEquals, assertStringIncludes } from "../_assert.ts";
import { ignoreUnless, makeSandbox, type Mode, runLlm, testImage } from "./_harness.ts";

const IMAGE = testImage();

for (const mode of ["rootful", "rootless"] as Mode[]) {
  Deno.test({
    name: `llm --verbose says the ${mode} docker engine is ${mode} and launches on it`,
    ignore: ignoreUnless(mode, "docker"),
    async fn() {
      const s = await makeSandbox(mode, "docker");
      try {
        const r = await runLlm(s, ["--verbose", "--image-name", IMAGE, "shell", "--", "true"]);
        assertEquals(r.code, 0, r.stderr);
        assertStringIncludes(r.stderr, "llm: runtime docker");
        assertStringIncludes(r.stderr, `llm: docker ${mode}`);
      } finally {
        await s.cleanup();
      }
    },
  });
}
