/**
 * `llm batch` figures for `deno task bench` (rows of its table):
 *
 * 1. A local batch of 20 trivial tasks (`shell -- true`) at `--parallel 2`
 *    against 20 sequential bare `podman run`s of the same image, as a ratio
 *    of wall times (rootful podman of the e2e set-up). Below 1 means the
 *    parallelism pays for llm's own start-up per task. Beside it the floor:
 *    the same bare runs two at a time, which no batch can beat (podman
 *    serialises part of each run on its locks).
 * 2. `llm batch run --slurm` of a 100-task array: wall time from start to
 *    the job id (one `sbatch`, never one per task), median of 5, on the
 *    set-up's single-node Slurm; each array is cancelled at once.
 *
 * Run alone: deno run -A tasks/bench_batch.ts (reads .e2e/state.json, or the
 * Slurm state named by LLM_E2E_SLURM_STATE).
 */
import { join } from "../lib/std/path.ts";
import { median } from "./_bench_startup.ts";
import type { E2EState } from "./e2e_setup.ts";
import type { SlurmState } from "./e2e_slurm.ts";

type Row = [string, string, string];

const REPO = join(new URL("..", import.meta.url).pathname);
const MAIN = join(REPO, "main.ts");
const LLM = [Deno.execPath(), "run", "--allow-all", "--quiet", MAIN];

async function timed(
  argv: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ ms: number; stdout: string }> {
  const start = performance.now();
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    env,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - start;
  const dec = new TextDecoder();
  if (!out.success && argv.includes("--slurm")) {
    throw new Error(`${argv.join(" ")} failed: ${dec.decode(out.stderr).trim()}`);
  }
  return { ms, stdout: dec.decode(out.stdout) };
}

/** A task file of `n` tasks `shell -- true`, each in its own workspace under `dir`. */
async function trivialTasks(dir: string, n: number): Promise<string> {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    await Deno.mkdir(join(dir, `w${i}`), { recursive: true });
    lines.push(JSON.stringify({ workspace: `w${i}`, agent: "shell", args: ["true"] }));
  }
  const file = join(dir, "tasks.jsonl");
  await Deno.writeTextFile(file, lines.join("\n") + "\n");
  return file;
}

async function localRows(state: E2EState): Promise<Row[]> {
  const work = await Deno.makeTempDir({ prefix: "llm-bench-batch-" });
  try {
    const env = { ...Deno.env.toObject(), ...state.podmanEnv, HOME: work };
    const tasks = await trivialTasks(work, 20);
    // Warm: the image and deno's module cache.
    await timed(["podman", "run", "--rm", state.image, "true"], env, work);
    await timed(
      [...LLM, "--image-name", state.image, "shell", "--", "true"],
      env,
      join(work, "w0"),
    );
    const ratios: number[] = [];
    const floors: number[] = [];
    let batchMs = 0;
    let bareMs = 0;
    for (let round = 0; round < 3; round++) {
      const results = join(work, `results-${round}`);
      const batch = await timed(
        [
          ...LLM,
          "batch",
          "run",
          tasks,
          "--parallel",
          "2",
          "--results",
          results,
          "--image-name",
          state.image,
          "--backend",
          "podman",
        ],
        env,
        work,
      );
      let bare = 0;
      for (let i = 0; i < 20; i++) {
        bare += (await timed(["podman", "run", "--rm", state.image, "true"], env, work)).ms;
      }
      // The floor: the same 20 bare runs two at a time, as the batch runs them.
      const t0 = performance.now();
      let left = 20;
      const lane = async () => {
        while (left-- > 0) await timed(["podman", "run", "--rm", state.image, "true"], env, work);
      };
      await Promise.all([lane(), lane()]);
      floors.push((performance.now() - t0) / bare);
      ratios.push(batch.ms / bare);
      batchMs += batch.ms / 3;
      bareMs += bare / 3;
    }
    return [
      [
        "llm batch: 20 x shell -- true at --parallel 2 / 20 sequential podman runs, median ratio",
        median(ratios).toFixed(3),
        "<= 0.6",
      ],
      [
        "  the floor: 20 bare podman runs 2 at a time / 20 sequential, median ratio",
        median(floors).toFixed(3),
        "",
      ],
      [
        "  (mean wall ms: batch / sequential podman runs)",
        `${batchMs.toFixed(0)} / ${bareMs.toFixed(0)}`,
        "",
      ],
    ];
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

async function slurmRows(state: E2EState, slurm: SlurmState, scratch: string): Promise<Row[]> {
  // Results must be on a path the nodes share: not /tmp.
  const work = await Deno.makeTempDir({ dir: scratch, prefix: "bench-batch-" });
  try {
    const env = {
      ...Deno.env.toObject(),
      ...state.podmanEnv,
      HOME: work,
      SLURM_CONF: slurm.slurmConf,
    };
    const tasks = await trivialTasks(work, 100);
    const times: number[] = [];
    for (let round = 0; round < 5; round++) {
      const r = await timed(
        [
          ...LLM,
          "batch",
          "run",
          tasks,
          "--slurm",
          "--results",
          join(work, `r${round}`),
          "--image-name",
          state.image,
          "--backend",
          "podman",
        ],
        env,
        work,
      );
      times.push(r.ms);
      // Only the submission is measured: the array goes at once.
      await new Deno.Command("scancel", { args: [r.stdout.trim()], env }).output();
    }
    return [[
      "llm batch run --slurm, 100-task array: ms to the job id, median of 5",
      median(times).toFixed(0),
      "< 1000",
    ]];
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

/** The batch rows of the bench table for the e2e set-up `state`. */
export async function batchRows(state: E2EState | null, scratch: string): Promise<Row[]> {
  const rows: Row[] = [];
  if (state && state.rootfulSkip === null) rows.push(...await localRows(state));
  else rows.push(["llm batch, local", "skipped", state?.rootfulSkip ?? "no e2e set-up"]);
  const slurmState = Deno.env.get("LLM_E2E_SLURM_STATE");
  const slurm: SlurmState | null = slurmState
    ? JSON.parse(Deno.readTextFileSync(slurmState))
    : state && "slurmSkip" in state
    ? state
    : null;
  if (state && slurm && slurm.slurmSkip === null) {
    rows.push(...await slurmRows(state, slurm, scratch));
  } else {rows.push([
      "llm batch, Slurm",
      "skipped",
      slurm?.slurmSkip ?? "no Slurm in the e2e set-up",
    ]);}
  return rows;
}

if (import.meta.main) {
  const { E2E_DIR } = await import("./e2e_setup.ts");
  const state = JSON.parse(Deno.readTextFileSync(join(E2E_DIR, "state.json"))) as E2EState;
  for (const r of await batchRows(state, Deno.args[0] ?? E2E_DIR)) console.log(r.join(" | "));
}
