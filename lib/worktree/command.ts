/**
 * `llm worktree list` and `llm worktree rm NAME`: tidying up after
 * `--worktree` sessions. Removing a worktree keeps its branch, so no commit
 * is lost and nothing is merged behind the user's back.
 */
import type { CommandContext } from "../cli/command.ts";
import { LlmError, UsageError } from "../errors.ts";
import { listSessions } from "../session/find.ts";
import type { System } from "../system/system.ts";
import { findRepository } from "./git.ts";
import { llmWorktrees, parseWorktreeList } from "./plan.ts";

/** Run `llm worktree`. */
export async function run({ options, args, system }: CommandContext): Promise<number> {
  const [verb, ...names] = args;
  if (verb === "list" && names.length === 0) return await list(system);
  if (verb === "rm" && names.length > 0) {
    return await remove(system, names, options.flags.has("force"));
  }
  throw new UsageError(
    verb === "rm"
      ? "llm worktree rm needs the NAME of a worktree (see 'llm worktree list')"
      : `llm worktree takes list or rm NAME (got '${args.join(" ")}')`,
  );
}

async function worktrees(system: System) {
  const repo = await findRepository(system, system.cwd);
  const out = await system.output(["git", "-C", repo.top, "worktree", "list", "--porcelain"]);
  if (out.code !== 0) throw new LlmError(`'git worktree list' failed: ${out.stderr.trim()}`);
  return { repo, entries: llmWorktrees(parseWorktreeList(out.stdout)) };
}

async function list(system: System): Promise<number> {
  const { entries } = await worktrees(system);
  const running = new Set(listSessions(system, false).map((v) => v.manifest.workspace));
  const rows = [
    ["NAME", "BRANCH", "HEAD", "SESSION", "PATH"],
    ...entries.map((e) => [
      e.name,
      `llm/${e.name}`,
      e.head.slice(0, 12),
      running.has(e.path) ? "running" : "-",
      e.path,
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  system.stdout(
    rows.map((r) => r.map((c, i) => i === r.length - 1 ? c : c.padEnd(widths[i])).join("  "))
      .join("\n") + "\n",
  );
  return 0;
}

async function remove(system: System, names: readonly string[], force: boolean): Promise<number> {
  const { repo, entries } = await worktrees(system);
  const running = listSessions(system, false);
  for (const name of names) {
    const entry = entries.find((e) => e.name === name);
    if (entry === undefined) {
      throw new LlmError(`no worktree named ${name} in this repository (see 'llm worktree list')`);
    }
    const session = running.find((v) => v.manifest.workspace === entry.path);
    if (session !== undefined) {
      throw new LlmError(
        `session ${session.manifest.name} is running in worktree ${name}; stop it first ` +
          `('llm stop ${session.manifest.name}')`,
      );
    }
    const argv = [
      "git",
      "-C",
      repo.top,
      "worktree",
      "remove",
      ...(force ? ["--force"] : []),
      entry.path,
    ];
    const out = await system.output(argv);
    if (out.code !== 0) {
      const why = out.stderr.trim().split("\n").at(-1) ?? "";
      throw new LlmError(
        `could not remove worktree ${name}: ${why}${
          /modified or untracked/.test(why)
            ? "; commit the changes, or give --force to lose them"
            : ""
        }`,
      );
    }
    system.stdout(`removed worktree ${name}; branch llm/${name} is kept\n`);
  }
  return 0;
}
