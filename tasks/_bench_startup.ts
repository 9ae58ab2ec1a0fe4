/**
 * The start-up rows of `deno task bench`: `llm --dry-run codex` against
 * Deno's own start of an empty script, run alternately in one go (so both
 * see the same machine load), as medians and the median of the per-pair
 * ratios. The target is a ratio of at most 1.5.
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

/** Both commands' times and the per-pair ratios, `runs` alternating pairs after one warm-up each. */
export async function alternate(
  a: readonly string[],
  b: readonly string[],
  runs: number,
): Promise<{ a: number[]; b: number[]; ratios: number[] }> {
  await timeRun(a);
  await timeRun(b);
  const out = { a: [] as number[], b: [] as number[], ratios: [] as number[] };
  for (let i = 0; i < runs; i++) {
    // Swap the order every other pair, so neither side always runs second.
    const first = i % 2 === 0;
    const x = first ? await timeRun(a) : 0;
    const y = await timeRun(b);
    const xa = first ? x : await timeRun(a);
    out.a.push(xa);
    out.b.push(y);
    out.ratios.push(xa / y);
  }
  return out;
}

/**
 * `deno run` flags of deno.json's `llm` task (what `deno task llm` runs main.ts
 * with), so the bench measures llm as it is run: permissions and
 * `--unstable-lazy-dynamic-imports`, which loads a dynamic import's module
 * graph when it runs, as the compiled binary does, instead of at start.
 */
export function llmTaskFlags(task: string): string[] {
  const words = task.split(/\s+/).filter(Boolean);
  if (words[0] !== "deno" || words[1] !== "run") throw new Error(`unexpected llm task: ${task}`);
  return words.slice(2).filter((w) => w.startsWith("-"));
}

/** The rows: `llm --dry-run codex` run as the `llm` task does, against an empty script. */
export async function startupRows(root: string, runs: number): Promise<Row[]> {
  const deno = Deno.execPath();
  const config = JSON.parse(await Deno.readTextFile(`${root}/deno.json`));
  const flags = llmTaskFlags(config.tasks.llm);
  const empty = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(empty, "");
    const llm = [deno, "run", ...flags, "--quiet", `${root}/main.ts`, "--dry-run", "codex"];
    const bare = [deno, "run", "--quiet", empty];
    const m = await alternate(llm, bare, runs);
    return [
      ["llm --dry-run codex (deno task llm), median ms", median(m.a).toFixed(1), ""],
      ["deno run empty script, median ms", median(m.b).toFixed(1), ""],
      [
        "llm --dry-run codex / deno empty script, median ratio",
        median(m.ratios).toFixed(2),
        "<= 1.5",
      ],
    ];
  } finally {
    await Deno.remove(empty);
  }
}

if (import.meta.main) {
  const runs = Number(Deno.args[0] ?? 25);
  const rows = await startupRows(new URL("..", import.meta.url).pathname.replace(/\/$/, ""), runs);
  for (const r of rows) console.log(r.join(" | "));
}
