/**
 * The real Pi CLI, launched by `llm pi -p`, against a mock Chat Completions
 * API on loopback: a custom provider `mock` in the test's
 * ~/.pi/agent/models.json.
 */
import { join } from "../../../lib/std/path.ts";
import type { Sandbox } from "../_harness.ts";
import { type MockModel, startChatMock } from "./_mock_models.ts";
import {
  AGENT_MODES,
  assertAgentFailed,
  assertNothingLeft,
  assertOneSession,
  assertToolRan,
  ignoreAgentsUnless,
  imageName,
  invokingIds,
  loopbackSkipReason,
  OPEN_NETWORK_MODES,
  runAgentCase,
  runBounded,
  shown,
  toolCommand,
  writeOwned,
} from "./_agents.ts";
import { assert, assertEquals } from "../../_assert.ts";
import { makeSandbox } from "../_harness.ts";

const COMMAND = toolCommand("pi.txt", "written by pi");
const FINAL = "pi mock: done";
const ARGS = ["pi", "-p", "--provider", "mock", "--model", "mock-model", "Create pi.txt here."];

/** A ~/.pi/agent/models.json whose provider `mock` is the mock server. */
async function configure(sandbox: Sandbox, mock: MockModel): Promise<void> {
  const model = {
    id: "mock-model",
    name: "Mock model",
    reasoning: false,
    input: ["text"],
    contextWindow: 128000,
    maxTokens: 4096,
    cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
  };
  const provider = {
    baseUrl: `${mock.origin}/v1`,
    api: "openai-completions",
    apiKey: "mock-key",
    models: [model],
  };
  await writeOwned(
    sandbox,
    join(sandbox.home, ".pi/agent/models.json"),
    JSON.stringify({ providers: { mock: provider } }, null, 2) + "\n",
  );
}

for (const [mode, engine] of AGENT_MODES) {
  // The test docker engines give a container no route to the host's
  // loopback (no bridge): there the mock is reached through llm's proxy.
  const egress = loopbackSkipReason(engine) !== null;
  const label = `${mode} ${engine}${egress ? ", --network allow" : ""}`;
  const ignore = ignoreAgentsUnless("pi", mode, engine, true, egress);
  Deno.test({
    name: `llm pi -p runs the model's bash tool call and keeps the session (${label})`,
    ignore,
    async fn() {
      const script = { command: COMMAND, finalText: FINAL };
      const start = startChatMock;
      await runAgentCase(
        { mode, engine, start, script, configure, args: ARGS, egress },
        async (sandbox, mock, r) => {
          await assertToolRan(sandbox, mock, r, "pi.txt", "written by pi", FINAL);
          // Pi keeps each session as a JSONL file under ~/.pi/agent/sessions.
          await assertOneSession(sandbox, ".pi/agent/sessions", /\.jsonl$/, "pi.txt");
        },
      );
    },
  });

  Deno.test({
    name: `llm pi -p returns Pi's exit status 1 when the model refuses (${label})`,
    ignore,
    async fn() {
      const script = { command: COMMAND, finalText: FINAL, fail: true };
      const start = startChatMock;
      await runAgentCase(
        { mode, engine, start, script, configure, args: ARGS, egress },
        (sandbox, mock, r) => assertAgentFailed(sandbox, mock, r, "/chat/completions"),
      );
    },
  });
}

// Under --network allow with only the mock's host on the list, on podman
// too (docker already runs through the proxy above).
for (const [mode, engine] of OPEN_NETWORK_MODES) {
  Deno.test({
    name:
      `llm pi -p completes under --network allow with the mock host allowed (${mode} ${engine})`,
    ignore: ignoreAgentsUnless("pi", mode, engine, true, true),
    async fn() {
      const script = { command: COMMAND, finalText: FINAL };
      const start = startChatMock;
      await runAgentCase(
        { mode, engine, start, script, configure, args: ARGS, egress: true },
        (sandbox, mock, r) => assertToolRan(sandbox, mock, r, "pi.txt", "written by pi", FINAL),
      );
    },
  });
}

/** Pi's auth.json holding an API key for the mock provider. */
const authJson = (key: string) =>
  JSON.stringify({ mock: { type: "api_key", key } }, null, 2) + "\n";

/**
 * Replace the sandbox's ~/.pi/agent/auth.json as `llm refresh` does: a new
 * file, the user's and mode 0600, renamed over the old one.
 */
async function refreshAuth(sandbox: Sandbox, key: string): Promise<void> {
  const path = join(sandbox.home, ".pi/agent/auth.json");
  const temp = `${path}.llm-refresh`;
  const { uid, gid } = await invokingIds(sandbox);
  await Deno.writeTextFile(temp, authJson(key), { mode: 0o600 });
  await Deno.chown(temp, uid, gid);
  await Deno.rename(temp, path);
}

for (const [mode, engine] of AGENT_MODES) {
  // Docker reaches the mock through llm's proxy, as in the tests above.
  const egress = loopbackSkipReason(engine) !== null;
  const label = `${mode} ${engine}${egress ? ", --network allow" : ""}`;
  Deno.test({
    name: `a running Pi session sends the token llm refresh wrote at its next request (${label})`,
    ignore: ignoreAgentsUnless("pi", mode, engine, true, egress),
    async fn() {
      let sandbox: Sandbox | null = null;
      let refreshed = false;
      const script = {
        command: COMMAND,
        finalText: FINAL,
        // The first model request is answered only after the host replaced the file, so the
        // session is running with the old token in hand when it changes.
        beforeAnswer: async () => {
          if (refreshed || sandbox === null) return;
          refreshed = true;
          await refreshAuth(sandbox, "token-after-refresh");
        },
      };
      const configureWithAuth = async (s: Sandbox, mock: MockModel) => {
        sandbox = s;
        await configure(s, mock);
        await writeOwned(s, join(s.home, ".pi/agent/auth.json"), authJson("token-before"));
      };
      await runAgentCase(
        {
          mode,
          engine,
          start: startChatMock,
          script,
          configure: configureWithAuth,
          args: ARGS,
          egress,
        },
        async (s, mock, r) => {
          await assertToolRan(s, mock, r, "pi.txt", "written by pi", FINAL);
          const sent = mock.requests.filter((q) => q.path.endsWith("/chat/completions"))
            .map((q) => q.authorization);
          assert(refreshed, "the mock never saw a model request");
          assertEquals(sent, ["Bearer token-before", "Bearer token-after-refresh"], shown(r));
        },
      );
    },
  });

  Deno.test({
    name: `llm pi loads the image's auth reload extension by default (${mode} ${engine})`,
    ignore: ignoreAgentsUnless("pi", mode, engine, false),
    async fn() {
      const sandbox = await makeSandbox(mode, engine);
      try {
        const r = await runBounded(sandbox, ["--image-name", imageName(), "pi", "--help"]);
        assertEquals(r.code, 0, shown(r));
        assert(/--no-auth-reload\b/.test(r.stdout + r.stderr), `pi --help: ${shown(r)}`);
        await assertNothingLeft(sandbox);
      } finally {
        await sandbox.cleanup();
      }
    },
  });
}
