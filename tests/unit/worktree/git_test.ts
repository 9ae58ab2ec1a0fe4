import { assertEquals } from "../../_assert.ts";
import { prepareWorktree } from "../../../lib/worktree/git.ts";
import { fakeSystem } from "../../_fake_system.ts";

const TOP = "/home/user/repo";
const COMMON = `${TOP}/.git`;
const LOCK = `${COMMON}/llm-worktree.lock`;

function repoHost() {
  return fakeSystem({
    cwd: TOP,
    executables: ["git"],
    files: [`${TOP}/`, `${COMMON}/`],
    outputs: {
      [`git -C ${TOP} rev-parse --path-format=absolute`]: { stdout: `${TOP}\n${COMMON}\n` },
      // No such branch yet.
      [`git -C ${TOP} rev-parse --verify`]: { code: 1 },
    },
  });
}

Deno.test("prepareWorktree() waits while another launch makes a worktree, then adds its own and frees the lock", async () => {
  const system = repoHost();
  system.createExclusive(LOCK, "4242\n", 0o600);
  const adds = () => system.ran.filter((a) => a.includes("worktree") && a.includes("add")).length;
  const prepared = prepareWorktree(system, "one", undefined, "codex");
  await new Promise((r) => setTimeout(r, 120));
  // The other launch still holds the lock: nothing was added.
  assertEquals(adds(), 0);
  system.remove(LOCK);
  const w = await prepared;
  assertEquals([w.name, w.branch, w.created], ["one", "llm/one", true]);
  assertEquals(adds(), 1);
  assertEquals(system.stat(LOCK), null);
});

Deno.test("prepareWorktree() frees the lock when git fails", async () => {
  const system = fakeSystem({
    cwd: TOP,
    executables: ["git"],
    files: [`${TOP}/`, `${COMMON}/`],
    outputs: {
      [`git -C ${TOP} rev-parse --path-format=absolute`]: { stdout: `${TOP}\n${COMMON}\n` },
      [`git -C ${TOP} rev-parse --verify`]: { code: 1 },
      [`git -C ${TOP} worktree add`]: { code: 128, stderr: "fatal: no\n" },
    },
  });
  let message = "";
  try {
    await prepareWorktree(system, "one", undefined, "codex");
  } catch (e) {
    message = (e as Error).message;
  }
  assertEquals(
    message,
    `'git worktree add --quiet -b llm/one ${TOP}.worktrees/one HEAD' failed: fatal: no`,
  );
  assertEquals(system.stat(LOCK), null);
});

Deno.test("prepareWorktree() on a dry run takes no lock and adds nothing", async () => {
  const system = repoHost();
  system.createExclusive(LOCK, "4242\n", 0o600);
  const w = await prepareWorktree(system, "one", undefined, "codex", true);
  assertEquals(w.created, false);
  assertEquals(system.ran.some((a) => a.includes("add")), false);
});
