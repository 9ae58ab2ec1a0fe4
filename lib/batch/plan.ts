/**
 * The batch planner: from a parsed task file, the command line and a few
 * host facts to the plan that `batch.json` records. Pure: each task's argv
 * (a normal headless `llm` launch), its result directory, its workspace.
 *
 * Precedence for shared settings: the task file's < the command line's;
 * a task's own `agent`, `mounts` and `env` go on top of the shared ones.
 */
import { LlmError, UsageError } from "../errors.ts";
import { basename, dirname, isAbsolute, join, resolve } from "../std/path.ts";
import { closest } from "../text/suggest.ts";
import type { GitGuard } from "./git_guard.ts";
import { SLURM_KEYS, type TaskEntry, type TaskFile } from "./taskfile.ts";
import { parseSlurmTime } from "./time.ts";

/** Version of the `batch.json` layout. */
export const PLAN_VERSION = 1;

/** Where a batch runs. */
export type BatchMode = "local" | "slurm";

/** One Slurm submission (the first run, or a retry). */
export interface SlurmJob {
  readonly id: string;
  /** The task indices the array holds. */
  readonly indices: readonly number[];
  readonly submitted: string;
}

/** One planned task. */
export interface PlannedTask {
  readonly index: number;
  readonly name: string;
  /** Result directory, relative to the results directory (`tasks/3-name`). */
  readonly dir: string;
  readonly agent: string;
  /** The image asked for, or null for the agent's default. */
  readonly image: string | null;
  /** Absolute workspace directory (for `repo`, the clone's place). */
  readonly workspace: string;
  /** Git URL or path cloned into `workspace` before the batch starts. */
  readonly repo?: string;
  readonly tags: readonly string[];
  /**
   * The whole launch: the llm invocation, llm's options, the agent and its
   * arguments. Variables appear by name only (`--env=NAME`): their values
   * are in `env`, given to the launch in its environment, never on an argv
   * another user of the node could read in /proc.
   */
  readonly argv: readonly string[];
  /** Values of the task's variables, for the launch's environment (absent in older plans). */
  readonly env?: Readonly<Record<string, string>>;
  /** Where the task is written, for messages (`tasks.yaml:12`). */
  readonly source: string;
  /** The workspace's repository as planned, when it has one (see git_guard.ts). */
  readonly git?: GitGuard;
}

/** What `batch.json` holds. */
export interface BatchPlan {
  readonly version: number;
  readonly id: string;
  readonly created: string;
  readonly taskFile: string;
  readonly mode: BatchMode;
  readonly resultsDir: string;
  /** How this llm runs itself (`deno run ... main.ts`, or the compiled binary). */
  readonly self: readonly string[];
  /** Per-task time limit as written (Slurm syntax), and in seconds. */
  readonly time?: string;
  readonly timeSeconds?: number;
  /** Tasks run at once (local), or the array's `%P` throttle (Slurm); absent: no throttle. */
  readonly parallel?: number;
  /** Slurm options: partition, account, cpus-per-task, mem, gpus. */
  readonly slurm: Readonly<Record<string, string>>;
  readonly jobs: readonly SlurmJob[];
  readonly tasks: readonly PlannedTask[];
}

/** Settings given on the `llm batch run` command line (they win over the task file's). */
export interface CommandLineSettings {
  readonly agent?: string;
  readonly image?: string;
  readonly tag?: string;
  readonly backend?: string;
  readonly network?: string;
  readonly time?: string;
  readonly config?: string;
  readonly parallel?: number;
  readonly slurm: Readonly<Record<string, string>>;
}

/** Inputs of `planBatch`. */
export interface PlanInput {
  readonly file: TaskFile;
  /** Absolute path of the task file (relative workspaces start at its directory). */
  readonly taskFile: string;
  readonly resultsDir: string;
  readonly id: string;
  readonly created: string;
  readonly mode: BatchMode;
  readonly self: readonly string[];
  /** Every agent a launch knows (built-in and user-defined). */
  readonly agents: readonly string[];
  readonly cli: CommandLineSettings;
  /** The `--network` policies this llm's launches take (none: no such option). */
  readonly networks: readonly string[];
  /** Kind of a path, symlinks followed; null when absent. */
  stat(path: string): "file" | "dir" | "other" | null;
  /** Canonical path, or null when absent. */
  realPath(path: string): string | null;
}

