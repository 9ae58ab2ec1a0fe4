import { assertEquals, assertThrows } from "../../_assert.ts";
import { LlmError } from "../../../lib/errors.ts";
import type { LaunchPlan } from "../../../lib/launch/plan.ts";
import { addSymlink, fakeSystem, setContent } from "../../_fake_system.ts";
import { planFor } from "./_plan.ts";

const HOME = "/home/user";

/** The read-only mounts over the agents' host-run settings. */
function configMounts(plan: LaunchPlan): string[] {
  return plan.mounts.flatMap((m) =>
    m.kind === "bind" && m.origin.startsWith("agent config ")
      ? [`${m.source}:${m.target}${m.readOnly ? ":ro" : ""}`]
      : []
  );
}

Deno.test("codex's config.toml is mounted read-only over its writable ~/.codex", () => {
  const sys = fakeSystem({ files: [`${HOME}/.codex/`] });
  setContent(sys, `${HOME}/.codex/config.toml`, 'notify = ["true"]\n');
  const plan = planFor(["codex"], sys);
  assertEquals(configMounts(plan), [
    `${HOME}/.codex/config.toml:/home/devuser/.codex/config.toml:ro`,
  ]);
  // Nothing to create: it exists.
  assertEquals(plan.ensure.map((e) => e.path), [".codex"]);
});

Deno.test("an absent config.toml or settings.json is made neutral first, so the agent cannot create one", () => {
  const codex = planFor(["codex"], { files: [`${HOME}/.codex/`] });
  assertEquals(codex.ensure.find((e) => e.path === ".codex/config.toml")?.content, "");
  const claude = planFor(["claude"]);
  assertEquals(claude.ensure.find((e) => e.path === ".claude/settings.json")?.content, "{}\n");
  assertEquals(configMounts(claude), [
    `${HOME}/.claude/settings.json:/home/devuser/.claude/settings.json:ro`,
  ]);
});

Deno.test("Pi's settings, providers and extensions are protected where they exist, not created", () => {
  const none = planFor(["pi"], { files: [`${HOME}/.pi/agent/`] });
  assertEquals(configMounts(none), []);
  const all = planFor(["pi"], {
    files: [
      `${HOME}/.pi/agent/settings.json`,
      `${HOME}/.pi/agent/models.json`,
      `${HOME}/.pi/agent/extensions/`,
    ],
  });
  assertEquals(configMounts(all), [
    `${HOME}/.pi/agent/settings.json:/home/devuser/.pi/agent/settings.json:ro`,
    `${HOME}/.pi/agent/models.json:/home/devuser/.pi/agent/models.json:ro`,
    `${HOME}/.pi/agent/extensions:/home/devuser/.pi/agent/extensions:ro`,
  ]);
});

Deno.test("with Bedrock, ~/.aws is read-only as a whole (credential_process, cli/alias)", () => {
  const plan = planFor(["claude"], {
    env: { CLAUDE_CODE_USE_BEDROCK: "1", AWS_PROFILE: "sso" },
    files: [`${HOME}/.aws/config`],
  });
  const aws = plan.mounts.filter((m) => m.kind === "bind" && m.source.startsWith(`${HOME}/.aws`));
  assertEquals(aws.map((m) => m.kind === "bind" && [m.source, m.readOnly]), [
    [`${HOME}/.aws`, true],
  ]);
});

Deno.test("a protected path that is a symlink out of its directory is refused", () => {
  const sys = fakeSystem({ files: [`${HOME}/.codex/`, `${HOME}/.ssh/id_rsa`] });
  addSymlink(sys, `${HOME}/.codex/config.toml`, `${HOME}/.ssh/id_rsa`);
  assertThrows(
    () => planFor(["codex"], sys),
    LlmError,
    `~/.codex/config.toml leads out of ~/.codex (to ${HOME}/.ssh/id_rsa), which an agent may ` +
      `have planted; remove it (rm ${HOME}/.codex/config.toml) and launch again`,
  );
});

Deno.test("--writable-agent-config leaves the settings writable, with a warning", () => {
  const plan = planFor(["--writable-agent-config", "codex"], { files: [`${HOME}/.codex/`] });
  assertEquals(configMounts(plan), []);
  assertEquals(plan.ensure.map((e) => e.path), [".codex"]);
  assertEquals(
    plan.warnings.some((w) => w.startsWith("--writable-agent-config: the agent can change")),
    true,
  );
});
