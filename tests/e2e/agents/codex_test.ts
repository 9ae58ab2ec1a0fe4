/**
 * The real Codex CLI, launched by `llm codex exec`, against a mock Responses
 * API on loopback (a custom model provider in the test's ~/.codex/config.toml).
 * The container reaches the host's 127.0.0.1 because the test containers.conf
 * puts containers on the host network.
 *
 * `codex exec` reads a prompt from stdin when stdin is not a terminal; the
 * harness gives it /dev/null, so the prompt is the argument alone. Codex
 * retries for a long time when its model host does not answer, so every run
 * is bounded (runBounded kills it and fails the test).
 */
import { join } from "../../../lib/std/path.ts";
import type { Sandbox } from "../_harness.ts";
import { type MockModel, startResponsesMock } from "./_mock_models.ts";
import {
  AGENT_MODES,
  assertAgentFailed,
  assertOneSession,
  assertToolRan,
  ignoreAgentsUnless,
  loopbackSkipReason,
  OPEN_NETWORK_MODES,
  runAgentCase,
  toolCommand,
  writeOwned,
} from "./_agents.ts";

const COMMAND = toolCommand("codex.txt", "written by codex");
const FINAL = "codex mock: done";
const ARGS = ["codex", "exec", "--skip-git-repo-check", "Create codex.txt here."];

/** A ~/.codex/config.toml whose only model provider is the mock, with no retries. */
async function configure(sandbox: Sandbox, mock: MockModel): Promise<void> {
  await writeOwned(
    sandbox,
    join(sandbox.home, ".codex/config.toml"),
    [
      'model = "mock-model"',
      'model_provider = "mock"',
      'approval_policy = "never"',
      "",
      "[model_providers.mock]",
      'name = "Mock Responses API"',
      `base_url = "${mock.origin}/v1"`,
      'wire_api = "responses"',
      "request_max_retries = 0",
      "stream_max_retries = 0",
      "",
    ].join("\n"),
  );
}

for (const [mode, engine] of AGENT_MODES) {
  // The test docker engines give a container no route to the host's
  // loopback (no bridge): there the mock is reached through llm's proxy.
  const egress = loopbackSkipReason(engine) !== null;
  const label = `${mode} ${engine}${egress ? ", --network allow" : ""}`;
  const ignore = ignoreAgentsUnless("codex", mode, engine, true, egress);
  Deno.test({
    name: `llm codex exec runs the model's shell call and keeps the session (${label})`,
    ignore,
    async fn() {
      const script = { command: COMMAND, finalText: FINAL };
      const start = startResponsesMock;
      await runAgentCase(
        { mode, engine, start, script, configure, args: ARGS, egress },
        async (sandbox, mock, r) => {
          await assertToolRan(sandbox, mock, r, "codex.txt", "written by codex", FINAL);
          // Codex records each session as a rollout file under ~/.codex/sessions.
          await assertOneSession(
            sandbox,
            ".codex/sessions",
            /\/rollout-[^/]*\.jsonl$/,
            "codex.txt",
          );
        },
      );
    },
  });

  Deno.test({
    name: `llm codex exec returns Codex's exit status 1 when the model refuses (${label})`,
    ignore,
    async fn() {
      const script = { command: COMMAND, finalText: FINAL, fail: true };
      const start = startResponsesMock;
      await runAgentCase(
        { mode, engine, start, script, configure, args: ARGS, egress },
        (sandbox, mock, r) => assertAgentFailed(sandbox, mock, r, "/responses"),
      );
    },
  });
}

// Under --network allow with only the mock's host on the list, on podman
// too (docker already runs through the proxy above).
for (const [mode, engine] of OPEN_NETWORK_MODES) {
  Deno.test({
    name:
      `llm codex exec completes under --network allow with the mock host allowed (${mode} ${engine})`,
    ignore: ignoreAgentsUnless("codex", mode, engine, true, true),
    async fn() {
      const script = { command: COMMAND, finalText: FINAL };
      const start = startResponsesMock;
      await runAgentCase(
        { mode, engine, start, script, configure, args: ARGS, egress: true },
        (sandbox, mock, r) =>
          assertToolRan(sandbox, mock, r, "codex.txt", "written by codex", FINAL),
      );
    },
  });
}
