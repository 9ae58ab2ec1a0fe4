/**
 * The launcher's warning for `--mount`/`--conda-env` paths under /Volumes/
 * that the podman machine does not share: the pure message, and the hook
 * in the launch through `main` on a fake Mac.
 */
import { main } from "../../../lib/cli/main.ts";
import type { Mount } from "../../../lib/launch/mounts.ts";
import { volumeMountWarning, volumeSources } from "../../../lib/macos/volume_warning.ts";
import { fakeSystem, type FakeSystemOptions, setContent } from "../../_fake_system.ts";
import { assertEquals, assertStringIncludes } from "../../_assert.ts";
import { DESKTOP_VOLUMES, inspectJson, machineConfigJson } from "./_fixtures.ts";

const DIR = "/Users/alice/.config/containers/podman/machine/applehv";
const SHARED = [{ source: "/Users", target: "/Users" }];

function bind(source: string, origin: string): Mount {
  return { kind: "bind", source, target: source, readOnly: false, origin };
}

Deno.test("volumeSources keeps only user mounts under /Volumes/", () => {
  assertEquals(
    volumeSources([
      bind("/Volumes/devel", "--mount /Volumes/devel"),
      bind("/Volumes/devel/env", "--conda-env /Volumes/devel/env"),
      bind("/Volumes/x", "LLM_DEVCONTAINER_MOUNTS /Volumes/x"),
      bind("/Volumes/w", "workspace"),
      bind("/Users/alice/data", "--mount ~/data"),
      { kind: "mask", target: "/Volumes/devel/secret", entry: "dir", origin: "--mask secret" },
    ]).map((s) => s.path),
    ["/Volumes/devel", "/Volumes/devel/env", "/Volumes/x"],
  );
});

Deno.test("volumeMountWarning is null when the machine shares every path", () => {
  const sources = [{ path: "/Volumes/devel/env", origin: "--conda-env /Volumes/devel/env" }];
  assertEquals(
    volumeMountWarning(sources, "m", [{ source: "/Volumes/devel", target: "/Volumes/devel" }]),
    null,
  );
});

Deno.test("volumeMountWarning names the path, its option, the machine and the fix", () => {
  assertEquals(
    volumeMountWarning(
      [{ path: "/Volumes/devel/env", origin: "--conda-env /Volumes/devel/env" }],
      "podman-machine-default",
      SHARED,
    ),
    "podman machine podman-machine-default does not share /Volumes/devel/env " +
      "(--conda-env /Volumes/devel/env), so the container will not see it; " +
      "run 'llm setup-macos-volume' first",
  );
});

Deno.test("volumeMountWarning gives one fix per volume, with --name when not devel", () => {
  const w = volumeMountWarning(
    [
      { path: "/Volumes/data/a", origin: "--mount /Volumes/data/a" },
      { path: "/Volumes/devel", origin: "--mount /Volumes/devel" },
      { path: "/Volumes/data/b", origin: "--mount /Volumes/data/b" },
    ],
    "m",
    SHARED,
  );
  assertStringIncludes(w ?? "", "so the container will not see them");
  assertStringIncludes(
    w ?? "",
    "run 'llm setup-macos-volume --name data' and 'llm setup-macos-volume' first",
  );
});

function mac(volumes: readonly string[], over: FakeSystemOptions = {}) {
  const sys = fakeSystem({
    os: "darwin",
    arch: "aarch64",
    home: "/Users/alice",
    cwd: "/Users/alice/project",
    files: ["/Volumes/devel/data/", "/Volumes/devel/env/bin/"],
    outputs: { "podman machine inspect": { stdout: inspectJson({ configDir: DIR }) } },
    ...over,
  });
  setContent(sys, `${DIR}/podman-machine-default.json`, machineConfigJson(DIR, volumes));
  return sys;
}

const inspections = (sys: { ran: string[][] }) =>
  sys.ran.filter((a) => a.join(" ") === "podman machine inspect").length;

Deno.test("a launch on macOS warns when a --mount under /Volumes/ is not shared by the machine", async () => {
  const sys = mac(DESKTOP_VOLUMES);
  assertEquals(await main(["--mount", "/Volumes/devel/data", "shell"], sys), 0);
  assertEquals(inspections(sys), 1);
  assertStringIncludes(
    sys.err.join(""),
    "llm: warning: podman machine podman-machine-default does not share /Volumes/devel/data " +
      "(--mount /Volumes/devel/data)",
  );
  assertEquals(sys.ran.at(-1)?.[1], "run");
});

Deno.test("a launch on macOS warns for a --conda-env under /Volumes/", async () => {
  const sys = mac(DESKTOP_VOLUMES);
  assertEquals(await main(["--conda-env", "/Volumes/devel/env", "shell"], sys), 0);
  assertStringIncludes(sys.err.join(""), "(--conda-env /Volumes/devel/env)");
});

Deno.test("a launch on macOS says nothing when the machine shares the volume", async () => {
  const sys = mac([...DESKTOP_VOLUMES, "/Volumes/devel:/Volumes/devel"]);
  assertEquals(await main(["--mount", "/Volumes/devel/data", "shell"], sys), 0);
  assertEquals(inspections(sys), 1);
  assertEquals(sys.err.join("").includes("does not share"), false);
});

Deno.test("a launch without /Volumes/ paths never inspects the machine", async () => {
  const sys = mac(DESKTOP_VOLUMES);
  assertEquals(await main(["shell"], sys), 0);
  assertEquals(inspections(sys), 0);
});

Deno.test("a launch on Linux never inspects a podman machine", async () => {
  const sys = mac(DESKTOP_VOLUMES, { os: "linux", arch: "x86_64" });
  assertEquals(await main(["--mount", "/Volumes/devel/data", "shell"], sys), 0);
  assertEquals(inspections(sys), 0);
});

Deno.test("a launch goes on quietly when podman machine inspect fails", async () => {
  const sys = mac(DESKTOP_VOLUMES, {
    outputs: { "podman machine inspect": { code: 125, stderr: "Error: VM does not exist" } },
  });
  assertEquals(await main(["--mount", "/Volumes/devel/data", "shell"], sys), 0);
  assertEquals(inspections(sys), 1);
  assertEquals(sys.err.join(""), "");
});
