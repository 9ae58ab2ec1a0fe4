import { assertEquals } from "../../_assert.ts";
import { emptyOptions, parseOptions } from "../../../lib/cli/parse.ts";
import { GLOBAL_OPTIONS } from "../../../lib/cli/options.ts";
import {
  condaAgent,
  condaHostDirs,
  condaLaunchOptions,
  createHostDirs,
  installerCommand,
  installerTarget,
  launchView,
  plannedHostDirs,
} from "../../../lib/conda/launch.ts";
import { fakeSystem } from "../../_fake_system.ts";

Deno.test("installerCommand() runs the installer batch, update, silent, with the prefix, output on stderr", () => {
  const argv = installerCommand("/tmp/i/inst.sh", "/d/mf");
  assertEquals(argv, [
    "/bin/bash",
    "-c",
    'exec "$@" 1>&2',
    "bash",
    "bash",
    "/tmp/i/inst.sh",
    "-b",
    "-u",
    "-s",
    "-p",
    "/d/mf",
  ]);
});

Deno.test("installerTarget() puts the installer under one container directory by its name", () => {
  assertEquals(
    installerTarget("/home/a/.cache/llm/Miniforge3-Linux-x86_64.sh"),
    "/tmp/llm-conda-installer/Miniforge3-Linux-x86_64.sh",
  );
});

Deno.test("condaAgent() uses the shell's image but mounts no credentials", () => {
  const agent = condaAgent("conda", (a) => ["conda", ...a]);
  assertEquals(agent.defaultTag, "latest");
  assertEquals(agent.credentials, []);
  assertEquals(agent.ensure, []);
  assertEquals(agent.envPrefixes, []);
  assertEquals(agent.command(["info"]), ["conda", "info"]);
});

Deno.test("condaHostDirs() lists ~/.devcontainer/.conda, .cache and the prefix's parent", () => {
  assertEquals(condaHostDirs("/h", "/d/x/mf"), [
    "/h/.devcontainer/.conda",
    "/h/.devcontainer/.cache",
    "/d/x",
  ]);
});

Deno.test("condaLaunchOptions() adds the conda mounts after the user's and puts bin first on PATH", () => {
  const user = parseOptions(["--mount", "~/data", "--env", "A=1", "x"], GLOBAL_OPTIONS).options;
  const o = condaLaunchOptions(user, { home: "/h", prefix: "/d/mf" });
  assertEquals(o.lists.get("mount"), [
    "~/data",
    "/h/.devcontainer/.conda:/home/devuser/.conda",
    "/h/.devcontainer/.cache:/home/devuser/.cache",
    "/d",
  ]);
  assertEquals(o.lists.get("path-prepend"), ["/d/mf/bin"]);
  assertEquals(o.lists.get("env"), ["A=1"]);
});

Deno.test("condaLaunchOptions() for the bootstrap mounts the installer read-only and no PATH", () => {
  const o = condaLaunchOptions(emptyOptions(), {
    home: "/h",
    prefix: "/d/mf",
    installer: "/h/.cache/llm/i.sh",
  });
  assertEquals(o.lists.get("mount")?.at(-1), "/h/.cache/llm/i.sh:/tmp/llm-conda-installer/i.sh:ro");
  assertEquals(o.lists.get("path-prepend"), undefined);
});

Deno.test("createHostDirs() makes the missing directories, conda's state private", () => {
  const sys = fakeSystem({ home: "/h", files: ["/h/.devcontainer/.cache/"] });
  createHostDirs(sys, "/d/x/mf");
  assertEquals(sys.changes, ["mkdir /h/.devcontainer/.conda", "mkdir /d/x"]);
  assertEquals(sys.files.get("/h/.devcontainer/.conda")?.mode, 0o700);
});

Deno.test("launchView() reports planned paths as present without creating them", () => {
  const sys = fakeSystem({ home: "/h" });
  const view = launchView(sys, { exists: plannedHostDirs("/h", "/d/x/mf") });
  assertEquals(view.stat("/d/x"), "dir");
  assertEquals(view.stat("/h"), "dir");
  assertEquals(view.stat("/nope"), null);
  assertEquals(sys.stat("/d/x"), null);
  assertEquals(view.home, "/h");
});

Deno.test("launchView() overrides the terminal and sees the interactive result", async () => {
  const sys = fakeSystem({ terminal: true, interactiveResult: { code: 4, stderrTail: "t" } });
  let seen = -1;
  const view = launchView(sys, { terminal: false, onResult: (r) => (seen = r.code) });
  assertEquals(view.isTerminal(), false);
  assertEquals((await view.interactive(["x"])).code, 4);
  assertEquals(seen, 4);
  assertEquals(sys.ran, [["x"]]);
});
