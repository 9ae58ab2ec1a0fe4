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
    `${HOME}/.codex/AGENTS.md:/home/devuser/.codex/AGENTS.md:ro`,
    `${HOME}/.codex/skills:/home/devuser/.codex/skills:ro`,
  ]);
  // config.toml exists; the instructions and skills are made empty first.
  assertEquals(plan.ensure.map((e) => `${e.kind} ${e.path}`), [
    "dir .codex",
    "file .codex/AGENTS.md",
    "dir .codex/skills",
  ]);
});

Deno.test("instructions, commands, hooks and plugins a host session would use are read-only", () => {
  const present = [
    ".claude/CLAUDE.md",
    ".claude/commands/",
    ".claude/agents/",
    ".claude/hooks/",
    ".claude/plugins/",
    ".claude/skills/",
  ];
  const plan = planFor(["claude"], { files: present.map((p) => `${HOME}/${p}`) });
  assertEquals(configMounts(plan).map((m) => m.split(":")[0].slice(HOME.length + 1)), [
    ".claude/settings.json",
    ".claude/CLAUDE.md",
    ".claude/skills",
    ".claude/commands",
    ".claude/agents",
    ".claude/hooks",
    ".claude/plugins",
  ]);
  assertEquals(configMounts(plan).every((m) => m.endsWith(":ro")), true);
  // Absent commands, agents, hooks and plugins are left alone: only protected settings name them.
  const bare = planFor(["claude"]);
  assertEquals(bare.ensure.map((e) => `${e.kind} ${e.path}`), [
    "dir .claude",
    "file .claude.json",
    "file .claude/settings.json",
    "file .claude/CLAUDE.md",
    "dir .claude/skills",
  ]);
});

Deno.test("an absent config.toml or settings.json is made neutral first, so the agent cannot create one", () => {
  const codex = planFor(["codex"], { files: [`${HOME}/.codex/`] });
  assertEquals(codex.ensure.find((e) => e.path === ".codex/config.toml")?.content, "");
  const claude = planFor(["claude"]);
  assertEquals(claude.ensure.find((e) => e.path === ".claude/settings.json")?.content, "{}\n");
  assertEquals(configMounts(claude).slice(0, 1), [
    `${HOME}/.claude/settings.json:/home/devuser/.claude/settings.json:ro`,
  ]);
});

Deno.test("Pi's settings, providers and extensions are protected where they exist, not created", () => {
  const none = planFor(["pi"], { files: [`${HOME}/.pi/agent/`] });
  assertEquals(configMounts(none), [
    `${HOME}/.pi/agent/AGENTS.md:/home/devuser/.pi/agent/AGENTS.md:ro`,
    `${HOME}/.pi/agent/skills:/home/devuser/.pi/agent/skills:ro`,
  ]);
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
    `${HOME}/.pi/agent/AGENTS.md:/home/devuser/.pi/agent/AGENTS.md:ro`,
    `${HOME}/.pi/agent/skills:/home/devuser/.pi/agent/skills:ro`,
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

Deno.test("a protected path is never created through a link the agent planted", () => {
  // ~/.pi/agent re-pointed at ~/.ssh: creating AGENTS.md there would write into ~/.ssh.
  const planted = fakeSystem({ files: [`${HOME}/.pi/`, `${HOME}/.ssh/`] });
  addSymlink(planted, `${HOME}/.pi/agent`, `${HOME}/.ssh`);
  assertThrows(
    () => planFor(["pi"], planted),
    LlmError,
    `${HOME}/.pi/agent leads out of ~/.pi (to ${HOME}/.ssh), which an agent may have planted; ` +
      `remove it (rm ${HOME}/.pi/agent) and launch again`,
  );
  // A dangling link where CLAUDE.md would be made is refused, not written through.
  const dangling = fakeSystem({ files: [`${HOME}/.claude/`] });
  addSymlink(dangling, `${HOME}/.claude/CLAUDE.md`, `${HOME}/.bashrc`);
  assertThrows(() => planFor(["claude"], dangling), LlmError, "~/.claude/CLAUDE.md leads out");
});