/** Agents whose headless form llm knows: the arguments that run `prompt` once. */
const HEADLESS: Readonly<Record<string, (prompt: string) => string[]>> = {
  codex: (p) => ["exec", p],
  claude: (p) => ["-p", p],
  pi: (p) => ["-p", p],
  shell: (p) => ["--", p],
};

/**
 * Plan a batch. Throws `LlmError` naming `file:line` for a task that cannot
 * run: no or a missing workspace, one used twice, an unknown agent.
 *
 * @example
 * ```ts
 * import { planBatch } from "./plan.ts";
 * const plan = planBatch({
 *   file: { path: "t.yaml", settings: { mounts: [], env: {}, slurm: {} }, tasks: [
 *     { line: 2, workspace: "a", prompt: "true", mounts: [], env: {}, tags: [] },
 *   ] },
 *   taskFile: "/w/t.yaml", resultsDir: "/w/out", id: "b1", created: "2026-01-01T00:00:00Z",
 *   mode: "local", self: ["llm"], agents: ["shell"], networks: ["open", "allow", "none"],
 *   cli: { agent: "shell", slurm: {} },
 *   stat: () => "dir", realPath: (p) => p,
 * });
 * plan.tasks[0].argv; // ["llm", "shell", "--", "true"]
 * ```
 */
export function planBatch(input: PlanInput): BatchPlan {
  const { file, cli } = input;
  const base = dirname(input.taskFile);
  const shared = file.settings;
  const time = cli.time ?? shared.time;
  const timeSeconds = time === undefined
    ? undefined
    : parseSlurmTime(time, cli.time ? "--time" : `${file.path}: time`);
  const network = cli.network ?? shared.network;
  if (network !== undefined && !input.networks.includes(network)) {
    throw new UsageError(
      `${cli.network ? "--network" : `${file.path}: network`} '${network}': use one of ${
        input.networks.join(", ")
      }`,
    );
  }
  const slurm: Record<string, string> = {};
  for (const k of SLURM_KEYS) {
    const v = cli.slurm[k] ?? shared.slurm[k];
    if (v !== undefined) slurm[k] = v;
  }
  const seen = new Map<string, string>();
  const names = new Map<string, string>();
  const tasks = file.tasks.map((entry, index): PlannedTask => {
    const source = `${file.path}:${entry.line}`;
    const agent = entry.agent ?? cli.agent ?? shared.agent;
    if (agent === undefined) {
      throw new LlmError(
        `${source}: no agent: set 'agent:' in the task file or pass --agent (${
          input.agents.join(", ")
        })`,
      );
    }
    if (!input.agents.includes(agent)) {
      const near = closest(agent, input.agents);
      throw new LlmError(
        `${source}: unknown agent '${agent}'${near ? `: did you mean '${near}'?` : ""} (agents: ${
          input.agents.join(", ")
        })`,
      );
    }
    const workspace = taskWorkspace(entry, index, base, input, source);
    if (entry.repo === undefined) {
      const key = input.realPath(workspace) ?? workspace;
      const other = seen.get(key);
      if (other !== undefined) {
        throw new LlmError(
          `${source}: workspace ${workspace} is also the workspace of ${other}: tasks would ` +
            `overwrite each other's changes; give each task its own directory (or use 'repo:' to clone)`,
        );
      }
      seen.set(key, source);
    }
    const name = entry.name ?? slug(entry.repo ? repoName(entry.repo) : basename(workspace));
    if (entry.name !== undefined) {
      const other = names.get(entry.name);
      if (other !== undefined) {
        throw new LlmError(`${source}: name '${entry.name}' is also used at ${other}`);
      }
      names.set(entry.name, source);
    }
    const agentArgs = argsFor(agent, entry, source);
    const image = cli.image ?? shared.image ?? null;
    const tag = cli.tag ?? shared.tag;
    const backend = cli.backend ?? shared.backend;
    const env = { ...shared.env, ...entry.env };
    const argv = [
      ...input.self,
      ...(cli.config ? [`--config=${cli.config}`] : []),
      ...(backend ? [`--backend=${backend}`] : []),
      ...(image ? [`--image-name=${image}`] : []),
      ...(tag ? [`--tag=${tag}`] : []),
      ...(network ? [`--network=${network}`] : []),
      ...[...shared.mounts, ...entry.mounts].map((m) => `--mount=${mountFrom(m, base)}`),
      ...Object.keys(env).map((k) => `--env=${k}`),
      agent,
      ...agentArgs,
    ];
    return {
      index,
      name,
      dir: `tasks/${index}-${slug(name)}`,
      agent,
      image,
      workspace,
      ...(entry.repo ? { repo: repoSource(entry.repo, base) } : {}),
      tags: entry.tags,
      argv,
      env,
      source,
    };
  });
  return {
    version: PLAN_VERSION,
    id: input.id,
    created: input.created,
    taskFile: input.taskFile,
    mode: input.mode,
    resultsDir: input.resultsDir,
    self: input.self,
    ...(time !== undefined ? { time, timeSeconds } : {}),
    ...(cli.parallel !== undefined ? { parallel: cli.parallel } : {}),
    slurm,
    jobs: [],
    tasks,
  };
}

