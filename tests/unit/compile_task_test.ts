/**
 * The compile task. `deno compile` itself needs dl.deno.land, which tests
 * must not reach, so the process tests run the task with a recorded fake
 * `deno` (a small script written by the test) that logs its argv and answers
 * the way the real one does.
 */
import denoJson from "../../deno.json" with { type: "json" };
import { LlmError, UsageError } from "../../lib/errors.ts";
import { join } from "../../lib/std/path.ts";
import {
  checkVersion,
  compileArgv,
  explainCompileFailure,
  PERMISSIONS,
  plannedTargets,
  TARGETS,
  V8_FLAGS,
} from "../../tasks/compile.ts";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "../_assert.ts";

const REPO = new URL("../../", import.meta.url).pathname;

// Recorded from `deno compile` 2.9.6 on a machine without internet access.
const DOWNLOAD_FAILURE = [
  "\x1b[0m\x1b[32mCheck\x1b[0m main.ts",
  "\x1b[0m\x1b[32mCompile\x1b[0m main.ts to dist/llm-x86_64-unknown-linux-gnu",
  "\x1b[0m\x1b[32mDownload\x1b[0m https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip",
  "\x1b[0m\x1b[1m\x1b[31merror\x1b[0m: Writing deno compile executable to temporary file " +
  "'dist/llm-x86_64-unknown-linux-gnu.tmp-f4102b4142fe6953'",
  "",
  "Caused by:",
  "    0: Setting up base binary.",
  "    1: error sending request for url (https://dl.deno.land/release/v2.9.6/denort-x86_64-" +
  "unknown-linux-gnu.zip): client error (Connect): dns error: failed to lookup address " +
  "information: Name or service not known",
  "    2: client error (Connect)",
  "    3: dns error",
  "    4: failed to lookup address information: Name or service not known",
  "",
  "Stack backtrace:",
  "   0: <unknown>",
  "",
].join("\n");

// Recorded from `DENORT_BIN=/nonexistent deno compile`.
const MISSING_DENORT_BIN = [
  "\x1b[0m\x1b[32mCompile\x1b[0m main.ts to dist/llm-x86_64-unknown-linux-gnu",
  "\x1b[0m\x1b[1m\x1b[31merror\x1b[0m: Writing deno compile executable to temporary file 'x'",
  "",
  "Caused by:",
  "    0: Could not find denort at '/nonexistent'",
  "    1: No such file or directory (os error 2)",
  "",
  "Stack backtrace:",
  "   0: <unknown>",
].join("\n");

Deno.test("compile permissions and V8 flags are the same as the llm task's", () => {
  const task = denoJson.tasks.llm;
  const flags = task.split(" ").filter((w) => w.startsWith("--allow-"));
  assertEquals([...PERMISSIONS].sort(), flags.sort());
  assertEquals([...V8_FLAGS], task.split(" ").filter((w) => w.startsWith("--v8-flags")));
});

Deno.test("compileArgv builds one target into dist/llm-<target> without prompts", () => {
  assertEquals(compileArgv("/usr/bin/deno", "aarch64-apple-darwin", "dist"), [
    "/usr/bin/deno",
    "compile",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--allow-run",
    "--allow-sys",
    "--allow-net",
    "--v8-flags=--no-lazy",
    "--no-prompt",
    "--target",
    "aarch64-apple-darwin",
    "--output",
    "dist/llm-aarch64-apple-darwin",
    "main.ts",
  ]);
});

Deno.test("a runtime download failure becomes one line naming DENORT_BIN", () => {
  const line = explainCompileFailure(DOWNLOAD_FAILURE, "x86_64-unknown-linux-gnu");
  assert(!line.includes("\n"), line);
  assert(!line.includes("\x1b"), line);
  assertStringIncludes(line, "DENORT_BIN");
  assertStringIncludes(line, "x86_64-unknown-linux-gnu");
  assertStringIncludes(line, "failed to lookup address information");
});

Deno.test("a DENORT_BIN that does not exist is named in the one line", () => {
  const line = explainCompileFailure(MISSING_DENORT_BIN, "x86_64-unknown-linux-gnu");
  assertStringIncludes(line, "Could not find denort at '/nonexistent'");
  assertStringIncludes(line, "DENORT_BIN");
});

Deno.test("other compile failures keep deno's first error line", () => {
  const line = explainCompileFailure(
    '\x1b[31merror\x1b[0m: Module not found "file:///x/nope.ts".\n',
    "aarch64-apple-darwin",
  );
  assertEquals(
    line,
    'deno compile failed for aarch64-apple-darwin: Module not found "file:///x/nope.ts".',
  );
});

