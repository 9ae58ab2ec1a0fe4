/**
 * The docs agree with the program: every `llm ...` line in the shell code
 * blocks of docs/*.md and README.md parses with the real parser (options,
 * commands, fixed values and positional words exist, no llm option sits
 * after an agent's name), and the few facts the docs state about the
 * runtimes' arguments match what the code produces.
 */
import { commandCommonOptions, GLOBAL_OPTIONS } from "../../lib/cli/options.ts";
import { misplacedOption, parseOptions } from "../../lib/cli/parse.ts";
import { findCommand } from "../../lib/cli/registry.ts";
import { positionalWords } from "../../lib/commands/completions.ts";
import { environmentLayer } from "../../lib/config/environment_layer.ts";
import { BUILTIN_AGENTS } from "../../lib/launch/agents.ts";
import { parseMountSpec } from "../../lib/launch/mounts.ts";
import { podmanUserArgs } from "../../lib/runtime/podman.ts";
import { singularityCommand } from "../../lib/runtime/singularity.ts";
import { join } from "../../lib/std/path.ts";
import { parse as parseYaml } from "../../lib/std/yaml.ts";
import { splitShellWords } from "../../lib/text/shell_words.ts";
import { planFor } from "./launch/_plan.ts";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "../_assert.ts";

const REPO = new URL("../../", import.meta.url).pathname;

function markdownFiles(): string[] {
  const docs = [...Deno.readDirSync(join(REPO, "docs"))]
    .filter((e) => e.isFile && e.name.endsWith(".md"))
    .map((e) => join("docs", e.name));
  return ["README.md", ...docs].sort();
}

function read(file: string): string {
  return Deno.readTextFileSync(join(REPO, file));
}

const SHELL_BLOCKS = new Set(["bash", "sh", "shell", "console", "zsh", "fish"]);

/** The code blocks of `markdown` with their language tag. */
function codeBlocks(markdown: string): { tag: string; body: string }[] {
  return [...markdown.matchAll(/^```([^\n]*)\n([\s\S]*?)^```/gm)]
    .map((m) => ({ tag: m[1].trim(), body: m[2] }));
}

/** The text of a command up to the first unquoted shell operator or comment. */
function cutAtOperator(text: string): string {
  let quote = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = "";
      else if (c === "\\" && quote === '"') i++;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === "\\") {
      i++;
    } else if ("|;&<>)".includes(c) || (c === "#" && /\s/.test(text[i - 1] ?? " "))) {
      return text.slice(0, i);
    }
  }
  return text;
}

/**
 * The argv after `llm` of every llm command in the shell code blocks of
 * `markdown`: at the start of a line (after an optional `$ ` prompt) or in a
 * `$(...)` substitution.
 */
function llmCommands(markdown: string): string[][] {
  const found: string[][] = [];
  for (const block of codeBlocks(markdown)) {
    if (!SHELL_BLOCKS.has(block.tag)) continue;
    const lines = block.body.replace(/\\\n/g, " ").split("\n");
    for (const line of lines) {
      for (const m of line.matchAll(/(?:^\s*(?:\$\s+)?|\$\()llm(?=\s|$|\))/g)) {
        const start = (m.index ?? 0) + m[0].length - "llm".length;
        found.push(splitShellWords(cutAtOperator(line.slice(start))).slice(1));
      }
    }
  }
  return found;
}

/** Agents defined in the YAML blocks of `markdown` (`agents:` keys), as a config file would add. */
function agentsDefinedIn(markdown: string): string[] {
  const names: string[] = [];
  for (const block of codeBlocks(markdown)) {
    if (block.tag !== "yaml") continue;
    try {
      const doc = parseYaml(block.body) as { agents?: Record<string, unknown> } | null;
      names.push(...Object.keys(doc?.agents ?? {}));
    } catch {
      // A fragment, not a whole file: it defines nothing.
    }
  }
  return names;
}

/**
 * Why `args` (the words after `llm`) would not run as written, or undefined.
 * The same steps as lib/cli/main.ts: llm's options, then an agent (its
 * arguments are the agent's), `help`, or a command with its options and the
 * positional words its usage line allows.
 */
