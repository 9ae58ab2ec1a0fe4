/**
 * A local batch plan of one task, for runTask() tests: `extra` on the plan,
 * `task` on its task.
 */
import type { BatchPlan, PlannedTask } from "../../../lib/batch/plan.ts";

export function oneTaskPlan(
  workspace: string,
  extra: Partial<BatchPlan> = {},
  task: Partial<PlannedTask> = {},
): BatchPlan {
  return {
    version: 1,
    id: "b1",
    created: "",
    taskFile: "/t.yaml",
    mode: "local",
    resultsDir: "/out",
    self: ["llm"],
    slurm: {},
    jobs: [],
    ...extra,
    tasks: [{
      index: 0,
      name: "a",
      dir: "tasks/0-a",
      agent: "shell",
      image: null,
      workspace,
      tags: [],
      argv: ["llm", "shell"],
      source: "t:1",
      ...task,
    }],
  };
}
