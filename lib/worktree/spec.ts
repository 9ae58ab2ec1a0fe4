/**
 * `llm worktree list|rm`: its options and help; the implementation loads
 * only when it runs.
 */
import type { CommandSpec } from "../cli/command.ts";

/** The `worktree` command. */
export const WORKTREE_COMMAND: CommandSpec = {
  name: "worktree",
  summary: "List or remove the git worktrees that --worktree made (branches are kept)",
  usage: "worktree list|rm [--force] [NAME...]",
  options: [
    {
      name: "force",
      kind: "flag",
      help: "rm: remove a worktree even with uncommitted changes (they are lost).",
    },
  ],
  examples: [
    "llm --worktree=fix-login codex",
    "llm worktree list",
    "llm worktree rm fix-login && git branch -D llm/fix-login",
  ],
  load: () => import("./command.ts"),
};
