/**
 * The plan-to-argv contract that podman and docker share, table-driven:
 * least privilege, the environment in a file (never on argv), the markers,
 * mounts and the refusals; per-runtime differences live in podman_test.ts
 * and docker_test.ts.
 */
import { assertEquals, assertThrows } from "../../_assert.ts";
import { LlmError } from "../../../lib/errors.ts";
import { dockerCommand } from "../../../lib/runtime/docker.ts";
import { podmanCommand } from "../../../lib/runtime/podman.ts";
import type { InvocationFacts, RuntimeCommand } from "../../../lib/runtime/runtime.ts";
import type { LaunchPlan } from "../../../lib/launch/plan.ts";
import { planFor } from "../launch/_plan.ts";

const FACTS: InvocationFacts = {
  executable: "x",
  tty: false,
  uid: 1000,
  gid: 1000,
  os: "linux",
  scratch: "/tmp/llm-5",
};

const RUNTIMES: [string, (plan: LaunchPlan, facts: InvocationFacts) => RuntimeCommand][] = [
  ["podman", podmanCommand],
  ["docker", dockerCommand],
];

const ENV_LINES = [
  "HOME=/home/devuser",
  "USER=devuser",
  "LOGNAME=devuser",
  "USERNAME=devuser",
  "TOOL=codex",
  "HOST_MOUNT_DIR=/work/project",
  "PATH=/home/devuser/.local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  "OPENAI_API_KEY=sk-secret value",
];

for (const [name, command] of RUNTIMES) {
  const facts = { ...FACTS, executable: name };

  Deno.test(`${name} golden argv: codex, no capabilities, environment in a file`, () => {
    const plan = planFor(["--env", "OPENAI_API_KEY=sk-secret value", "codex", "--model", "x"], {
      files: ["/home/user/.codex/"],
    });
    const cmd = command(plan, facts);
    const user = name === "podman"
      ? ["--userns=keep-id:uid=1000,gid=1000", "--user=1000:1000"]
      : ["--user=1000:1000"];
    const extra = name === "podman" ? ["--http-proxy=false"] : [];
    const started = name === "podman" ? ["--pidfile=/tmp/llm-5/started"] : [];
    const bind = name === "podman" ? ":nosuid,nodev" : "";
    assertEquals(cmd.argv, [
      name,
      "run",
      "--rm",
      "-i",
      "--init",
      "--platform=linux/amd64",
      ...user,
      "--cap-drop=ALL",
      "--security-opt=no-new-privileges",
      ...extra,
      "--env-file=/tmp/llm-5/env",
      "--cidfile=/tmp/llm-5/created",
      ...started,
      "-v",
      `/home/user/.codex:/home/devuser/.codex${bind}`,
      "-v",
      `/work/project:/work/project${bind}`,
      // Codex's host-run settings stay out of the agent's reach.
      "-v",
      `/home/user/.codex/config.toml:/home/devuser/.codex/config.toml:ro${bind.replace(":", ",")}`,
      "-v",
      `/home/user/.codex/AGENTS.md:/home/devuser/.codex/AGENTS.md:ro${bind.replace(":", ",")}`,
      "-v",
      `/home/user/.codex/skills:/home/devuser/.codex/skills:ro${bind.replace(":", ",")}`,
      "--workdir=/work/project",
      "ghcr.io/nichd-bspc/llm:codex-latest",
      "codex",
      "--sandbox",
      "danger-full-access",
      "--model",
      "x",
    ]);
    assertEquals(cmd.envFile, { path: "/tmp/llm-5/env", lines: ENV_LINES });
    assertEquals(cmd.createdMarker, "/tmp/llm-5/created");
    assertEquals(cmd.startedMarker, name === "podman" ? "/tmp/llm-5/started" : undefined);
    // No value of any variable may appear on the argv.
    assertEquals(cmd.argv.some((a) => a.includes("sk-secret")), false);
    assertEquals(cmd.env, undefined);
  });

  Deno.test(`${name} adds -t only on a terminal`, () => {
    const plan = planFor(["codex"]);
    assertEquals(command(plan, facts).argv.includes("-t"), false);
    assertEquals(command(plan, { ...facts, tty: true }).argv.slice(0, 6), [
      name,
      "run",
      "--rm",
      "-i",
      "-t",
      "--init",
    ]);
  });

  Deno.test(`${name} refuses an environment value an env file cannot carry`, () => {
    for (const value of ["a\nb", "a\r"]) {
      const plan = planFor(["--env", `K=${value}`, "codex"]);
      assertThrows(
        () => command(plan, facts),
        LlmError,
        `cannot pass K to ${name}: its value holds a line break`,
      );
    }
  });

  Deno.test(`${name} refuses paths it cannot express`, () => {
    assertThrows(
      () => command(planFor(["codex"], { cwd: "/work/a:b" }), facts),
      LlmError,
      `cannot mount /work/a:b (workspace): ${name} mount paths cannot contain ':'`,
    );
    assertThrows(
      () => command(planFor(["codex"], { cwd: "/work/a\nb" }), facts),
      LlmError,
      'cannot mount "/work/a\\nb" (workspace): the path holds a line break',
    );
    const file = planFor(["--mask", "a:b", "codex"], { files: ["/work/project/a:b"] });
    assertThrows(
      () => command(file, facts),
      LlmError,
      "cannot mask /work/project/a:b (--mask a:b)",
    );
  });

  Deno.test(`${name} uses --image-name and --tag`, () => {
    const argv = command(
      planFor(["--image-name", "localhost:5000/me/llm:old", "--tag", "new", "pi"]),
      facts,
    ).argv;
    assertEquals(argv.slice(-2), ["localhost:5000/me/llm:new", "pi"]);
  });
}