Deno.test("every release target is built when none is named", () => {
  assertEquals(plannedTargets([]), [...TARGETS]);
  assertEquals(plannedTargets(["aarch64-apple-darwin", "aarch64-apple-darwin"]), [
    "aarch64-apple-darwin",
  ]);
});

Deno.test("an unknown target is a usage error listing the known ones", () => {
  assertThrows(
    () => plannedTargets(["x86_64-pc-windows-msvc"]),
    UsageError,
    "aarch64-apple-darwin",
  );
});

Deno.test("a release tag that disagrees with deno.json fails before compiling", () => {
  assertThrows(() => checkVersion("v9.9.9", "0.1.0"), LlmError, 'set "version": "9.9.9"');
  checkVersion("v0.1.0", "0.1.0");
  checkVersion("0.1.0", "0.1.0");
  checkVersion(undefined, "0.1.0");
});

async function hasCommand(name: string): Promise<boolean> {
  const r = await new Deno.Command("sh", { args: ["-c", `command -v ${name}`], stdout: "null" })
    .output();
  return r.success;
}

/** Write an executable fake `deno` running `body` (bash) and return its path. */
async function fakeDeno(dir: string, body: string): Promise<string> {
  const path = join(dir, "deno");
  await Deno.writeTextFile(path, `#!/usr/bin/env bash\necho "$*" >> "${dir}/argv.log"\n${body}\n`);
  await Deno.chmod(path, 0o755);
  return path;
}

async function runTask(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", join(REPO, "tasks/compile.ts"), ...args],
    cwd: REPO,
    stdin: "null",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("the compile task prints one line and exits 1 when denort cannot be downloaded", async () => {
  const dir = await Deno.makeTempDir({ prefix: "llm-compile-" });
  try {
    const recorded = join(dir, "stderr.txt");
    await Deno.writeTextFile(recorded, DOWNLOAD_FAILURE);
    const deno = await fakeDeno(dir, `cat "${recorded}" >&2\nexit 1`);
    const r = await runTask(["--deno", deno, "--out", join(dir, "dist")]);
    assertEquals(r.code, 1);
    assertEquals(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    assert(r.stderr.startsWith("compile: error: deno compile could not get its runtime"), r.stderr);
    assertStringIncludes(r.stderr, "DENORT_BIN");
    assert(!r.stderr.includes("backtrace"), r.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the compile task builds every target and a SHA256SUMS that sha256sum accepts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "llm-compile-" });
  try {
    // Like deno compile: write the --output file (here a small script naming the target).
    const deno = await fakeDeno(
      dir,
      'while [ $# -gt 0 ]; do case $1 in --output) out=$2; shift;; --target) t=$2; shift;; esac; shift; done\nprintf "binary for %s\\n" "$t" > "$out"',
    );
    const dist = join(dir, "dist");
    const r = await runTask([
      "--deno",
      deno,
      "--out",
      dist,
      "--expect-version",
      `v${denoJson.version}`,
    ]);
    assertEquals(r.code, 0, r.stderr);
    const names = [...Deno.readDirSync(dist)].map((e) => e.name).sort();
    assertEquals(names, ["SHA256SUMS", ...TARGETS.map((t) => `llm-${t}`)].sort());
    const log = await Deno.readTextFile(join(dir, "argv.log"));
    assertEquals(log.trimEnd().split("\n").length, TARGETS.length);
    assertStringIncludes(log, "compile --allow-read");
    // macOS has shasum rather than sha256sum.
    const [tool, ...toolArgs] = await hasCommand("sha256sum")
      ? ["sha256sum", "-c", "SHA256SUMS"]
      : ["shasum", "-a", "256", "-c", "SHA256SUMS"];
    const check = await new Deno.Command(tool, { args: toolArgs, cwd: dist }).output();
    const said = new TextDecoder().decode(check.stdout);
    assertEquals(check.code, 0, said);
    assertEquals(said.trimEnd().split("\n").filter((l) => l.endsWith(": OK")).length, 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the compile task refuses a release tag that disagrees with deno.json", async () => {
  const r = await runTask(["--expect-version", "v99.0.0", "--deno", "/nonexistent/deno"]);
  assertEquals(r.code, 1);
  assertStringIncludes(r.stderr, "compile: error: deno.json has version");
});