function taskWorkspace(
  entry: TaskEntry,
  index: number,
  base: string,
  input: PlanInput,
  source: string,
): string {
  if (entry.repo !== undefined) {
    return join(input.resultsDir, "workspaces", `${index}-${slug(repoName(entry.repo))}`);
  }
  if (entry.workspace === undefined || entry.workspace === "") {
    throw new LlmError(
      `${source}: no workspace: give 'workspace: DIR' (a directory) or 'repo: URL' (cloned for the task)`,
    );
  }
  const workspace = resolve(base, entry.workspace);
  const kind = input.stat(workspace);
  if (kind === null) {
    throw new LlmError(
      `${source}: workspace ${workspace} does not exist: create it or fix the path`,
    );
  }
  if (kind !== "dir") throw new LlmError(`${source}: workspace ${workspace} is not a directory`);
  return workspace;
}

function argsFor(agent: string, entry: TaskEntry, source: string): string[] {
  if (entry.args !== undefined) {
    return agent === "shell" ? ["--", ...entry.args] : [...entry.args];
  }
  if (entry.prompt === undefined) {
    throw new LlmError(`${source}: no 'prompt' and no 'args': say what the ${agent} task runs`);
  }
  const headless = HEADLESS[agent];
  if (headless === undefined) {
    throw new LlmError(
      `${source}: llm knows no headless form of agent '${agent}': give 'args' (its arguments) ` +
        `instead of 'prompt'`,
    );
  }
  return headless(entry.prompt);
}

/** A relative host part (`./data:/data:ro`) starts at the task file's directory. */
function mountFrom(spec: string, base: string): string {
  if (!spec.startsWith("./") && !spec.startsWith("../")) return spec;
  const colon = spec.indexOf(":");
  const host = colon < 0 ? spec : spec.slice(0, colon);
  return resolve(base, host) + (colon < 0 ? "" : spec.slice(colon));
}

/** A local repository path starts at the task file's directory; URLs stay as written. */
function repoSource(repo: string, base: string): string {
  if (/^[a-z+]+:\/\//i.test(repo) || /^[^/]+@[^:]+:/.test(repo) || isAbsolute(repo)) return repo;
  return resolve(base, repo);
}

function repoName(repo: string): string {
  return basename(repo.replace(/\/+$/, "")).replace(/\.git$/, "") || "repo";
}

/** A name safe as one path component. */
function slug(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+|-+$/g, "").slice(0, 40);
  return s === "" ? "task" : s;
}

/**
 * The argv as a manifest may record it: `--env` values replaced, since any of
 * them may be a secret.
 *
 * @example
 * ```ts
 * import { redactArgv } from "./plan.ts";
 * redactArgv(["llm", "--env=TOKEN=abc", "shell"]); // ["llm", "--env=TOKEN=<redacted>", "shell"]
 * ```
 */
export function redactArgv(argv: readonly string[]): string[] {
  return argv.map((a) => {
    const m = /^--env=([^=]*)=/.exec(a);
    return m ? `--env=${m[1]}=<redacted>` : a;
  });
}
