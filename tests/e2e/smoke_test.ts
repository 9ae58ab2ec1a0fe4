import { assertEquals } from "../_assert.ts";
import { e2eState, ignoreUnless, makeSandbox, type Mode, runLlm } from "./_harness.ts";

for (const mode of ["rootful", "rootless"] as Mode[]) {
  Deno.test({
    name: `llm shell runs in the test image (${mode})`,
    ignore: ignoreUnless(mode),
    async fn() {
      const sandbox = await makeSandbox(mode);
      try {
        const image = e2eState()?.image ?? "";
        const r = await runLlm(sandbox, ["--image-name", image, "shell", "--", "id", "-u"]);
        assertEquals(r.stdout.trim(), "1000", r.stderr);
        assertEquals(r.code, 0);
      } finally {
        await sandbox.cleanup();
      }
    },
  });
}
