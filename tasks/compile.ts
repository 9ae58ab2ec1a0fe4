/**
 * `deno task compile`: build one self-contained `llm` binary per target into
 * `dist/llm-<target>`, with only the permissions the tool needs and the
 * version from deno.json embedded (main.ts imports deno.json), then write
 * `dist/SHA256SUMS` in the format `sha256sum -c` reads.
 *
 * Usage:
 *   deno task compile [--target TRIPLE]... [--out DIR] [--expect-version X.Y.Z] [--deno PATH]
 *
 * `deno compile` downloads Deno's runtime (denort) for each target from
 * dl.deno.land; where that is unreachable the task fails with one line
 * naming `DENORT_BIN` instead of Deno's stack trace.
 */
import denoJson from "../deno.json" with { type: "json" };
import { LlmError, UsageError } from "../lib/errors.ts";
import type { OptionDef } from "../lib/cli/options.ts";
import { parseOptions } from "../lib/cli/parse.ts";
import { basename, join } from "../lib/std/path.ts";

/** The targets released, in the order they are built. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-apple-darwin",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
] as const;

/**
 * What the compiled binary may do: read and write files (workspace, credentials),
 * read the environment, run the container runtime, read host facts (OS, uid).
 * The same list as the `llm` task in deno.json; a test keeps them equal.
 * `--no-prompt` makes a missing permission an error instead of a question.
 */
export const PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-run",
  "--allow-sys",
  "--allow-net",
] as const;

/**
 * V8 flags built into the binary, as the `llm` task passes them (a test keeps
 * them equal). `--no-lazy` compiles each module's functions when the module
 * is compiled, not at their first call, so Deno's code cache, which V8 writes
 * right after a module's compilation, holds them all: a start with a warm
 * cache compiles nothing. Without it a dry run compiled about 13 ms of
 * functions on every start; measured with it, `llm --dry-run codex` starts
 * about 6 ms sooner, no command is slower and the peak memory is the same.
 * Only a start with a cold cache (the first after an upgrade) pays about 2 ms.
 */
export const V8_FLAGS = ["--v8-flags=--no-lazy"] as const;

/** The version that gets embedded: deno.json's. */
export const VERSION: string = denoJson.version;

/** Options of the compile task. */
export const COMPILE_OPTIONS: readonly OptionDef[] = [
  { name: "target", kind: "list", placeholder: "TRIPLE", help: "Build only this target." },
  { name: "out", kind: "value", placeholder: "DIR", help: "Output directory (default dist)." },
  {
    name: "expect-version",
    kind: "value",
    placeholder: "X.Y.Z",
    help: "Fail unless deno.json's version is this (a leading v is ignored).",
  },
  { name: "deno", kind: "value", placeholder: "PATH", help: "The deno to run (default this one)." },
];

/** File name of the binary for `target`. */
export function binaryName(target: string): string {
  return `llm-${target}`;
}

/**
 * The `deno compile` argv for one target.
 *
 * @example
 * ```ts
 * import { compileArgv } from "./compile.ts";
 * compileArgv("deno", "aarch64-apple-darwin", "dist").at(-1); // "main.ts"
 * ```
 */
export function compileArgv(deno: string, target: string, outDir: string): string[] {
  return [
    deno,
    "compile",
    ...PERMISSIONS,
    ...V8_FLAGS,
    "--no-prompt",
    "--target",
    target,
    "--output",
    join(outDir, binaryName(target)),
    "main.ts",
  ];
}

// deno colours its errors even into a pipe.
// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * Turn a failed `deno compile`'s stderr into one line. A runtime download
 * failure (or a bad DENORT_BIN) says how to get past it.
 */
export function explainCompileFailure(stderr: string, target: string): string {
  const lines = stderr.replace(ANSI, "").split("\n").map((l) => l.trim());
  const causes = lines
    .map((l) => /^\d+: (.*)$/.exec(l)?.[1])
    .filter((c): c is string => c !== undefined && c !== "Setting up base binary.");
  const errorLine = lines.find((l) => l.startsWith("error:"))?.slice("error:".length).trim();
  const cause = causes[0] ?? errorLine ?? "no error message";
  if (/denort|dl\.deno\.land|Setting up base binary/.test(stderr)) {
    return `deno compile could not get its runtime (denort) for ${target}: ${cause}; ` +
      `build where dl.deno.land is reachable (the release workflow does), ` +
      `or set DENORT_BIN to a denort binary for ${target}`;
  }
  return `deno compile failed for ${target}: ${cause}`;
}

/** One `sha256sum`-format line per file, sorted by name. */
export async function sha256sums(
  files: readonly { name: string; bytes: Uint8Array }[],
): Promise<string> {
  const lines: string[] = [];
  for (const f of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
    const digest = await crypto.subtle.digest("SHA-256", f.bytes as Uint8Array<ArrayBuffer>);
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    lines.push(`${hex}  ${f.name}\n`);
  }
  return lines.join("");
}

/** Check `--target` values and `--expect-version`; returns the targets to build. */
export function plannedTargets(targets: readonly string[]): string[] {
  for (const t of targets) {
    if (!(TARGETS as readonly string[]).includes(t)) {
      throw new UsageError(`unknown target '${t}': expected one of ${TARGETS.join(", ")}`);
    }
  }
  return targets.length > 0 ? [...new Set(targets)] : [...TARGETS];
}

/** Fail when the release tag and deno.json disagree, before any work. */
export function checkVersion(expected: string | undefined, actual: string = VERSION): void {
  if (expected === undefined) return;
  const want = expected.replace(/^v/, "");
  if (want !== actual) {
    throw new LlmError(
      `deno.json has version ${actual} but ${want} was expected (release tag v${want}); ` +
        `set "version": "${want}" in deno.json`,
    );
  }
}

async function compileAll(args: readonly string[]): Promise<void> {
  const { options, rest } = parseOptions(args, COMPILE_OPTIONS, {
    stopAtPositional: false,
    command: "deno task compile",
  });
  if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
  checkVersion(options.values.get("expect-version"));
  const targets = plannedTargets(options.lists.get("target") ?? []);
  const outDir = options.values.get("out") ?? "dist";
  const deno = options.values.get("deno") ?? Deno.execPath();
  await Deno.mkdir(outDir, { recursive: true });
  const built: { name: string; bytes: Uint8Array }[] = [];
  for (const target of targets) {
    const [cmd, ...cmdArgs] = compileArgv(deno, target, outDir);
    let out: Deno.CommandOutput;
    try {
      out = await new Deno.Command(cmd, { args: cmdArgs, stdin: "null" }).output();
    } catch (e) {
      throw new LlmError(`cannot run ${cmd}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!out.success) {
      throw new LlmError(explainCompileFailure(new TextDecoder().decode(out.stderr), target));
    }
    const path = join(outDir, binaryName(target));
    const bytes = await Deno.readFile(path);
    built.push({ name: basename(path), bytes });
    console.log(`built ${path} (llm ${VERSION}, ${(bytes.length / 1e6).toFixed(1)} MB)`);
  }
  const sums = join(outDir, "SHA256SUMS");
  await Deno.writeTextFile(sums, await sha256sums(built));
  console.log(`wrote ${sums}`);
}

if (import.meta.main) {
  try {
    await compileAll(Deno.args);
  } catch (e) {
    if (!(e instanceof LlmError)) throw e;
    console.error(`compile: error: ${e.message}`);
    Deno.exit(e.exitCode);
  }
}
