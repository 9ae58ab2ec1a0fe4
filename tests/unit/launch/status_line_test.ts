/**
 * `--status-line` and `status_line: true`: Claude Code gets the image's
 * status line script through `--settings` on its command line (its own
 * ~/.claude/settings.json stays read-only and untouched); other agents have
 * none, which the command line is told and a config file preference is not.
 */
import { assert, assertEquals } from "../../_assert.ts";
import { parseConfigFile } from "../../../lib/config/load.ts";
import { CLAUDE_STATUS_LINE, findAgent } from "../../../lib/launch/agents.ts";
import { planLaunch } from "../../../lib/launch/plan.ts";
import { launchRequest } from "../../../lib/launch/request.ts";
import { fakeSystem } from "../../_fake_system.ts";
import { planFor } from "./_plan.ts";

Deno.test("--status-line gives claude the image's status line through --settings, before its args", () => {
  const plan = planFor(["--status-line", "claude", "-p", "hi"]);
  assertEquals(plan.command, [
    "claude",
    "--settings",
    '{"statusLine":{"type":"command","command":"llm-claude-statusline"}}',
    "-p",
    "hi",
  ]);
  assertEquals(JSON.parse(plan.command[2]).statusLine, CLAUDE_STATUS_LINE);
  assertEquals(plan.warnings, []);
});

Deno.test("without --status-line claude's command line is the user's", () => {
  assertEquals(planFor(["claude", "-p", "hi"]).command, ["claude", "-p", "hi"]);
});

Deno.test("--status-line for an agent without a status line warns and changes nothing", () => {
  const plan = planFor(["--status-line", "codex"]);
  assertEquals(plan.command, ["codex", "--sandbox", "danger-full-access"]);
  assertEquals(plan.warnings, [
    "--status-line is for claude (Claude Code's status line); codex has none",
  ]);
});

Deno.test("status_line: true in the user file turns it on for claude and stays quiet for codex", async () => {
  const file = await parseConfigFile("status_line: true\n", "/h/.config/llm/config.yaml", "user");
  assertEquals([...file.options.flags], ["status-line"]);
  const plan = (name: string) => {
    const agent = findAgent(name);
    if (agent === undefined) throw new Error(`no agent ${name}`);
    return planLaunch(launchRequest(agent, [], file.options), fakeSystem());
  };
  assertEquals(plan("claude").command.slice(0, 2), ["claude", "--settings"]);
  const codex = plan("codex");
  assertEquals(codex.command, ["codex", "--sandbox", "danger-full-access"]);
  assert(!codex.warnings.some((w) => w.includes("status")), codex.warnings.join("\n"));
});
