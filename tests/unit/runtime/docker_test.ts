import { assertEquals, assertThrows } from "../../_assert.ts";
import { LlmError } from "../../../lib/errors.ts";
import {
  dockerCommand,
  dockerInfoArgv,
  dockerUser,
  isRootlessDockerInfo,
} from "../../../lib/runtime/docker.ts";
import type { InvocationFacts } from "../../../lib/runtime/runtime.ts";
import { planFor } from "../launch/_plan.ts";

const ROOTFUL_1000: InvocationFacts = {
  executable: "docker",
  tty: false,
  uid: 1000,
  gid: 1000,
  os: "linux",
};

Deno.test("docker golden argv: rootful codex as uid 1000", () => {
  const plan = planFor(["codex", "--model", "x"], { files: ["/home/user/.codex/"] });
  const command = dockerCommand(plan, ROOTFUL_1000);
  assertEquals(command.argv, [
    "docker",
    "run",
    "--rm",
    "-i",
    "--init",
    "--platform=linux/amd64",
    "--user=1000:1000",
    "--env",
    "HOME=/home/devuser",
    "--env",
    "USER=devuser",
    "--env",
    "LOGNAME=devuser",
    "--env",
    "USERNAME=devuser",
    "--env",
    "TOOL=codex",
    "--env",
    "HOST_MOUNT_DIR=/work/project",
    "--env",
    "PATH=/home/devuser/.local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "-v",
    "/home/user/.codex:/home/devuser/.codex",
    "-v",
    "/work/project:/work/project",
    "--workdir=/work/project",
    "ghcr.io/nichd-bspc/llm:codex-latest",
    "codex",
    "--sandbox",
    "danger-full-access",
    "--model",
    "x",
  ]);
  assertEquals(command.warnings, []);
});

Deno.test("docker rootless runs the agent as container root, which is the host user", () => {
  assertEquals(dockerUser({ ...ROOTFUL_1000, uid: 1234, gid: 99, rootless: true }), {
    arg: "--user=0:0",
  });
});

Deno.test("docker rootful runs as the invoking uid:gid and warns when the home stays read-only", () => {
  const user = dockerUser({ ...ROOTFUL_1000, uid: 1234, gid: 99 });
  assertEquals(user.arg, "--user=1234:99");
  assertEquals(user.warning?.includes("only the mounted credential paths"), true);
  const plan = planFor(["codex"]);
  assertEquals(dockerCommand(plan, { ...ROOTFUL_1000, uid: 1234, gid: 99 }).warnings?.length, 1);
});

Deno.test("docker rootful invoked as root runs as root without a warning", () => {
  assertEquals(dockerUser({ ...ROOTFUL_1000, uid: 0, gid: 0 }), { arg: "--user=0:0" });
});

Deno.test("docker on macOS runs as the image user (Docker Desktop maps file ownership)", () => {
  assertEquals(dockerUser({ ...ROOTFUL_1000, os: "darwin", uid: 501, gid: 20 }), {
    arg: "--user=1000:1000",
  });
});

Deno.test("docker adds -t only on a terminal", () => {
  const plan = planFor(["codex"]);
  assertEquals(dockerCommand(plan, ROOTFUL_1000).argv.includes("-t"), false);
  assertEquals(dockerCommand(plan, { ...ROOTFUL_1000, tty: true }).argv.slice(0, 6), [
    "docker",
    "run",
    "--rm",
    "-i",
    "-t",
    "--init",
  ]);
});

Deno.test("docker golden argv: ro, masks, certs, extra mounts, arch", () => {
  const plan = planFor([
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
    "--global-read-only",
    "shell",
  ], {
    files: [
      "/data/",
      "/work/project/in/",
      "/work/project/secret/",
      "/work/project/.env",
      "/ca.pem",
    ],
  });
  const argv = dockerCommand(plan, ROOTFUL_1000).argv;
  const mounts = argv.flatMap((a, i) =>
    (a === "-v" || a === "--mount") ? [`${a} ${argv[i + 1]}`] : []
  );
  assertEquals(mounts, [
    "-v /home/user/.codex:/home/devuser/.codex",
    "-v /home/user/.claude:/home/devuser/.claude",
    "-v /home/user/.claude.json:/home/devuser/.claude.json",
    "-v /home/user/.pi:/home/devuser/.pi",
    "-v /work/project:/work/project:ro",
    "-v /data:/d:ro",
    "-v /work/project/in:/work/project/in:ro",
    "--mount type=tmpfs,destination=/work/project/secret,ro=true,tmpfs-mode=0555",
    "-v /dev/null:/work/project/.env:ro",
    "-v /ca.pem:/tmp/llm-devcontainer-cert.pem:ro",
  ]);
  assertEquals(argv.includes("--platform=linux/arm64"), true);
  assertEquals(argv.slice(-2), ["ghcr.io/nichd-bspc/llm:latest", "/bin/bash"]);
});

Deno.test("docker refuses paths it cannot express", () => {
  const plan = planFor(["codex"], { cwd: "/work/a:b" });
  assertThrows(() => dockerCommand(plan, ROOTFUL_1000), LlmError, "cannot contain ':'");
  const mask = planFor(["--mask", "a,b", "codex"], { files: ["/work/project/a,b/"] });
  assertThrows(() => dockerCommand(mask, ROOTFUL_1000), LlmError, "cannot contain ','");
});

Deno.test("isRootlessDockerInfo() reads docker info's security options", () => {
  assertEquals(isRootlessDockerInfo('["name=seccomp,profile=builtin","name=rootless"]'), true);
  assertEquals(isRootlessDockerInfo('["name=seccomp,profile=builtin","name=cgroupns"]'), false);
  assertEquals(dockerInfoArgv("docker"), [
    "docker",
    "info",
    "--format",
    "{{json .SecurityOptions}}",
  ]);
});

Deno.test("docker uses --image-name and --tag like podman", () => {
  const argv = dockerCommand(
    planFor(["--image-name", "localhost:5000/me/llm:old", "--tag", "new", "pi"]),
    ROOTFUL_1000,
  ).argv;
  assertEquals(argv.slice(-2), ["localhost:5000/me/llm:new", "pi"]);
});
