/**
 * The build context inside llm (lib/image/_embedded.ts) must match the
 * checkout's files, or the compiled binary would build a different image.
 */
import { assertEquals } from "../../_assert.ts";
import { EMBEDDED_CONTEXT } from "../../../lib/image/_embedded.ts";
import { CONTEXT_FILES } from "../../../lib/image/context.ts";
import { readContextFiles, renderEmbedded } from "../../../tasks/embed_image.ts";

Deno.test("the embedded build context matches the checkout (else run 'deno task embed-image')", () => {
  const current = readContextFiles();
  for (const file of current) {
    const embedded = EMBEDDED_CONTEXT.find((f) => f.path === file.path);
    assertEquals(
      embedded,
      file,
      `lib/image/_embedded.ts is stale for ${file.path}: run 'deno task embed-image'`,
    );
  }
  assertEquals(EMBEDDED_CONTEXT.map((f) => f.path), CONTEXT_FILES);
});

Deno.test("the embedded build context keeps the scripts run by name executable", () => {
  for (
    const path of ["image/llm-diagnostics", "image/llm-claude-statusline", "image/pi-launcher.mjs"]
  ) {
    assertEquals(EMBEDDED_CONTEXT.find((f) => f.path === path)?.mode, 0o755, path);
  }
  assertEquals(EMBEDDED_CONTEXT.find((f) => f.path === "Dockerfile")?.mode, 0o644);
});

Deno.test("renderEmbedded() writes a module that carries each file's path, mode and content", async () => {
  const source = renderEmbedded([{ path: "a/b", mode: 0o755, content: "x'\"\n`${y}`" }]);
  const url = `data:application/typescript;base64,${
    btoa(source.replace(/^import type .*$/m, "type EmbeddedFile = unknown;"))
  }`;
  const module = await import(url);
  assertEquals(module.EMBEDDED_CONTEXT, [{ path: "a/b", mode: 0o755, content: "x'\"\n`${y}`" }]);
});
