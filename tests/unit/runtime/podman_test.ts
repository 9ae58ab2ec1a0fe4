import { assertEquals, assertThrows } from "../../_assert.ts";
import { LlmError } from "../../../lib/errors.ts";
import { podmanCommand } from "../../../lib/runtime/podman.ts";
import type { InvocationFacts } from "../../../lib/runtime/runtime.ts";
import { planFor } from "../launch/_plan.ts";

const ROOTLESS: InvocationFacts = {
  executable: "podman",
  tty: false,
  uid: 1000,
  gid: 1000,
  os: "linux",
};
const ENV = [
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
];

Deno.test("podman golden argv: rootless codex", () => {
  const plan = planFor(["codex", "--model", "x"], { files: ["/home/user/.codex/"] });
  assertEquals(podmanCommand(plan, ROOTLESS).argv, [
    "podman",
    "run",
    "--rm",
    "-i",
    "--init",
    "--platform=linux/amd64",
    "--userns=keep-id:uid=1000,gid=1000",
    "--user=1000:1000",
    ...ENV,
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
});

Deno.test("podman golden argv: rootful maps container 1000 onto the invoking root", () => {
  const plan = planFor(["codex"], { uid: 0, gid: 0, home: "/root" });
  const argv = podmanCommand(plan, { ...ROOTLESS, uid: 0, gid: 0 }).argv;
  assertEquals(argv.slice(5, 13), [
    "--platform=linux/amd64",
    "--uidmap=1000:0:1",
    "--uidmap=0:1000000000:1000",
    "--uidmap=1001:1000001001:64535",
    "--gidmap=1000:0:1",
    "--gidmap=0:1000000000:1000",
    "--gidmap=1001:1000001001:64535",
    "--user=1000:1000",
  ]);
});

Deno.test("podman on macOS always uses keep-id (the machine is rootless by default)", () => {
  const argv = podmanCommand(planFor(["codex"]), { ...ROOTLESS, os: "darwin", uid: 501 }).argv;
  assertEquals(argv.includes("--userns=keep-id:uid=1000,gid=1000"), true);
});

Deno.test("podman adds -t only on a terminal", () => {
  assertEquals(podmanCommand(planFor(["codex"]), ROOTLESS).argv.includes("-t"), false);
  assertEquals(podmanCommand(planFor(["codex"]), { ...ROOTLESS, tty: true }).argv.slice(0, 5), [
    "podman",
    "run",
    "--rm",
    "-i",
    "-t",
  ]);
});

Deno.test("podman golden argv: ro, masks, certs, extra mounts", () => {
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
  const argv = podmanCommand(plan, ROOTLESS).argv;
  const mounts = argv.flatMap((a, i) =>
    (a === "-v" || a === "--mount") ? [`${a} ${argv[i + 1]}`] : []
  );
  assertEquals(mounts, [
    "-v /home/user/.codex:/home/devuser/.codex",
    "-v /home/user/.claude:/home/devuser/.claude",
    "-v /home/user/.claude.json:/home/devuser/.claude.json",
    "-v /home/user/.pi:/home/devuser/.pi",
    "-v /work/project:/work/project",
    "-v /data:/d:ro",
    "-v /work/project/in:/work/project/in:ro",
    "--mount type=tmpfs,destination=/work/project/secret,ro=true,notmpcopyup",
    "-v /dev/null:/work/project/.env:ro",
    "-v /ca.pem:/tmp/llm-devcontainer-cert.pem:ro",
  ]);
  assertEquals(argv.includes("--platform=linux/arm64"), true);
  assertEquals(argv.slice(-2), ["ghcr.io/nichd-bspc/llm:latest", "/bin/bash"]);
});

Deno.test("podman refuses paths it cannot express", () => {
  const plan = planFor(["codex"], { cwd: "/work/a:b" });
  assertThrows(() => podmanCommand(plan, ROOTLESS), LlmError, "cannot contain ':'");
  const mask = planFor(["--mask", "a,b", "codex"], { files: ["/work/project/a,b/"] });
  assertThrows(() => podmanCommand(mask, ROOTLESS), LlmError, "cannot contain ','");
});
