import { assertEquals } from "../../_assert.ts";
import { podmanCommand, podmanRootful, podmanUserArgs } from "../../../lib/runtime/podman.ts";
import type { InvocationFacts } from "../../../lib/runtime/runtime.ts";
import { planFor } from "../launch/_plan.ts";

const ROOTLESS: InvocationFacts = {
  executable: "podman",
  tty: false,
  uid: 1000,
  gid: 1000,
  os: "linux",
  scratch: "/tmp/llm-5",
};

Deno.test("podman rootless maps the host user onto the image's uid 1000 with keep-id", () => {
  assertEquals(podmanUserArgs({ ...ROOTLESS, uid: 1234, gid: 99 }), [
    "--userns=keep-id:uid=1000,gid=1000",
    "--user=1000:1000",
  ]);
  assertEquals(podmanRootful({ os: "linux", uid: 1234 }), false);
});

Deno.test("podman rootful runs without a user namespace, as root with a tmpfs home of its own", () => {
  const plan = planFor(["codex"], { uid: 0, gid: 0, home: "/root" });
  const argv = podmanCommand(plan, { ...ROOTLESS, uid: 0, gid: 0 }).argv;
  assertEquals(argv.slice(6, 11), [
    "--user=0:0",
    "--mount",
    "type=tmpfs,destination=/home/devuser,U=true",
    "--cap-drop=ALL",
    "--security-opt=no-new-privileges",
  ]);
  // An explicit --uidmap fails on the default overlay storage (podman #15312).
  assertEquals(argv.some((a) => a.startsWith("--uidmap") || a.startsWith("--userns")), false);
});

Deno.test("podman rootful puts the tmpfs home where --env HOME moved it", () => {
  const plan = planFor(["--env", "HOME=/h2", "codex"], { uid: 0, gid: 0, home: "/root" });
  const argv = podmanCommand(plan, { ...ROOTLESS, uid: 0, gid: 0 }).argv;
  assertEquals(argv.includes("type=tmpfs,destination=/h2,U=true"), true);
});

Deno.test("podman on macOS always uses keep-id (the machine is rootless by default)", () => {
  const argv = podmanCommand(planFor(["codex"]), { ...ROOTLESS, os: "darwin", uid: 0 }).argv;
  assertEquals(argv.includes("--userns=keep-id:uid=1000,gid=1000"), true);
});

Deno.test("podman turns off its own copying of host proxy variables", () => {
  assertEquals(
    podmanCommand(planFor(["codex"]), ROOTLESS).argv.includes("--http-proxy=false"),
    true,
  );
});
