import { assert, assertEquals, assertStringIncludes } from "../../_assert.ts";
import { main } from "../../../lib/cli/main.ts";
import { splitShellWords } from "../../../lib/text/shell_words.ts";
import { type FakeSystem, fakeSystem, type FakeSystemOptions } from "../../_fake_system.ts";
import { commandAfter, dryRunEnvValue, envValue, volumes } from "./_argv.ts";

const HOME = "/home/ada";
const PREFIX = `${HOME}/.local/share/llm/miniforge`;
const CONDA = `${PREFIX}/bin/conda`;
const IMAGE = "ghcr.io/nichd-bspc/llm:latest";

async function llm(argv: string[], host: FakeSystemOptions = {}): Promise<[number, FakeSystem]> {
  const sys = fakeSystem({ home: HOME, cwd: "/work/p", ...host });
  return [await main(argv, sys), sys];
}

Deno.test("llm conda runs the installed conda with the user's arguments untouched", async () => {
  const [code, sys] = await llm(
    ["conda", "create", "-p", "/data/env", "--file", "requirements.txt", "--yes"],
    { files: [CONDA] },
  );
  assertEquals(code, 0, sys.err.join(""));
  const argv = sys.ran.at(-1) ?? [];
  assertEquals(commandAfter(argv, IMAGE), [
    CONDA,
    "create",
    "-p",
    "/data/env",
    "--file",
    "requirements.txt",
    "--yes",
  ]);
});

Deno.test("llm conda puts <prefix>/bin first on PATH", async () => {
  const [, sys] = await llm(["conda", "info"], { files: [CONDA] });
  const path = envValue(sys, sys.ran.at(-1) ?? [], "PATH") ?? "";
  assertEquals(path.split(":")[0], `${PREFIX}/bin`);
});

Deno.test("llm conda mounts the workspace, conda's state dirs and the prefix's parent", async () => {
  const [, sys] = await llm(["conda", "info"], { files: [CONDA] });
  assertEquals(volumes(sys.ran.at(-1) ?? []), [
    "/work/p:/work/p",
    `${HOME}/.devcontainer/.conda:/home/devuser/.conda`,
    `${HOME}/.devcontainer/.cache:/home/devuser/.cache`,
    `${HOME}/.local/share/llm:${HOME}/.local/share/llm`,
  ]);
  assert(sys.changes.includes(`mkdir ${HOME}/.devcontainer/.conda`));
});

Deno.test("llm conda --prefix DIR selects another install", async () => {
  const [code, sys] = await llm(["conda", "--prefix", "/data/mf", "env", "list"], {
    files: ["/data/mf/bin/conda"],
  });
  assertEquals(code, 0, sys.err.join(""));
  const argv = sys.ran.at(-1) ?? [];
  assertEquals(commandAfter(argv, IMAGE), ["/data/mf/bin/conda", "env", "list"]);
  assert(volumes(argv).includes("/data:/data"));
});

Deno.test("llm conda passes options after the first conda argument to conda, --prefix included", async () => {
  const [, sys] = await llm(["conda", "create", "--prefix", "/data/env", "--help"], {
    files: [CONDA],
  });
  assertEquals(commandAfter(sys.ran.at(-1) ?? [], IMAGE), [
    CONDA,
    "create",
    "--prefix",
    "/data/env",
    "--help",
  ]);
});

Deno.test("llm conda -- --version sends --version to conda", async () => {
  const [, sys] = await llm(["conda", "--", "--version"], { files: [CONDA] });
  assertEquals(commandAfter(sys.ran.at(-1) ?? [], IMAGE), [CONDA, "--version"]);
});

Deno.test("llm conda --help is llm's help for the command", async () => {
  const [code, sys] = await llm(["conda", "--help"]);
  assertEquals(code, 0);
  assertStringIncludes(sys.out.join(""), "Usage: llm conda [--prefix DIR]");
  assertEquals(sys.ran, []);
});

Deno.test("llm conda exits with conda's exit code", async () => {
  const [code] = await llm(["conda", "install", "nope"], {
    files: [CONDA],
    interactiveResult: { code: 5, stderrTail: "" },
  });
  assertEquals(code, 5);
});

Deno.test("llm conda without a bootstrap is one error naming llm conda-bootstrap", async () => {
  const [code, sys] = await llm(["conda", "info"]);
  assertEquals(code, 1);
  assertEquals(
    sys.err.join(""),
    `llm: error: no Miniforge at ${PREFIX} (${CONDA} is missing); install it with ` +
      `'llm conda-bootstrap'\n`,
  );
  assertEquals(sys.ran, []);
  assertEquals(sys.changes, []);
});

Deno.test("llm conda --prefix without a bootstrap names the bootstrap with that prefix", async () => {
  const [, sys] = await llm(["conda", "--prefix", "/data/mf", "info"]);
  assertStringIncludes(sys.err.join(""), "'llm conda-bootstrap --prefix /data/mf'");
});

Deno.test("llm --dry-run conda prints the command, warns about a missing bootstrap, changes nothing", async () => {
  const [code, sys] = await llm(["--dry-run", "conda", "info"]);
  assertEquals(code, 0);
  assertStringIncludes(sys.err.join(""), "llm: warning: no Miniforge at");
  assertEquals(sys.changes, []);
  const argv = splitShellWords(sys.out.join(""));
  assertEquals(commandAfter(argv, IMAGE), [CONDA, "info"]);
  assertEquals(dryRunEnvValue(argv, "TOOL"), "conda");
});

Deno.test("llm conda keeps global launcher options such as --env and --mount", async () => {
  const [, sys] = await llm(
    ["--env", "CONDA_PKGS_DIRS=/data/pkgs", "--mount", "/data", "conda", "info"],
    { files: [CONDA, "/data/"] },
  );
  const argv = sys.ran.at(-1) ?? [];
  assertEquals(envValue(sys, argv, "CONDA_PKGS_DIRS"), "/data/pkgs");
  assert(volumes(argv).includes("/data:/data"));
});

Deno.test("llm conda on macOS stops when the prefix's volume is missing", async () => {
  const [code, sys] = await llm(["conda", "info"], { os: "darwin", home: "/Users/ada" });
  assertEquals(code, 1);
  assertStringIncludes(sys.err.join(""), "'llm setup-macos-volume'");
});
