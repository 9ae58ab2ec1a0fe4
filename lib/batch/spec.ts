/**
 * `llm batch`: the always-loaded half (name, options, help).
 */
import type { CommandSpec } from "../cli/command.ts";
import { GLOBAL_OPTIONS, type OptionDef } from "../cli/options.ts";

const IMAGE_OPTIONS = ["backend", "image-name", "tag", "network", "config"];

/** The options of `llm batch`; each subcommand accepts the ones it names. */
export const BATCH_OPTIONS: readonly OptionDef[] = [
  { name: "slurm", kind: "flag", help: "run: submit the tasks as one Slurm job array (sbatch)." },
  {
    name: "parallel",
    kind: "value",
    placeholder: "N",
    complete: "none",
    help: "run/retry: tasks at once (local default: CPUs/2, at least 1; Slurm: the array's %N).",
  },
  {
    name: "results",
    kind: "value",
    placeholder: "DIR",
    complete: "dir",
    help: "run: results directory, new or empty (default ./batch-NAME-DATE-TIME).",
  },
  {
    name: "agent",
    kind: "value",
    placeholder: "NAME",
    complete: "none",
    help: "run: agent of tasks that name none (codex, claude, pi, shell, or your own).",
  },
  {
    name: "time",
    kind: "value",
    placeholder: "LIMIT",
    complete: "none",
    help: "run: time limit per task, Slurm syntax (30, 1:30:00, 1-0); ended when reached.",
  },
  {
    name: "cpus-per-task",
    kind: "value",
    placeholder: "N",
    complete: "none",
    help: "run --slurm: sbatch --cpus-per-task.",
  },
  {
    name: "mem",
    kind: "value",
    placeholder: "SIZE",
    complete: "none",
    help: "run --slurm: sbatch --mem.",
  },
  {
    name: "partition",
    kind: "value",
    placeholder: "NAME",
    complete: "none",
    help: "run --slurm: sbatch --partition.",
  },
  {
    name: "account",
    kind: "value",
    placeholder: "NAME",
    complete: "none",
    help: "run --slurm: sbatch --account.",
  },
  {
    name: "gpus",
    kind: "value",
    placeholder: "N|TYPE:N",
    complete: "none",
    help: "run --slurm: GPUs per task, as sbatch --gres=gpu:N.",
  },
  { name: "failed", kind: "flag", help: "retry: only tasks that failed or timed out." },
  { name: "json", kind: "flag", help: "status: print the tasks as JSON." },
  ...GLOBAL_OPTIONS.filter((o) => IMAGE_OPTIONS.includes(o.name)),
];

/** `llm batch run|status|retry|cancel`. */
export const BATCH_COMMAND: CommandSpec = {
  name: "batch",
  summary: "Run many headless agent tasks, here or as a Slurm job array",
  usage: "batch run|status|retry|cancel TASKS|DIR [options]",
  options: BATCH_OPTIONS,
  examples: [
    "llm batch run tasks.yaml --parallel 2          # here, two at a time",
    "llm batch run tasks.yaml --slurm --time 1:00:00 --partition gpu --gpus 1",
    "llm batch status batch-tasks-20261202-101500   # then: retry --failed, cancel",
  ],
  load: () => import("./command.ts"),
};
