import { assertEquals, assertThrows } from "../../_assert.ts";
import { LlmError, UsageError } from "../../../lib/errors.ts";
import {
  llmWorktrees,
  parseWorktreeList,
  worktreeAction,
  worktreeMounts,
  worktreeName,
  worktreePath,
} from "../../../lib/worktree/plan.ts";

const NONE = { registered: false, pathExists: false, branchExists: false, dirty: false };

Deno.test("worktreeName(): --worktree=NAME, else --name, else agent and random digits", () => {
  const r = new Uint8Array([0x3f, 0x2a]);
  assertEquals(worktreeName("fix", "other", "codex", r), "fix");
  assertEquals(worktreeName("", "other", "codex", r), "other");
  assertEquals(worktreeName("", undefined, "codex", r), "codex-3f2a");
  assertThrows(
    () => worktreeName("a b", undefined, "codex", r),
    UsageError,
    "--worktree 'a b' is not a valid session name",
  );
});

Deno.test("worktreePath() puts worktrees beside the repository", () => {
  assertEquals(worktreePath("/src/app", "fix"), "/src/app.worktrees/fix");
});

Deno.test("worktreeAction(): create, add for an existing branch, reuse a clean one", () => {
  assertEquals(worktreeAction("fix", "/p", NONE), "create");
  assertEquals(worktreeAction("fix", "/p", { ...NONE, branchExists: true }), "add-existing-branch");
  assertEquals(
    worktreeAction("fix", "/p", {
      ...NONE,
      registered: true,
      pathExists: true,
      branchExists: true,
    }),
    "reuse",
  );
});

Deno.test("worktreeAction() refuses a dirty worktree and a foreign path", () => {
  assertThrows(
    () =>
      worktreeAction("fix", "/p", {
        registered: true,
        pathExists: true,
        branchExists: true,
        dirty: true,
      }),
    LlmError,
    "worktree fix (/p) has uncommitted changes; commit or discard them there, remove it with " +
      "'llm worktree rm fix', or choose another --worktree=NAME",
  );
  assertThrows(
    () => worktreeAction("fix", "/p", { ...NONE, pathExists: true }),
    LlmError,
    "/p exists but is not the worktree of branch llm/fix; move it away or choose another --worktree=NAME",
  );
});

Deno.test("worktreeMounts(): the git directory read-only, writable only where a commit on llm/NAME writes", () => {
  assertEquals(
    worktreeMounts("/r/.git", "fix").map((
      m,
    ) => [m.kind === "bind" ? m.source : "", m.target, m.kind === "bind" && m.readOnly]),
    [
      ["/r/.git", "/r/.git", true],
      ["/r/.git/objects", "/r/.git/objects", false],
      ["/r/.git/refs/heads/llm", "/r/.git/refs/heads/llm", false],
      ["/r/.git/logs/refs/heads/llm", "/r/.git/logs/refs/heads/llm", false],
      ["/r/.git/worktrees/fix", "/r/.git/worktrees/fix", false],
    ],
  );
});

Deno.test("parseWorktreeList() and llmWorktrees() keep llm's worktrees with their names", () => {
  const porcelain = "worktree /r\nHEAD aaa\nbranch refs/heads/main\n\n" +
    "worktree /r.worktrees/fix\nHEAD bbb\nbranch refs/heads/llm/fix\n\n" +
    "worktree /tmp/x\nHEAD ccc\ndetached\n";
  const all = parseWorktreeList(porcelain);
  assertEquals(all.length, 3);
  assertEquals(all[2].branch, null);
  assertEquals(llmWorktrees(all), [{
    path: "/r.worktrees/fix",
    head: "bbb",
    branch: "refs/heads/llm/fix",
    name: "fix",
  }]);
});
