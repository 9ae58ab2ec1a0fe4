/**
 * Attack 3 of issue 12 against real podman and docker, rootful and
 * rootless: the agent edits or removes a trusted `.llm.yaml` in one session
 * to drop its masks in the next. The agent's actions are scripted with
 * `llm shell -- bash -c '...'`.
 */
import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import { join } from "../../lib/std/path.ts";
import { quoteWord } from "../../lib/text/shell_words.ts";
import {
  ALL_MODES,
  ignoreUnless,
  makeSandbox,
  runAs,
  runLlm,
  type Sandbox,
  sandboxTest,
  testImage,
} from "./_harness.ts";

const IMAGE = testImage();

async function write(s: Sandbox, path: string, text: string): Promise<void> {
  const r = await runAs(s, [
    "sh",
    "-c",
    'mkdir -p "$(dirname "$2")" && printf %s "$1" > "$2"',
    "sh",
    text,
    path,
  ]);
  assertEquals(r.code, 0, r.stderr);
}

/** One session of the agent running `script` in the workspace. */
function session(s: Sandbox, script: string) {
  return runLlm(s, ["--image-name", IMAGE, "shell", "--", "bash", "-c", script]);
}

/** A workspace with `secrets/key` and a trusted `.llm.yaml` masking `secrets`. */
async function trustedWorkspace(s: Sandbox): Promise<string> {
  await write(s, join(s.workspace, "secrets/key"), "SECRET");
  const project = join(s.workspace, ".llm.yaml");
  await write(s, project, "mask: [secrets]\n");
  const trust = await runLlm(s, ["trust"]);
  assertEquals(trust.code, 0, trust.stderr);
  return project;
}

const LOOK = "touch launched; cat secrets/key 2>/dev/null || echo hidden";

for (const [mode, engine] of ALL_MODES) {
  const test = sandboxTest(mode, engine);

  test("a trusted .llm.yaml the agent edited stops the next launch with an error", async (s) => {
    const project = await trustedWorkspace(s);
    const first = await session(
      s,
      "cat secrets/key 2>/dev/null || echo hidden; echo '# hi' >> .llm.yaml",
    );
    assertEquals(first.code, 0, first.stderr);
    assertEquals(first.stdout.trim(), "hidden");

    const second = await session(s, LOOK);
    assertEquals(second.code, 1, second.stdout);
    assertEquals(second.stdout, "");
    assertStringIncludes(
      second.stderr,
      `llm: error: ${project} changed since it was trusted (its restrictions are the same; ` +
        `other lines differ); it is not applied and nothing was launched. Review it; to trust ` +
        `it as it is now run: llm trust ${quoteWord(project)}; to stop using it run: ` +
        `llm trust --forget ${quoteWord(project)}\n`,
    );
    const launched = await runAs(s, ["test", "-e", join(s.workspace, "launched")]);
    assert(launched.code !== 0, "the second session must not have started");

    // Re-trusting after review restores launches, with the mask.
    assertEquals((await runLlm(s, ["trust"])).code, 0);
    const third = await session(s, LOOK);
    assertEquals(third.stdout.trim(), "hidden", third.stderr);
  });

  test("a trusted .llm.yaml the agent moved away keeps its mask, with a warning", async (s) => {
    const project = await trustedWorkspace(s);
    const first = await session(s, "mv .llm.yaml moved.yaml");
    assertEquals(first.code, 0, first.stderr);

    const second = await session(s, LOOK);
    assertEquals(second.code, 0, second.stderr);
    assertEquals(second.stdout.trim(), "hidden");
    assertStringIncludes(
      second.stderr,
      `llm: warning: ${project} was trusted but is gone; its restrictions still apply ` +
        `(mask secrets); restore it, or drop them with: llm trust --forget ${quoteWord(project)}\n`,
    );

    // Only the user's explicit --forget drops them.
    const forget = await runLlm(s, ["trust", "--forget"]);
    assertEquals(forget.code, 0, forget.stderr);
    const third = await session(s, LOOK);
    assertEquals(third.stdout.trim(), "SECRET", third.stderr);
  });

  test("a trusted .llm.yaml the agent replaced by a FIFO stops the launch without hanging", async (s) => {
    const project = await trustedWorkspace(s);
    const first = await session(s, "rm .llm.yaml && mkfifo .llm.yaml");
    assertEquals(first.code, 0, first.stderr);
    const second = await session(s, LOOK);
    assertEquals(second.code, 1, second.stdout);
    assertStringIncludes(
      second.stderr,
      `llm: error: ${project} was trusted but now is not a regular file (a FIFO, socket or ` +
        `device); it is not applied and nothing was launched.`,
    );
  });
}

Deno.test({
  name: "a user config symlinked to /dev/zero is refused at once, reading nothing (rootless)",
  ignore: ignoreUnless("rootless"),
  async fn() {
    const s = await makeSandbox("rootless");
    try {
      const config = join(s.home, ".config/llm/config.yaml");
      await write(s, config, "");
      assertEquals((await runAs(s, ["ln", "-sf", "/dev/zero", config])).code, 0);
      const r = await runLlm(s, ["--dry-run", "shell"]);
      assertEquals(r.code, 1);
      assertEquals(
        r.stderr,
        `llm: error: config file ${config} is not a regular file (a FIFO, socket or device)\n`,
      );
    } finally {
      await s.cleanup();
    }
  },
});
