/**
 * The start-up rows of `deno task bench`: `llm --dry-run codex` against
 * Deno's own start of an empty script, run in turns in one go (so all see
 * the same machine load), as medians and the median of the per-round
 * ratios. The target is a ratio of at most 1.5. Two steps in between show
 * where the time goes: Deno's start with the llm task's flags and deno.json,
 * and the launch path's modules loaded without running them.
 *
 * Run alone: deno run -A tasks/_bench_startup.ts [RUNS]
 */

/** A bench table row: measure, value, target. */
export type Row = [string, string, string];

/** Wall time of one run of `argv`, in ms; throws when it fails. */
export async function timeRun(
  argv: readonly string[],
  env?: Record<string, string>,
  cwd?: string,
): Promise<number> {
  const start = performance.now();
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    env,
    cwd,
    stdout: "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - start;
  if (!out.success) {
    throw new Error(`${argv.join(" ")} failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return ms;
}

/** The median of `values` (not empty). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * `deno run` flags of deno.json's `llm` task (what `deno task llm` runs main.ts
 * with), so the bench measures llm as it is run: permissions,
 * `--unstable-lazy-dynamic-imports`, which loads a dynamic import's module
 * graph when it runs, as the compiled binary does, instead of at start, and
 * the V8 flags (tasks/compile.ts says why).
 */
export function llmTaskFlags(task: string): string[] {
  const words = task.split(/\s+/).filter(Boolean);
  if (words[0] !== "deno" || words[1] !== "run") throw new Error(`unexpected llm task: ${task}`);
  return words.slice(2).filter((w) => w.startsWith("-"));
}

/**
 * Each command's times and, per round, its time over the first command's:
 * `runs` rounds after one warm-up each, the order rotated every round so
 * that no command always runs first.
 */
export async function rounds(
  commands: readonly (readonly string[])[],
  runs: number,
): Promise<{ times: number[][]; ratios: number[][] }> {
  for (const c of commands) await timeRun(c);
  const times = commands.map(() => [] as number[]);
  const ratios = commands.map(() => [] as number[]);
  for (let r = 0; r < runs; r++) {
    const round: number[] = [];
    for (let k = 0; k < commands.length; k++) {
      const i = (k + r) % commands.length;
      round[i] = await timeRun(commands[i]);
    }
    round.forEach((t, i) => {
      times[i].push(t);
      ratios[i].push(t / round[0]);
    });
  }
  return { times, ratios };
}

/**
 * A script that imports what `llm --dry-run codex` imports (main.ts's modules,
 * then the launch's) and stops: the cost of loading the launch path's code
 * alone, without running any of it.
 */
export function launchPathImports(root: string): string {
  const url = (path: string) => JSON.stringify(new URL(path, `file://${root}/`).href);
  return [
    `import ${url("lib/cli/main.ts")};`,
    `import ${url("lib/system/real.ts")};`,
    `await import(${url("lib/commands/agent.ts")});`,
    "",
  ].join("\n");
}

/**
 * The rows: `llm --dry-run codex` run as the `llm` task does, against an
 * empty script (the target), and two steps between them: the empty script
 * under the llm task's flags and deno.json, and the launch path's modules
 * loaded but not run.
 */
export async function startupRows(root: string, runs: number): Promise<Row[]> {
  const deno = Deno.execPath();
  const config = JSON.parse(await Deno.readTextFile(`${root}/deno.json`));
  const flags = [...llmTaskFlags(config.tasks.llm), "--config", `${root}/deno.json`, "--quiet"];
  const dir = await Deno.makeTempDir({ prefix: "llm-bench-startup-" });
  try {
    await Deno.writeTextFile(`${dir}/empty.ts`, "");
    await Deno.writeTextFile(`${dir}/imports.ts`, launchPathImports(root));
    const m = await rounds([
      [deno, "run", "--quiet", `${dir}/empty.ts`],
      [deno, "run", ...flags, `${dir}/empty.ts`],
      [deno, "run", ...flags, `${dir}/imports.ts`],
      [deno, "run", ...flags, `${root}/main.ts`, "--dry-run", "codex"],
    ], runs);
    const ms = (i: number) => median(m.times[i]).toFixed(1);
    const ratio = (i: number) => median(m.ratios[i]).toFixed(2);
    return [
      ["deno run empty script, median ms", ms(0), ""],
      ["  the same with the llm task's flags and deno.json, median ms", ms(1), ""],
      ["  llm's launch path imported, not run, median ms", ms(2), ""],
      ["llm --dry-run codex (deno task llm), median ms", ms(3), ""],
      ["  empty script with the llm task's flags / deno empty script", ratio(1), ""],
      ["  launch path imported, not run / deno empty script", ratio(2), ""],
      ["llm --dry-run codex / deno empty script, median ratio", ratio(3), "<= 1.5"],
    ];
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const runs = Number(Deno.args[0] ?? 25);
  const rows = await startupRows(new URL("..", import.meta.url).pathname.replace(/\/$/, ""), runs);
  for (const r of rows) console.log(r.join(" | "));
}
