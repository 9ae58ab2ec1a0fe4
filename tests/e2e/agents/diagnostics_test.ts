/**
 * llm-diagnostics as shipped in the real agent image (/usr/local/bin), run
 * through `llm shell`: with python, git, node and the three agents present,
 * nothing is a FAIL line.
 */
import { assert, assertEquals, assertStringIncludes } from "../../_assert.ts";
import { sandboxTest } from "../_harness.ts";
import {
  AGENT_MODES,
  agentImage,
  ignoreAgentsUnless,
  imageName,
  runBounded,
  shown,
} from "./_agents.ts";

for (const [mode, engine] of AGENT_MODES) {
  sandboxTest(mode, engine, ignoreAgentsUnless("llm-diagnostics", mode, engine, false))(
    `llm-diagnostics in the agent image reports no failure`,
    async (sandbox) => {
      const r = await runBounded(sandbox, [
        "--image-name",
        imageName(),
        "shell",
        "--",
        "llm-diagnostics",
      ]);
      const fails = r.stdout.split("\n").filter((l) => l.startsWith("FAIL"));
      assertEquals(fails, [], shown(r));
      assertEquals(r.code, 0, shown(r));
      assertStringIncludes(r.stdout, "llm-diagnostics: all checks passed");
      const pins = agentImage()?.pins;
      assert(pins, "agent image state has its pins");
      assertStringIncludes(r.stdout, `ok    node: v${pins.node}`);
      assertStringIncludes(r.stdout, `ok    codex: codex-cli ${pins.codex}`);
      assertStringIncludes(r.stdout, `ok    claude: ${pins.claude} (Claude Code)`);
      assertStringIncludes(r.stdout, `ok    pi: ${pins.pi}`);
      assertStringIncludes(r.stdout, "ok    HOME=/home/devuser (writable)");
    },
  );
}
