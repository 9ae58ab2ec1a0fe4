/**
 * The Slurm side of a plan, as text and argv: the array specification, the
 * batch script every array task runs, and the one `sbatch` command line
 * that submits it. Pure, so both are golden-tested.
 *
 * Options go on `sbatch`'s command line as argv rather than as `#SBATCH`
 * lines, so a path with spaces needs no quoting rules of sbatch's; the
 * script's header records that command line for a resubmission by hand.
 */
import { quoteArgv } from "../text/shell_words.ts";
import type { BatchPlan } from "./plan.ts";

/**
 * `--array` for `indices`: ranges folded (`0-5`, `1,3-4`), then `%P` when
 * `parallel` is given.
 *
 * @example
 * ```ts
 * import { arraySpec } from "./sbatch.ts";
 * arraySpec([0, 1, 2, 3, 4, 5], 2); // "0-5%2"
 * arraySpec([1, 3, 4]); // "1,3-4"
 * ```
 */
export function arraySpec(indices: readonly number[], parallel?: number): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",") + (parallel === undefined ? "" : `%${parallel}`);
}

/** Where the script of the first submission lives, relative to the results directory. */
export const SCRIPT_NAME = "sbatch.sh";

/**
 * The batch script: one line that runs task `$SLURM_ARRAY_TASK_ID` of the
 * plan with the same llm that planned it.
 *
 * @example
 * ```ts
 * import { sbatchScript } from "./sbatch.ts";
 * sbatchScript({ id: "b1", self: ["/opt/llm"], resultsDir: "/p/out", tasks: [], taskFile: "/p/t.yaml" });
 * // "#!/bin/bash\n# llm batch b1: 0 tasks from /p/t.yaml ...\nexec /opt/llm batch task /p/out \"$SLURM_ARRAY_TASK_ID\"\n"
 * ```
 */
export function sbatchScript(
  plan: Pick<BatchPlan, "id" | "self" | "resultsDir" | "tasks" | "taskFile">,
  submittedWith?: readonly string[],
): string {
  return [
    "#!/bin/bash",
    `# llm batch ${plan.id}: ${plan.tasks.length} tasks from ${plan.taskFile}`,
    "# Submitted by 'llm batch run --slurm'; each array task runs the task of its index,",
    "# with its logs, exit code and manifest under tasks/ of the results directory.",
    ...(submittedWith ? [`# Submitted with: ${quoteArgv(submittedWith)}`] : []),
    `exec ${quoteArgv([...plan.self, "batch", "task", plan.resultsDir])} "$SLURM_ARRAY_TASK_ID"`,
    "",
  ].join("\n");
}

/**
 * The `sbatch` argv that submits `indices` of `plan` as one array, with
 * `--parsable` so the job id is all it prints.
 *
 * @example
 * ```ts
 * import { sbatchArgv } from "./sbatch.ts";
 * sbatchArgv({ id: "b1", resultsDir: "/p/out", slurm: { gpus: "1" } }, [0, 1], "/p/out/sbatch.sh");
 * // ["sbatch", "--parsable", "--job-name=llm-batch-b1", "--array=0-1", "--chdir=/p/out",
 * //  "--output=/p/out/slurm/%A_%a.out", "--gres=gpu:1", "/p/out/sbatch.sh"]
 * ```
 */
export function sbatchArgv(
  plan: Pick<BatchPlan, "id" | "resultsDir" | "slurm" | "time" | "parallel">,
  indices: readonly number[],
  script: string,
): string[] {
  const s = plan.slurm;
  return [
    "sbatch",
    "--parsable",
    `--job-name=llm-batch-${plan.id}`,
    `--array=${arraySpec(indices, plan.parallel)}`,
    `--chdir=${plan.resultsDir}`,
    `--output=${plan.resultsDir}/slurm/%A_%a.out`,
    ...(plan.time !== undefined ? [`--time=${plan.time}`] : []),
    ...(s["cpus-per-task"] !== undefined ? [`--cpus-per-task=${s["cpus-per-task"]}`] : []),
    ...(s.mem !== undefined ? [`--mem=${s.mem}`] : []),
    ...(s.partition !== undefined ? [`--partition=${s.partition}`] : []),
    ...(s.account !== undefined ? [`--account=${s.account}`] : []),
    ...(s.gpus !== undefined ? [`--gres=${gres(s.gpus)}`] : []),
    script,
  ];
}

/** `--gpus 2` is `gpu:2`; a typed count (`a100:2`) is `gpu:a100:2`; `gpu:...` stays. */
function gres(gpus: string): string {
  return gpus.startsWith("gpu:") ? gpus : `gpu:${gpus}`;
}

/**
 * The job id in `sbatch --parsable` output (`1234` or `1234;cluster`), or
 * null when there is none.
 */
export function parseJobId(stdout: string): string | null {
  const line = stdout.trim().split("\n").at(-1)?.trim() ?? "";
  const m = /^(\d+)(?:;.*)?$/.exec(line);
  return m ? m[1] : null;
}
