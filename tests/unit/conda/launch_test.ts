import { assertEquals } from "../../_assert.ts";
import { mergeOptions, parseOptions } from "../../../lib/cli/parse.ts";
import { GLOBAL_OPTIONS } from "../../../lib/cli/options.ts";
import {
  bootstrapLaunchOptions,
  condaAgent,
  condaHostDirs,
  condaLaunchOptions,
  createHostDirs,
  ignoredByInstaller,
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

Deno.test("condaHostDirs() lists ~/.devcontainer/.conda, .cache and the shared directory", () => {
  assertEquals(condaHostDirs("/h", "/d/x"), [
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

Deno.test("bootstrapLaunchOptions() keeps the image, runtime and output settings and nothing else", () => {
  const user = parseOptions(
    [
      "--mount",
      "~/data",
      "--env",
      "A=1",
      "--mask",
      ".env",
      "--certs",
      "ca.pem",
      "--workspace-mount",
      "/work",
      "--global-read-only",
      "--image-name",
      "localhost/x",
      "--tag",
      "t",
      "--backend",
      "docker",
      "--verbose",
      "x",
    ],
    GLOBAL_OPTIONS,
  ).options;
  const o = bootstrapLaunchOptions(user, { home: "/h", installer: "/h/.cache/llm/i.sh" });
  assertEquals(
    o.lists,
    new Map([["mount", [
      "/h/.devcontainer/.conda:/home/devuser/.conda",
      "/h/.devcontainer/.cache:/home/devuser/.cache",
      "/h/.cache/llm/i.sh:/tmp/llm-conda-installer/i.sh:ro",
    ]]]),
  );
  assertEquals(
    o.values,
    new Map([["image-name", "localhost/x"], ["tag", "t"], ["backend", "docker"]]),
  );
  assertEquals(o.flags, new Set(["verbose"]));
});

Deno.test("ignoredByInstaller() names the command line's left-out settings, not the config's", () => {
  const flags =
    parseOptions(["--mount", "a", "--global-read-only", "--tag", "t", "x"], GLOBAL_OPTIONS)
      .options;
  assertEquals(ignoredByInstaller(flags), ["--mount", "--global-read-only"]);
  const fromConfig = mergeOptions({
    flags: new Set(),
    values: new Map(),
    lists: new Map([["mount", ["a"]], ["env", ["B=2"]]]),
    sources: new Map([["mount", ["/h/c.yaml:2"]], ["env", ["/h/c.yaml:3"]]]),
  });
  assertEquals(ignoredByInstaller(fromConfig), []);
});

Deno.test("createHostDirs() makes the missing directories, conda's state private", () => {
  const sys = fakeSystem({ home: "/h", files: ["/h/.devcontainer/.cache/"] });
  createHostDirs(sys, "/d/x");
  assertEquals(sys.changes, ["mkdir /h/.devcontainer/.conda", "mkdir /d/x"]);
  assertEquals(sys.files.get("/h/.devcontainer/.conda")?.mode, 0o700);
});

Deno.test("launchView() reports planned paths as present without creating them", () => {
  const sys = fakeSystem({ home: "/h" });
  const view = launchView(sys, { exists: plannedHostDirs("/h", "/d/x") });
  assertEquals(view.stat("/d/x"), "dir");
  assertEquals(view.stat("/h"), "dir");
  assertEquals(view.stat("/nope"), null);
  assertEquals(sys.stat("/d/x"), null);
  assertEquals(view.home, "/h");
});

Deno.test("launchView() can move the working directory, the launch's workspace", () => {
  const sys = fakeSystem({ home: "/h", cwd: "/h" });
  assertEquals(launchView(sys, { cwd: "/d/mf" }).cwd, "/d/mf");
  assertEquals(launchView(sys, {}).cwd, "/h");
});

Deno.test("launchView() overrides the terminal and sees the interactive result", async () => {
  const sys = fakeSystem({ terminal: true, interactiveResult: { code: 4, stderrTail: "t" } });
  let seen = -1;
  const view = launchView(sys, { terminal: false, onResult: (r) => (seen = r.code) });
  assertEquals(view.isTerminal(), false);
  // Colour still follows the real streams.
  const colour = fakeSystem({ terminal: true, terminalStreams: ["stderr"] });
  assertEquals(launchView(colour, { terminal: false }).isTerminal("stderr"), true);
  assertEquals((await view.interactive(["x"])).code, 4);
  assertEquals(seen, 4);
  assertEquals(sys.ran, [["x"]]);
});
