/**
 * Shell completions: the bash script is loaded into a real bash and asked for
 * completions the way readline asks (COMP_WORDS / COMP_CWORD), fish's through
 * `complete -C`, and zsh's core is checked to answer like bash's. zsh and
 * fish tests skip with a reason when the shell is not installed.
 */
import { main } from "../../../lib/cli/main.ts";
import { completionScript, type Shell } from "../../../lib/cli/completions.ts";
import { GLOBAL_OPTIONS } from "../../../lib/cli/options.ts";
import { COMMANDS } from "../../../lib/cli/registry.ts";
import { completionModel, positionalWords } from "../../../lib/commands/completions.ts";
import { BUILTIN_AGENTS } from "../../../lib/launch/agents.ts";
import { join } from "../../../lib/std/path.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../../_assert.ts";
import { fakeSystem, setContent } from "../../_fake_system.ts";

function hasShell(name: string): boolean {
  try {
    return new Deno.Command(name, { args: ["-c", "exit 0"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

function ignoreWithout(shell: string): boolean {
  if (hasShell(shell)) return false;
  console.log(`skipping ${shell} completion tests: ${shell} is not installed`);
  return true;
}

const SCRIPTS = new Map<Shell, string>();
function script(shell: Shell): string {
  if (!SCRIPTS.has(shell)) SCRIPTS.set(shell, completionScript(shell, completionModel()));
  return SCRIPTS.get(shell) as string;
}

/** A scratch directory with a file, a directory and a file in it. */
async function scratch(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "llm-complete-" });
  await Deno.writeTextFile(join(dir, "alpha.txt"), "");
  await Deno.mkdir(join(dir, "apps"));
  await Deno.writeTextFile(join(dir, "apps", "x"), "");
  return dir;
}

async function run(argv: string[], cwd?: string, stdin?: string): Promise<string> {
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  const text = new TextDecoder().decode(out.stdout);
  assert(out.success, `${argv[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  return text;
}

/**
 * COMPREPLY from bash for `words` (as readline splits them: `--arch=x` is
 * `--arch`, `=`, `x`), the last word being completed.
 */
async function bashComplete(words: string[], cwd?: string): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "llm-bash-" });
  try {
    const file = join(dir, "llm.bash");
    await Deno.writeTextFile(file, script("bash"));
    const quoted = words.map((w) => `'${w.replaceAll("'", `'\\''`)}'`).join(" ");
    const program = `source '${file}'\nCOMP_WORDS=(${quoted})\nCOMP_CWORD=${
      words.length - 1
    }\n_llm\nprintf '%s\\n' "\${COMPREPLY[@]}"\n`;
    const out = await run(["bash", "--norc", "--noprofile"], cwd, program);
    return out.split("\n").filter((l) => l !== "").sort();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Agents, commands and `help` starting with `prefix`, sorted: commands come and go. */
function subjects(prefix: string, withHelp = true): string[] {
  const all = [...BUILTIN_AGENTS.map((a) => a.name), ...COMMANDS.map((c) => c.name)];
  if (withHelp) all.push("help");
  return all.filter((n) => n.startsWith(prefix)).sort();
}

Deno.test("bash completes agents and commands after llm", async () => {
  assertEquals(await bashComplete(["llm", ""]), subjects(""));
});

Deno.test("bash completes 'llm co' to codex, completions and other co* commands", async () => {
  const got = await bashComplete(["llm", "co"]);
  assertEquals(got, subjects("co"));
  assert(got.includes("codex") && got.includes("completions"), got.join(" "));
});

Deno.test("bash completes every global option after --", async () => {
  const got = await bashComplete(["llm", "--"]);
  assertEquals(got, GLOBAL_OPTIONS.map((o) => `--${o.name}`).sort());
});

Deno.test("bash completes 'llm --mo' to --mount", async () => {
  assertEquals(await bashComplete(["llm", "--mo"]), ["--mount"]);
});

Deno.test("bash completes the fixed values of --arch", async () => {
  assertEquals(await bashComplete(["llm", "--arch", ""]), ["linux/amd64", "linux/arm64"]);
  assertEquals(await bashComplete(["llm", "--backend", "s"]), ["singularity"]);
});

Deno.test("bash completes the value of --backend=VALUE that readline split at '='", async () => {
  assertEquals(await bashComplete(["llm", "--backend", "=", "p"]), ["podman"]);
  assertEquals(await bashComplete(["llm", "--backend", "="]), [
    "apptainer",
    "auto",
    "docker",
    "podman",
    "singularity",
  ]);
});

Deno.test("bash rejoins mount specs that readline split at ':'", async () => {
  assertEquals(await bashComplete(["llm", "--mount", "~/d", ":", "/d", "co"]), subjects("co"));
  assertEquals(
    await bashComplete(["llm", "--mount", "~/d", ":", "/d", ":", "ro", "c"]),
    subjects("c"),
  );
  assertEquals(await bashComplete(["llm", "--mount", "~/d", ":", "/d"]), []);
});

Deno.test("bash completes files for --mount and only directories for --ro", async () => {
  const dir = await scratch();
  try {
    assertEquals(await bashComplete(["llm", "--mount", "a"], dir), ["alpha.txt", "apps"]);
    assertEquals(await bashComplete(["llm", "--ro", "a"], dir), ["apps"]);
    assertEquals(await bashComplete(["llm", "--mount", "apps/"], dir), ["apps/x"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bash skips option values when finding the agent", async () => {
  assertEquals(
    await bashComplete(["llm", "-e", "FOO=1", "--mount", "codex", "c"]),
    subjects("c"),
  );
  assertEquals(await bashComplete(["llm", "--dry-run", "she"]), ["shell"]);
  // --worktree stands alone (its NAME only attached, --worktree=NAME).
  assertEquals(await bashComplete(["llm", "--worktree", "she"]), ["shell"]);
});

Deno.test("bash completes files, not llm options, after an agent", async () => {
  const dir = await scratch();
  try {
    assertEquals(await bashComplete(["llm", "codex", "--"], dir), []);
    assertEquals(await bashComplete(["llm", "--mount", "x", "claude", "al"], dir), ["alpha.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bash completes a command's options and positional words", async () => {
  assertEquals(await bashComplete(["llm", "completions", ""]), ["bash", "fish", "zsh"]);
  assertEquals(await bashComplete(["llm", "completions", "--h"]), ["--help"]);
  assertEquals(await bashComplete(["llm", "completions", "bash", ""]), []);
});

Deno.test("positional words come from a command's usage line", () => {
  const agents = ["codex", "pi"];
  assertEquals(positionalWords("completions bash|zsh|fish", agents), {
    words: ["bash", "zsh", "fish"],
    repeat: false,
  });
  assertEquals(positionalWords("pull [options] [agent...]", agents), {
    words: ["codex", "pi"],
    repeat: true,
  });
  assertEquals(
    positionalWords("refresh [--kind all|codex|claude|pi] [options]", agents),
    undefined,
  );
  assertEquals(positionalWords("trust [--remove] [FILE]", agents), undefined);
});

Deno.test({
  name: "bash completes every positional of llm pull with agent names",
  ignore: !COMMANDS.some((c) => c.name === "pull"),
  async fn() {
    const agents = BUILTIN_AGENTS.map((a) => a.name).sort();
    assertEquals(await bashComplete(["llm", "pull", ""]), agents);
    assertEquals(await bashComplete(["llm", "pull", "codex", ""]), agents);
  },
});

Deno.test("bash completes help topics after 'llm help', help itself included", async () => {
  assertEquals(await bashComplete(["llm", "help", "c"]), subjects("c", false));
  assertEquals(await bashComplete(["llm", "help", "h"]), ["help"]);
});

Deno.test("bash offers --dry-run and --verbose only to commands that act on them", async () => {
  const doctor = COMMANDS.find((c) => c.name === "doctor")?.options ?? [];
  assertEquals(
    await bashComplete(["llm", "doctor", "--"]),
    [...doctor.map((o) => `--${o.name}`), "--help"].sort(),
  );
  const pull = await bashComplete(["llm", "pull", "--"]);
  assert(pull.includes("--dry-run") && pull.includes("--verbose"), pull.join(" "));
  assertEquals(await bashComplete(["llm", "completions", "--"]), ["--help"]);
});

Deno.test("bash offers nothing for a free-form value such as --env", async () => {
  assertEquals(await bashComplete(["llm", "--env", ""]), []);
});

Deno.test("every registered command's options are completed", async () => {
  for (const c of COMMANDS) {
    const got = await bashComplete(["llm", c.name, "--"]);
    for (const o of c.options) assert(got.includes(`--${o.name}`), `${c.name} --${o.name}`);
    assert(got.includes("--help"), c.name);
  }
});

/** The core's raw answer (action, then words) from `shell`. */
async function coreAnswer(shell: string, words: string[]): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "llm-core-" });
  try {
    const file = join(dir, "script");
    // Sourcing the zsh script outside compinit calls compdef: stub it.
    await Deno.writeTextFile(file, `compdef() { :; }\n${script(shell === "zsh" ? "zsh" : "bash")}`);
    const args = words.map((w) => `'${w}'`).join(" ");
    const program = `source '${file}'\n_llm_candidates ${args}\n`;
    return await run(shell === "zsh" ? ["zsh", "-f"] : ["bash", "--norc"], undefined, program);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "the zsh script parses and its core answers like bash's",
  ignore: ignoreWithout("zsh"),
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "llm-zsh-" });
    try {
      const file = join(dir, "_llm");
      await Deno.writeTextFile(file, script("zsh"));
      await run(["zsh", "-n", file]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
    const cases = [
      ["co"],
      ["", "--arch"],
      ["--backend=p"],
      ["-", "completions"],
      ["x", "-e", "A=1", "codex"],
      ["", "help"],
      ["", "--dry-run", "completions"],
    ];
    for (const c of cases) {
      assertEquals(await coreAnswer("zsh", c), await coreAnswer("bash", c), c.join(" "));
    }
    assertEquals(await coreAnswer("zsh", ["", "--arch"]), "words\nlinux/amd64\nlinux/arm64\n");
  },
});

/**
 * Type `input` into an interactive zsh (driven through zsh's own pseudo-terminal
 * module, zpty) with the completion script on fpath, and return what the
 * terminal shows up to the first appearance of `until`. Reading blocks until
 * `until` shows up; a kill after 20 s turns a missing completion into a failure
 * instead of a hang.
 */
/** `text` as a zsh $'...' string, so a tab can be typed. */
function zshAnsiQuote(text: string): string {
  return `$'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'").replaceAll("\t", "\\t")}'`;
}

async function zshTyped(input: string, until: string, cwd: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "llm-zpty-" });
  try {
    await Deno.writeTextFile(join(dir, "_llm"), script("zsh"));
    const driver = [
      "zmodload zsh/zpty",
      "zpty z zsh -f -i",
      `zpty -w z 'PS1="> "; fpath=(${dir} $fpath); autoload -U compinit; compinit -u -D; ` +
      `llm() { :; }; print SET""UP-DONE'`,
      "zpty -r z out '*SETUP-DONE*'",
      `zpty -n -w z ${zshAnsiQuote(input)}`,
      `zpty -r z out '*${until}*'`,
      'print -r -- "$out"',
      "zpty -d z",
    ].join("\n");
    const out = await new Deno.Command("zsh", {
      args: ["-f", "-c", driver],
      cwd,
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(20_000),
    }).output();
    // deno-lint-ignore no-control-regex
    return new TextDecoder().decode(out.stdout).replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "an interactive zsh completes words, --opt=value and directories with the script",
  ignore: ignoreWithout("zsh"),
  async fn() {
    const dir = await scratch();
    try {
      assertStringIncludes(await zshTyped("llm completions \t\t", "fish", dir), "bash  fish");
      assertStringIncludes(
        await zshTyped("llm --backend=appt\t", "apptainer", dir),
        "llm --backend=apptainer",
      );
      // Only the directory is offered, so it is inserted (zsh highlights the '/' after it).
      assertStringIncludes(await zshTyped("llm --ro a\t", "apps", dir), "llm --ro apps");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Completions fish gives for the command line `line`. */
async function fishComplete(line: string, cwd?: string): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "llm-fish-" });
  try {
    const file = join(dir, "llm.fish");
    await Deno.writeTextFile(file, script("fish"));
    const out = await run(
      ["fish", "--no-config", "-c", `source '${file}'; complete -C '${line}'`],
      cwd,
    );
    return out.split("\n").filter((l) => l !== "").map((l) => l.split("\t")[0]).sort();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "fish completes agents, option values and files",
  ignore: ignoreWithout("fish"),
  async fn() {
    assertEquals(await fishComplete("llm co"), subjects("co"));
    assertEquals(await fishComplete("llm --arch linux/am"), ["linux/amd64"]);
    assertEquals(await fishComplete("llm --backend=po"), ["--backend=podman"]);
    assertEquals(await fishComplete("llm completions "), ["bash", "fish", "zsh"]);
    const dir = await scratch();
    try {
      assertEquals(await fishComplete("llm --ro a", dir), ["apps/"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("llm completions prints the script for the named shell", async () => {
  const system = fakeSystem();
  assertEquals(await main(["completions", "bash"], system), 0);
  assertStringIncludes(system.out.join(""), "complete -F _llm llm");
  const zsh = fakeSystem();
  assertEquals(await main(["completions", "zsh"], zsh), 0);
  assert(zsh.out.join("").startsWith("#compdef llm\n"));
});

Deno.test("llm completions without a known shell is a usage error", async () => {
  for (const args of [[], ["tcsh"], ["bash", "zsh"]]) {
    const system = fakeSystem();
    assertEquals(await main(["completions", ...args], system), 2);
    assertMatch(
      system.err.join(""),
      /^llm: error: llm completions needs one shell: bash, zsh, fish/,
    );
  }
});

Deno.test("llm completions includes agents defined in the user's config file", async () => {
  const config = "/home/user/.config/llm/config.yaml";
  const system = fakeSystem({ files: [config] });
  setContent(system, config, "agents:\n  gemini:\n    command: [gemini]\n");
  assertEquals(await main(["completions", "bash"], system), 0, system.err.join(""));
  assertMatch(system.out.join(""), /'codex'\|'claude'\|'pi'\|'shell'\|'gemini'\) echo agent/);
});
