import { assertEquals } from "../../_assert.ts";
import {
  dockerInfoArgv,
  dockerUserArgs,
  isRootlessDockerInfo,
} from "../../../lib/runtime/docker.ts";
import type { InvocationFacts } from "../../../lib/runtime/runtime.ts";

const ROOTFUL_1000: InvocationFacts = {
  executable: "docker",
  tty: false,
  uid: 1000,
  gid: 1000,
  os: "linux",
  scratch: "/tmp/llm-5",
};

Deno.test("docker rootful as uid 1000 runs as the image user, whose home it is", () => {
  assertEquals(dockerUserArgs(ROOTFUL_1000), ["--user=1000:1000"]);
});

Deno.test("docker rootless runs the agent as container root with a tmpfs home root owns", () => {
  assertEquals(dockerUserArgs({ ...ROOTFUL_1000, uid: 1234, gid: 99, rootless: true }), [
    "--user=0:0",
    "--tmpfs=/home/devuser:exec,uid=0,gid=0,mode=0700",
  ]);
});

Deno.test("docker rootful as another uid runs as it, with a tmpfs home it owns", () => {
  assertEquals(dockerUserArgs({ ...ROOTFUL_1000, uid: 1234, gid: 99 }, "/h2"), [
    "--user=1234:99",
    "--tmpfs=/h2:exec,uid=1234,gid=99,mode=0700",
  ]);
  assertEquals(dockerUserArgs({ ...ROOTFUL_1000, uid: 0, gid: 0 }), [
    "--user=0:0",
    "--tmpfs=/home/devuser:exec,uid=0,gid=0,mode=0700",
  ]);
});

Deno.test("docker on macOS runs as the image user (Docker Desktop maps file ownership)", () => {
  assertEquals(dockerUserArgs({ ...ROOTFUL_1000, os: "darwin", uid: 501, gid: 20 }), [
    "--user=1000:1000",
  ]);
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
