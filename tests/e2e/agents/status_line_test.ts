/**
 * `--status-line` with the real agent image: the image's
 * llm-claude-statusline answers Claude Code's session JSON inside the
 * container, and the real Claude Code accepts the `--settings` llm adds
 * (a print-mode run against the mock Messages API still completes; print
 * mode draws no status line, tests/unit/image/claude_statusline_test.ts
 * covers the script's output).
 */
import { join } from "../../../lib/std/path.ts";
import { assertEquals } from "../../_assert.ts";
import { sandboxTest } from "../_harness.ts";
import { type MockModel, startMessagesMock } from "./_mock_models.ts";
import {
  AGENT_MODES,
  assertNothingLeft,
  assertToolRan,
  ignoreAgentsUnless,
  imageName,
  runAgentCase,
  runBounded,
  shown,
  toolCommand,
  writeOwned,
} from "./_agents.ts";

const STATUS = JSON.stringify({
  model: { id: "claude-opus-4-1", display_name: "Opus 4.1" },
  context_window: { context_window_size: 200000, used_percentage: 42.6 },
  cost: { total_cost_usd: 1.23456, total_duration_ms: 754321 },
});

for (const [mode, engine] of AGENT_MODES) {
  sandboxTest(mode, engine, ignoreAgentsUnless("status line", mode, engine, false))(
    `the image's llm-claude-statusline prints the status line`,
    async (sandbox) => {
      const script = `printf '%s' '${STATUS}' | NO_COLOR=1 llm-claude-statusline`;
      const r = await runBounded(sandbox, ["--image-name", imageName(), "shell", "--", script]);
      assertEquals(r.code, 0, shown(r));
      assertEquals(r.stdout, "Opus 4.1 | ctx 43% (85k/200k) | $1.23 | 12m 34s\n", shown(r));
      await assertNothingLeft(sandbox);
    },
  );
}

const [MODE, ENGINE] = AGENT_MODES[0];
Deno.test({
  name:
    `llm --status-line claude -p: Claude Code takes the settings and completes (${MODE} ${ENGINE})`,
  ignore: ignoreAgentsUnless("claude", MODE, ENGINE),
  async fn() {
    const command = toolCommand("claude.txt", "written by claude");
    const finalText = "claude mock: done";
    const configure = (sandbox: Parameters<typeof writeOwned>[0]) =>
      writeOwned(
        sandbox,
        join(sandbox.home, ".claude.json"),
        JSON.stringify({ numStartups: 1, hasCompletedOnboarding: true }) + "\n",
      );
    const env = (mock: MockModel) => ({
      ANTHROPIC_BASE_URL: mock.origin,
      ANTHROPIC_API_KEY: "sk-ant-mock-key",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    });
    const args = [
      "--status-line",
      "claude",
      "-p",
      "Create claude.txt here.",
      "--allowedTools",
      "Bash",
    ];
    await runAgentCase(
      {
        mode: MODE,
        engine: ENGINE,
        start: startMessagesMock,
        script: { command, finalText },
        configure,
        args,
        env,
      },
      (sandbox, mock, r) =>
        assertToolRan(sandbox, mock, r, "claude.txt", "written by claude", finalText),
    );
  },
});
