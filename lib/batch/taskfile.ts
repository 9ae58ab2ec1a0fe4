/**
 * The task file of `llm batch`: YAML (settings plus a `tasks:` list, or a
 * bare list) or JSON Lines (one task per line, `.jsonl`/`.ndjson`). Pure:
 * text in, data out; every mistake is an `LlmError` naming `file:line`.
 *
 * The YAML parser gives no positions for values, so the line of each task
 * is found by scanning the text for the list's `- ` items (block style, as
 * people write task lists); a flow-style list falls back to the `tasks:`
 * line. YAML is loaded only for YAML files, as it is heavy at start-up.
 */
import { LlmError } from "../errors.ts";
import { closest } from "../text/suggest.ts";

/** One task as written. */
export interface TaskEntry {
  /** Line of the entry in the task file (1-based). */
  readonly line: number;
  readonly name?: string;
  /** A directory, relative to the task file's directory or absolute. */
  readonly workspace?: string;
  /** A git URL or path, cloned into a per-task directory of the results. */
  readonly repo?: string;
  /** The headless prompt: `codex exec PROMPT`, `claude -p PROMPT`, `pi -p PROMPT`, a shell script. */
  readonly prompt?: string;
  /** Arguments after the agent name, used as given (instead of a prompt). */
  readonly args?: readonly string[];
  readonly agent?: string;
  readonly mounts: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly tags: readonly string[];
}

/** Settings shared by every task. */
export interface BatchSettings {
  readonly agent?: string;
  readonly image?: string;
  readonly tag?: string;
  readonly backend?: string;
  /** Network policy, passed to each launch as `--network`. */
  readonly network?: string;
  /** Time limit of one task, in Slurm's syntax (`30`, `1:00:00`, `1-0`). */
  readonly time?: string;
  readonly mounts: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** `slurm:` keys: partition, account, cpus-per-task, mem, gpus. */
  readonly slurm: Readonly<Record<string, string>>;
}

/** A parsed task file. */
export interface TaskFile {
  readonly path: string;
  readonly settings: BatchSettings;
  readonly tasks: readonly TaskEntry[];
}

const TASK_KEYS = ["name", "workspace", "repo", "prompt", "args", "agent", "mounts", "env", "tags"];
const SETTING_KEYS = [
  "agent",
  "image",
  "tag",
  "backend",
  "network",
  "time",
  "mounts",
  "env",
  "slurm",
  "tasks",
];
/** The Slurm settings a task file may carry (the same names as the flags). */
export const SLURM_KEYS = ["partition", "account", "cpus-per-task", "mem", "gpus"];

/** Whether `path` names a JSON Lines file (by its extension). */
export function isJsonLines(path: string): boolean {
  return /\.(jsonl|ndjson)$/i.test(path);
}

/**
 * Parse a task file's `text`; `path` names it in messages.
 *
 * @example
 * ```ts
 * import { parseTaskFile } from "./taskfile.ts";
 * const f = await parseTaskFile("t.jsonl", '{"workspace": "a", "prompt": "hi"}\n');
 * f.tasks[0].workspace; // "a"
 * f.tasks[0].line; // 1
 * ```
 */
export async function parseTaskFile(path: string, text: string): Promise<TaskFile> {
  if (isJsonLines(path)) return parseJsonLines(path, text);
  const { parse } = await import("../std/yaml.ts");
  let data: unknown;
  try {
    data = parse(text);
  } catch (e) {
    const { yamlErrorLine } = await import("../config/yaml_error.ts");
    const message = e instanceof Error ? e.message : String(e);
    const at = /at line (\d+)/.exec(message);
    throw new LlmError(`${path}:${at ? at[1] : 1}: ${yamlErrorLine(message, text)}`);
  }
  return fromYaml(path, text, data);
}

function parseJsonLines(path: string, text: string): TaskFile {
  const tasks: TaskEntry[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new LlmError(`${path}:${i + 1}: not JSON: ${(e as Error).message}`);
    }
    tasks.push(taskEntry(value, `${path}:${i + 1}`, i + 1));
  });
  if (tasks.length === 0) throw new LlmError(`${path}: no tasks (one JSON object per line)`);
  return { path, settings: emptySettings(), tasks };
}

function emptySettings(): BatchSettings {
  return { mounts: [], env: {}, slurm: {} };
}