function problem(args: readonly string[], agents: readonly string[]): string | undefined {
  try {
    const { options, rest } = parseOptions(args, GLOBAL_OPTIONS);
    const name = rest[0];
    if (name === undefined) {
      const alone = options.flags.has("help") || options.flags.has("version");
      return alone ? undefined : "no agent or command";
    }
    if (agents.includes(name)) return misplacedOption(name, rest.slice(1));
    if (name === "help") {
      const topic = rest[1];
      if (rest.length > 2) return "llm help takes one topic";
      const known = topic === undefined || topic === "help" || agents.includes(topic) ||
        findCommand(topic) !== undefined;
      return known ? undefined : `no help for '${topic}'`;
    }
    const spec = findCommand(name);
    if (spec === undefined) return `unknown agent or command '${name}'`;
    const passthrough = spec.positionals === "passthrough";
    const parsed = parseOptions(rest.slice(1), [...spec.options, ...commandCommonOptions(name)], {
      stopAtPositional: passthrough,
      command: `llm ${name}`,
    });
    const allowed = positionalWords(spec.usage, [...agents]);
    if (allowed !== undefined && !passthrough) {
      const checked = allowed.repeat ? parsed.rest : parsed.rest.slice(0, 1);
      const bad = checked.find((w) => !allowed.words.includes(w));
      if (bad !== undefined) return `'${bad}' is not one of ${allowed.words.join(", ")}`;
    }
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

const BUILTIN = BUILTIN_AGENTS.map((a) => a.name);

Deno.test("llmCommands() finds llm lines, prompts and $(...) in shell blocks only", () => {
  const text = [
    "```bash",
    "llm codex                     # a comment",
    "$ llm --mount ~/d:/d:ro pi -p 'a | b'",
    'eval "$(llm completions bash)"',
    "echo 'eval \"$(llm completions zsh)\"' >> ~/.zshrc",
    "llm doctor --json | jq .",
    "llm --dry-run \\",
    "  shell",
    "llm: error: not a command",
    "```",
    "```",
    "llm [options] <agent>",
    "```",
  ].join("\n");
  assertEquals(llmCommands(text), [
    ["codex"],
    ["--mount", "~/d:/d:ro", "pi", "-p", "a | b"],
    ["completions", "bash"],
    ["completions", "zsh"],
    ["doctor", "--json"],
    ["--dry-run", "shell"],
  ]);
});

Deno.test("problem() catches what llm would refuse or misread", () => {
  const bad = [
    ["--dryrun", "codex"],
    ["--backend", "podmn", "codex"],
    ["codx"],
    ["codex", "--dry-run"],
    ["pull", "--nope"],
    ["completions", "tcsh"],
    ["pull", "codex", "gpt"],
    ["config", "shwo"],
    ["doctor", "--dry-run"],
    ["--verbose"],
    ["help", "nothing"],
  ];
  for (const args of bad) assert(problem(args, BUILTIN) !== undefined, args.join(" "));
  const good = [
    ["codex", "--help"],
    ["--dry-run", "shell", "--", "ls", "-la"],
    ["conda", "env", "list", "--json"],
    ["help", "codex"],
    ["--version"],
    ["config", "show", "--json"],
  ];
  for (const args of good) assertEquals(problem(args, BUILTIN), undefined, args.join(" "));
});

Deno.test("the docs' shell blocks hold many llm commands (the extractor finds them)", () => {
  const total = markdownFiles().reduce((n, f) => n + llmCommands(read(f)).length, 0);
  assert(total >= 50, `only ${total} llm commands found in the docs`);
});

for (const file of markdownFiles()) {
  Deno.test(`every llm command in ${file} parses`, () => {
    const text = read(file);
    const agents = [...BUILTIN, ...agentsDefinedIn(text)];
    const failures = llmCommands(text)
      .map((args) => [args, problem(args, agents)] as const)
      .filter(([, p]) => p !== undefined)
      .map(([args, p]) => `llm ${args.join(" ")}: ${p}`);
    assertEquals(failures, [], `${file} has command lines llm would refuse or misread`);
  });
}

Deno.test("launcher.md names the user mapping rootless podman really gets", () => {
  const facts = {
    executable: "podman",
    tty: false,
    uid: 1000,
    gid: 1000,
    os: "linux",
    scratch: "/t",
  };
  const userns = podmanUserArgs(facts).find((a) => a.startsWith("--userns="));
  assert(userns !== undefined);
  const text = read("docs/launcher.md");
  assertStringIncludes(text, `\`${userns}\``);
  for (const m of text.matchAll(/--userns=[^\s`)]+/g)) assertEquals(m[0], userns);
});

Deno.test("launcher.md and getting-started-hpc.md name the isolation flag singularity really gets", () => {
  const argv = singularityCommand(planFor(["codex"]), {
    executable: "singularity",
    tty: false,
    uid: 1000,
    gid: 1000,
    os: "linux",
    scratch: "/t",
  }).argv;
  const contain = argv.filter((a) => a.startsWith("--contain"));
  assertEquals(contain.length, 1, argv.join(" "));
  // runtimes.md may explain what --containall implies; these two say what llm passes.
  for (const file of ["docs/launcher.md", "docs/getting-started-hpc.md"]) {
    const text = read(file);
    assertStringIncludes(text, `\`${contain[0]}\``, file);
    for (const m of text.matchAll(/--(?:contain[\w-]*|cleanenv)/g)) {
      assertEquals(m[0], contain[0], `${file} names an isolation flag llm does not pass`);
    }
  }
});

Deno.test("troubleshooting.md's cause of an empty mount spec reproduces it", () => {
  const row = read("docs/troubleshooting.md").split("\n")
    .find((l) => l.startsWith("| `empty mount spec"));
  assert(row !== undefined, "the empty mount spec row is gone");
  const example = row.match(/`LLM_DEVCONTAINER_MOUNTS=(["'])(.*?)\1`/);
  assert(example !== null, `the row gives no LLM_DEVCONTAINER_MOUNTS example: ${row}`);
  const specs = environmentLayer({ LLM_DEVCONTAINER_MOUNTS: example[2] }).lists.get("mount") ?? [];
  assert(specs.length > 0, example[2]);
  assertThrows(() => specs.forEach(parseMountSpec), Error, "empty mount spec");
  // What the row used to blame: several spaces between specs are fine.
  assertEquals(environmentLayer({ LLM_DEVCONTAINER_MOUNTS: "/a  /b" }).lists.get("mount"), [
    "/a",
    "/b",
  ]);
});
