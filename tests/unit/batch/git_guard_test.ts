/**
 * Host-side git in a workspace the agent could write: pinned at planning,
 * run only while the repository's settings are unchanged, never with the
 * settings that run commands.
 */
import { assert, assertEquals } from "../../_assert.ts";
import { gitCommand, gitGuard, guardBroken } from "../../../lib/batch/git_guard.ts";
import { runTask } from "../../../lib/batch/task_run.ts";
import type { BatchPlan } from "../../../lib/batch/plan.ts";
import { addSymlink, type FakeSystem, fakeSystem, setContent } from "../../_fake_system.ts";
import { fakeProcesses } from "./_fake_processes.ts";
import { oneTaskPlan } from "./_one_task_plan.ts";

const W = "/home/user/w";

function repo(): FakeSystem {
  const system = fakeSystem({
    files: [`${W}/.git/HEAD`, `${W}/.git/objects/`],
    executables: ["git"],
    outputs: {
      "git -c core.fsmonitor=false -c core.hooksPath=/dev/null rev-parse": {
        stdout: "c0ffee\n",
      },
      "git -c core.fsmonitor=false -c core.hooksPath=/dev/null diff": { stdout: "+x\n" },
      "git -c core.fsmonitor=false -c core.hooksPath=/dev/null ls-files": { stdout: "new\n" },
    },
  });
  setContent(system, `${W}/.git/config`, "[core]\n\tbare = false\n");
  return system;
}

Deno.test("gitGuard() pins a workspace's own .git directory only", async () => {
  const system = repo();
  const guard = await gitGuard(system, W);
  assertEquals(guard?.gitDir, `${W}/.git`);
  assertEquals(guard?.digest.length, 64);
  assertEquals(await gitGuard(system, "/home/user"), null, "no repository");
  setContent(system, "/home/user/wt/.git", "gitdir: /elsewhere\n");
  assertEquals(await gitGuard(system, "/home/user/wt"), null, "a linked worktree's .git file");
  addSymlink(system, "/home/user/l/.git", `${W}/.git`);
  assertEquals(await gitGuard(system, "/home/user/l"), null, "a .git link");
});

Deno.test("guardBroken() notices changed settings and a replaced git directory", async () => {
  const system = repo();
  const guard = await gitGuard(system, W);
  assert(guard);
  assertEquals(await guardBroken(system, guard), null);
  setContent(system, `${W}/.git/config.worktree`, "[core]\n\tfsmonitor = /tmp/x\n");
  assertEquals(
    await guardBroken(system, guard),
    `git settings in ${W}/.git changed since the batch was planned (git would run what they name on the host)`,
  );
  system.files.delete(`${W}/.git/config.worktree`);
  assertEquals(await guardBroken(system, guard), null);
  setContent(system, `${W}/.git/config`, "[diff]\n\texternal = /tmp/x\n");
  assert(await guardBroken(system, guard));
  for (const p of [...system.files.keys()]) if (p.startsWith(`${W}/.git`)) system.files.delete(p);
  addSymlink(system, `${W}/.git`, "/elsewhere/.git");
  assertEquals(
    await guardBroken(system, guard),
    `${W}/.git is no longer the repository's own directory`,
  );
});

Deno.test("gitCommand() names the repository and turns off what runs commands", () => {
  assertEquals(gitCommand({ gitDir: `${W}/.git`, digest: "" }, ["diff"]), {
    argv: ["git", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "diff"],
    env: {
      GIT_DIR: `${W}/.git`,
      GIT_WORK_TREE: W,
      GIT_TERMINAL_PROMPT: "0",
      GIT_OPTIONAL_LOCKS: "0",
    },
  });
});

async function planFor(system: FakeSystem): Promise<BatchPlan> {
  const git = await gitGuard(system, W);
  assert(git);
  return oneTaskPlan(W, {}, { name: "w", dir: "tasks/0-w", git });
}

Deno.test("runTask() records the changes of an unchanged repository without external drivers", async () => {
  const system = repo();
  const plan = await planFor(system);
  const m = await runTask(system, fakeProcesses(system, { exitOf: () => 0 }), plan, plan.tasks[0]);
  assertEquals(m.git, { startCommit: "c0ffee", diff: "diff.patch", untracked: "untracked.txt" });
  const diff = system.ran.find((a) => a.includes("diff"));
  assertEquals(diff?.slice(5), [
    "diff",
    "--binary",
    "--no-ext-diff",
    "--no-textconv",
    "--ignore-submodules",
    "c0ffee",
    "--",
    ".",
  ]);
  assertEquals(system.readText("/out/tasks/0-w/diff.patch"), "+x\n");
  assertEquals(system.readText("/out/tasks/0-w/untracked.txt"), "new\n");
});

Deno.test("runTask() runs no git after the agent rewrote the repository's settings", async () => {
  const system = repo();
  const plan = await planFor(system);
  const procs = fakeProcesses(system, {
    exitOf: () => {
      setContent(system, `${W}/.git/config`, "[core]\n\tfsmonitor = ./pwn.sh\n");
      return 0;
    },
  });
  const m = await runTask(system, procs, plan, plan.tasks[0]);
  assertEquals(m.git, {
    startCommit: "c0ffee",
    notRecorded:
      `git settings in ${W}/.git changed since the batch was planned (git would run what they name on the host)`,
  });
  assertEquals(system.ran.filter((a) => a[0] === "git").map((a) => a[5]), ["rev-parse"]);
  assertEquals(system.readText("/out/tasks/0-w/diff.patch"), null);
});

Deno.test("runTask() runs no git at all when a retry finds the settings changed since planning", async () => {
  const system = repo();
  const plan = await planFor(system);
  setContent(system, `${W}/.git/config`, "[diff]\n\texternal = ./pwn.sh\n");
  const m = await runTask(system, fakeProcesses(system, { exitOf: () => 0 }), plan, plan.tasks[0]);
  assert(m.git?.notRecorded?.startsWith("git settings in"));
  assertEquals(system.ran.filter((a) => a[0] === "git"), []);
});