function fromYaml(path: string, text: string, data: unknown): TaskFile {
  const lines = text.split("\n");
  if (Array.isArray(data)) {
    const at = itemLines(lines, -1);
    return {
      path,
      settings: emptySettings(),
      tasks: data.map((t, i) => taskEntry(t, `${path}:${at[i] ?? 1}`, at[i] ?? 1)),
    };
  }
  if (!isRecord(data)) {
    throw new LlmError(`${path}:1: expected a mapping with 'tasks:' or a list of tasks`);
  }
  const keyLine = (key: string) => {
    const n = lines.findIndex((l) => new RegExp(`^${escape(key)}\\s*:`).test(l));
    return n < 0 ? 1 : n + 1;
  };
  for (const key of Object.keys(data)) {
    if (!SETTING_KEYS.includes(key)) {
      throw new LlmError(`${path}:${keyLine(key)}: ${unknownKey(key, SETTING_KEYS)}`);
    }
  }
  const tasksLine = keyLine("tasks");
  if (!Array.isArray(data.tasks) || data.tasks.length === 0) {
    throw new LlmError(`${path}:${tasksLine}: 'tasks:' must be a non-empty list of tasks`);
  }
  const at = itemLines(lines, tasksLine - 1);
  const where = (key: string) => `${path}:${keyLine(key)}`;
  const slurm: Record<string, string> = {};
  if (data.slurm !== undefined) {
    if (!isRecord(data.slurm)) throw new LlmError(`${where("slurm")}: 'slurm:' must be a mapping`);
    for (const [k, v] of Object.entries(data.slurm)) {
      if (!SLURM_KEYS.includes(k)) {
        throw new LlmError(`${where("slurm")}: ${unknownKey(k, SLURM_KEYS)}`);
      }
      slurm[k] = scalar(v, `slurm.${k}`, where("slurm"));
    }
  }
  const opt = (key: string) =>
    data[key] === undefined ? undefined : scalar(data[key], key, where(key));
  const settings: BatchSettings = {
    agent: opt("agent"),
    image: opt("image"),
    tag: opt("tag"),
    backend: opt("backend"),
    network: opt("network"),
    time: opt("time"),
    mounts: stringList(data.mounts, "mounts", where("mounts")),
    env: envMap(data.env, where("env")),
    slurm,
  };
  const tasks = data.tasks.map((t, i) =>
    taskEntry(t, `${path}:${at[i] ?? tasksLine}`, at[i] ?? tasksLine)
  );
  return { path, settings, tasks };
}

/**
 * Lines (1-based) of the items of the block list that starts after line
 * index `after` (-1: a top-level list): the `- ` lines at the indentation of
 * the first one.
 */
function itemLines(lines: readonly string[], after: number): number[] {
  const out: number[] = [];
  let indent: number | undefined;
  for (let i = after + 1; i < lines.length; i++) {
    const m = /^(\s*)-(\s|$)/.exec(lines[i]);
    const content = lines[i].trim();
    if (content === "" || content.startsWith("#")) continue;
    const lead = /^\s*/.exec(lines[i])?.[0].length ?? 0;
    if (indent !== undefined && lead < indent) break;
    if (m && (indent === undefined || m[1].length === indent)) {
      indent = m[1].length;
      out.push(i + 1);
    } else if (indent === undefined) break;
  }
  return out;
}

function taskEntry(value: unknown, where: string, line: number): TaskEntry {
  if (!isRecord(value)) {
    throw new LlmError(`${where}: a task must be a mapping (got ${kind(value)})`);
  }
  for (const key of Object.keys(value)) {
    if (!TASK_KEYS.includes(key)) throw new LlmError(`${where}: ${unknownKey(key, TASK_KEYS)}`);
  }
  const opt = (key: string) =>
    value[key] === undefined || value[key] === null ? undefined : scalar(value[key], key, where);
  if (value.prompt !== undefined && value.args !== undefined) {
    throw new LlmError(`${where}: give either 'prompt' or 'args', not both`);
  }
  if (value.workspace !== undefined && value.repo !== undefined) {
    throw new LlmError(
      `${where}: give either 'workspace' (a directory) or 'repo' (to clone), not both`,
    );
  }
  return {
    line,
    name: opt("name"),
    workspace: opt("workspace"),
    repo: opt("repo"),
    prompt: opt("prompt"),
    args: value.args === undefined ? undefined : stringList(value.args, "args", where),
    agent: opt("agent"),
    mounts: stringList(value.mounts, "mounts", where),
    env: envMap(value.env, where),
    tags: stringList(value.tags, "tags", where),
  };
}

function scalar(value: unknown, key: string, where: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new LlmError(`${where}: '${key}' must be a string (got ${kind(value)})`);
}

function stringList(value: unknown, key: string, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new LlmError(`${where}: '${key}' must be a list (got ${kind(value)})`);
  }
  return value.map((v, i) => scalar(v, `${key}[${i}]`, where));
}

function envMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    throw new LlmError(`${where}: 'env' must be a mapping of NAME: value (got ${kind(value)})`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) {
      throw new LlmError(`${where}: env '${k}' is not a variable name`);
    }
    out[k] = scalar(v, `env.${k}`, where);
  }
  return out;
}

function unknownKey(key: string, known: readonly string[]): string {
  const near = closest(key, known);
  return `unknown key '${key}'${near ? `: did you mean '${near}'?` : ""} (keys: ${
    known.join(", ")
  })`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function kind(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "a list" : typeof v;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
