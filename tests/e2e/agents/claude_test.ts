/**
 * The real Claude Code CLI, launched by `llm claude -p`, against a mock
 * Messages API on loopback: `ANTHROPIC_BASE_URL` and `ANTHROPIC_API_KEY`
 * reach the container because llm passes the host's `ANTHROPIC_*` and
 * `CLAUDE_CODE*` variables through. `--allowedTools Bash` lets print mode
 * run the tool use without asking.
 */
import { join } from "../../../lib/std/path.ts";
import type { Sandbox } from "../_harness.ts";
import { type MockModel, startMessagesMock } from "./_mock_models.ts";
import {
  AGENT_MODES,
  assertAgentFailed,
  assertOneSession,
  assertOwnedByInvoker,
  assertToolRan,
  ignoreAgentsUnless,
  loopbackSkipReason,
  OPEN_NETWORK_MODES,
  runAgentCase,
  toolCommand,
  writeOwned,
} from "./_agents.ts";

const COMMAND = toolCommand("claude.txt", "written by claude");
const FINAL = "claude mock: done";
const ARGS = ["claude", "-p", "Create claude.txt here.", "--allowedTools", "Bash"];

/** An existing ~/.claude.json, as a user who ran Claude Code before has one. */
async function configure(sandbox: Sandbox): Promise<void> {
  await writeOwned(
    sandbox,
    join(sandbox.home, ".claude.json"),
    JSON.stringify({ numStartups: 1, hasCompletedOnboarding: true }) + "\n",
  );
}

const env = (mock: MockModel) => ({
  ANTHROPIC_BASE_URL: mock.origin,
  ANTHROPIC_API_KEY: "sk-ant-mock-key",
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
});

for (const [mode, engine] of AGENT_MODES) {
  // The test docker engines give a container no route to the host's
  // loopback (no bridge): there the mock is reached through llm's proxy.
  const egress = loopbackSkipReason(engine) !== null;
  const label = `${mode} ${engine}${egress ? ", --network allow" : ""}`;
  const ignore = ignoreAgentsUnless("claude", mode, engine, true, egress);
  Deno.test({
    name: `llm claude -p runs the model's Bash tool use and keeps the session (${label})`,
    ignore,
    async fn() {
      const script = { command: COMMAND, finalText: FINAL };
      const start = startMessagesMock;
      await runAgentCase(
        { mode, engine, start, script, configure, args: ARGS, env, egress },
        async (sandbox, mock, r) => {
          await assertToolRan(sandbox, mock, r, "claude.txt", "written by claude", FINAL);
          // Claude Code keeps each session as a transcript under ~/.claude/projects.
          await assertOneSession(sandbox, ".claude/projects", /\.jsonl$/, "claude.txt");
          await assertOwnedByInvoker(sandbox, join(sandbox.home, ".claude.json"));
        },
      );
    },
  });

  Deno.test({
    name: `llm claude -p returns Claude Code's exit status 1 when the model refuses (${label})`,
    ignore,
    async fn() {
      const script = { command: COMMAND, finalText: FINAL, fail: true };
      const start = startMessagesMock;
      await runAgentCase(
        { mode, engine, start, script, configure, args: ARGS, env, egress },
        (sandbox, mock, r) => assertAgentFailed(sandbox, mock, r, "/messages"),
      );
    },
  });
}

// Under --network allow with only the mock's host on the list, on podman
// too (docker already runs through the proxy above).
for (const [mode, engine] of OPEN_NETWORK_MODES) {
  Deno.test({
    name:
      `llm claude -p completes under --network allow with the mock host allowed (${mode} ${engine})`,
    ignore: ignoreAgentsUnless("claude", mode, engine, true, true),
    async fn() {
      const script = { command: COMMAND, finalText: FINAL };
      const start = startMessagesMock;
      await runAgentCase(
        { mode, engine, start, script, configure, args: ARGS, env, egress: true },
        (sandbox, mock, r) =>
          assertToolRan(sandbox, mock, r, "claude.txt", "written by claude", FINAL),
      );
    },
  });
}
