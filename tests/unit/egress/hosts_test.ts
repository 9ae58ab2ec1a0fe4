import { assert, assertEquals, assertThrows } from "../../_assert.ts";
import { UsageError } from "../../../lib/errors.ts";
import { listAllows } from "../../../lib/egress/allowlist.ts";
import {
  agentAllowList,
  agentsWithHosts,
  ALLOW_SETS,
  allowSet,
} from "../../../lib/egress/hosts.ts";
import { BUILTIN_AGENTS } from "../../../lib/launch/agents.ts";

Deno.test("every built-in agent but the shell has its own list", () => {
  const names = BUILTIN_AGENTS.map((a) => a.name).filter((n) => n !== "shell");
  assertEquals(agentsWithHosts().sort(), names.sort());
});

Deno.test("codex reaches the OpenAI API, its login and the ChatGPT backend", () => {
  const list = agentAllowList("codex");
  for (const host of ["api.openai.com", "auth.openai.com", "chatgpt.com"]) {
    assert(listAllows(list, host, 443), host);
  }
  assert(!listAllows(list, "api.anthropic.com", 443));
});

Deno.test("claude reaches the Anthropic API and its OAuth hosts, not general telemetry services", () => {
  const list = agentAllowList("claude");
  for (
    const host of ["api.anthropic.com", "platform.claude.com", "console.anthropic.com", "claude.ai"]
  ) {
    assert(listAllows(list, host, 443), host);
  }
  assert(!listAllows(list, "sentry.io", 443));
  assert(!listAllows(list, "statsig.com", 443));
});

Deno.test("pi reaches its model providers", () => {
  const list = agentAllowList("pi");
  for (
    const host of [
      "api.anthropic.com",
      "api.openai.com",
      "generativelanguage.googleapis.com",
      "openrouter.ai",
    ]
  ) {
    assert(listAllows(list, host, 443), host);
  }
});

Deno.test("the shell gets every agent's list and a user-defined agent none", () => {
  const shell = agentAllowList("shell");
  assert(listAllows(shell, "api.openai.com", 443));
  assert(listAllows(shell, "api.anthropic.com", 443));
  assertEquals(agentAllowList("gemini"), []);
  assertEquals(agentAllowList("constructor"), [], "no prototype lookup");
});

Deno.test("Bedrock regions add the runtime and control endpoints of each region", () => {
  const list = agentAllowList("pi", { bedrockRegions: ["us-east-1", "eu-central-1"] });
  assert(listAllows(list, "bedrock-runtime.us-east-1.amazonaws.com", 443));
  assert(listAllows(list, "bedrock.eu-central-1.amazonaws.com", 443));
  assert(!listAllows(list, "bedrock-runtime.us-west-2.amazonaws.com", 443));
  assert(
    listAllows(
      agentAllowList("claude", { bedrockRegions: ["us-gov-west-1"] }),
      "bedrock-runtime.us-gov-west-1.amazonaws.com",
      443,
    ),
  );
});

Deno.test("a region that is not a region name is refused", () => {
  assertThrows(
    () => agentAllowList("claude", { bedrockRegions: ["us-east-1.evil.example"] }),
    UsageError,
    "is not a region name",
  );
  assertThrows(
    () => agentAllowList("claude", { bedrockRegions: [""] }),
    UsageError,
    "is not a region name",
  );
});

Deno.test("named sets parse and hold what their names promise", () => {
  for (const name of Object.keys(ALLOW_SETS)) assert(allowSet(name).length > 0, name);
  assert(listAllows(allowSet("github"), "raw.githubusercontent.com", 443));
  assert(listAllows(allowSet("github"), "github.com", 443));
  assert(listAllows(allowSet("npm"), "registry.npmjs.org", 443));
  assert(listAllows(allowSet("pypi"), "files.pythonhosted.org", 443));
  assert(listAllows(allowSet("conda-forge"), "conda.anaconda.org", 443));
  assert(!listAllows(allowSet("conda-forge"), "repo.anaconda.com", 443));
});

Deno.test("an unknown set is a usage error listing the known ones", () => {
  assertThrows(
    () => allowSet("pip", "config.yaml:5"),
    UsageError,
    "config.yaml:5: unknown allow set 'pip' (known: github, npm, pypi, conda-forge",
  );
  assertThrows(() => allowSet("toString"), UsageError, "unknown allow set");
});