const PROTECTED = [
  "--mount",
  "/data:/d:ro",
  "--ro",
  "in",
  "--mask",
  "secret",
  "--mask",
  ".env",
  "--certs",
  "/ca.pem",
  "--arch",
  "linux/arm64",
  "shell",
];
const PROTECTED_FILES = [
  "/data/",
  "/work/project/in/",
  "/work/project/secret/",
  "/work/project/.env",
  "/ca.pem",
];

function mountArgs(argv: readonly string[]): string[] {
  return argv.flatMap((a, i) => (a === "-v" || a === "--mount") ? [`${a} ${argv[i + 1]}`] : []);
}

Deno.test("podman golden mounts: ro, masks (an empty read-only file over a masked file), certs, extra", () => {
  const plan = planFor(PROTECTED, { files: PROTECTED_FILES });
  const argv = podmanCommand(plan, { ...FACTS, executable: "podman" }).argv;
  assertEquals(mountArgs(argv), [
    "-v /home/user/.codex:/home/devuser/.codex:nosuid,nodev",
    "-v /home/user/.claude:/home/devuser/.claude:nosuid,nodev",
    "-v /tmp/llm-5/session/claude.json:/home/devuser/.claude.json:nosuid,nodev",
    "-v /home/user/.pi:/home/devuser/.pi:nosuid,nodev",
    "-v /work/project:/work/project:nosuid,nodev",
    "-v /data:/d:ro,nosuid,nodev",
    "-v /work/project/in:/work/project/in:ro,nosuid,nodev",
    "--mount type=tmpfs,destination=/work/project/secret,ro=true,notmpcopyup",
    // Not /dev/null, which would take writes despite ro.
    "-v /tmp/llm-5/empty-file:/work/project/.env:ro,nosuid,nodev",
    "-v /ca.pem:/tmp/llm-devcontainer-cert.pem:ro,nosuid,nodev",
    "-v /home/user/.codex/config.toml:/home/devuser/.codex/config.toml:ro,nosuid,nodev",
    "-v /home/user/.codex/AGENTS.md:/home/devuser/.codex/AGENTS.md:ro,nosuid,nodev",
    "-v /home/user/.codex/skills:/home/devuser/.codex/skills:ro,nosuid,nodev",
    "-v /home/user/.claude/settings.json:/home/devuser/.claude/settings.json:ro,nosuid,nodev",
    "-v /home/user/.claude/CLAUDE.md:/home/devuser/.claude/CLAUDE.md:ro,nosuid,nodev",
    "-v /home/user/.claude/skills:/home/devuser/.claude/skills:ro,nosuid,nodev",
    "-v /home/user/.pi/agent/AGENTS.md:/home/devuser/.pi/agent/AGENTS.md:ro,nosuid,nodev",
    "-v /home/user/.pi/agent/skills:/home/devuser/.pi/agent/skills:ro,nosuid,nodev",
  ]);
  assertEquals(argv.includes("--platform=linux/arm64"), true);
  assertEquals(argv.slice(-2), ["ghcr.io/nichd-bspc/llm:latest", "/bin/bash"]);
});

Deno.test("docker golden mounts: masks are read-only binds of the launch's empty dir and file", () => {
  const plan = planFor([...PROTECTED.slice(0, -1), "--global-read-only", "shell"], {
    files: PROTECTED_FILES,
  });
  const argv = dockerCommand(plan, { ...FACTS, executable: "docker" }).argv;
  assertEquals(mountArgs(argv), [
    "-v /home/user/.codex:/home/devuser/.codex",
    "-v /home/user/.claude:/home/devuser/.claude",
    "-v /tmp/llm-5/session/claude.json:/home/devuser/.claude.json",
    "-v /home/user/.pi:/home/devuser/.pi",
    "-v /work/project:/work/project:ro",
    "-v /data:/d:ro",
    "-v /work/project/in:/work/project/in:ro",
    "-v /tmp/llm-5/empty:/work/project/secret:ro",
    "-v /tmp/llm-5/empty-file:/work/project/.env:ro",
    "-v /ca.pem:/tmp/llm-devcontainer-cert.pem:ro",
    "-v /home/user/.codex/config.toml:/home/devuser/.codex/config.toml:ro",
    "-v /home/user/.codex/AGENTS.md:/home/devuser/.codex/AGENTS.md:ro",
    "-v /home/user/.codex/skills:/home/devuser/.codex/skills:ro",
    "-v /home/user/.claude/settings.json:/home/devuser/.claude/settings.json:ro",
    "-v /home/user/.claude/CLAUDE.md:/home/devuser/.claude/CLAUDE.md:ro",
    "-v /home/user/.claude/skills:/home/devuser/.claude/skills:ro",
    "-v /home/user/.pi/agent/AGENTS.md:/home/devuser/.pi/agent/AGENTS.md:ro",
    "-v /home/user/.pi/agent/skills:/home/devuser/.pi/agent/skills:ro",
  ]);
});

Deno.test("podman refuses a masked directory whose path its --mount syntax cannot carry", () => {
  for (const dir of ["a,b", 'a"b']) {
    const plan = planFor(["--mask", dir, "codex"], { files: [`/work/project/${dir}/`] });
    assertThrows(
      () => podmanCommand(plan, { ...FACTS, executable: "podman" }),
      LlmError,
      `cannot mask /work/project/${dir} (--mask ${dir}): podman mask paths cannot contain ','`,
    );
  }
});
