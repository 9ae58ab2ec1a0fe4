/**
 * What a config file may say, checked key by key: the user file
 * (`~/.config/llm/config.yaml`) and a project's `.llm.yaml`. The result is an
 * options layer (the same shape the command line parses into) plus agents.
 */
import { LlmError, UsageError } from "../errors.ts";
import { ALLOW_SET_NAMES, BACKENDS, NETWORK_CHOICES } from "../cli/options.ts";
import type { ParsedOptions } from "../cli/parse.ts";
import { parseMountSpec } from "../launch/mounts.ts";
import { parseAllowEntry } from "../egress/allowlist.ts";
import { PROJECT_NETWORK } from "../egress/policy.ts";
import { lineOf } from "./lines.ts";

/** An agent added or changed by the config file. */
export interface AgentConfig {
  readonly command?: readonly string[];
  readonly credentials?: readonly string[];
  readonly envPrefixes?: readonly string[];
  readonly image?: string;
  readonly tag?: string;
  readonly bedrockFlag?: string;
  /** `file:line` of the agent's entry. */
  readonly source: string;
}

/** A validated config file. */
export interface ConfigFile {
  readonly file: string;
  readonly options: ParsedOptions;
  readonly agents: ReadonlyMap<string, AgentConfig>;
}

/** Which file is being read: projects may set only a few keys. */
export type ConfigKind = "user" | "project";

type Kind = "string" | "strings" | "boolean" | "map";

/** Top-level keys: their type and the option they set. */
const KEYS: Readonly<Record<string, { kind: Kind; option: string }>> = {
  backend: { kind: "string", option: "backend" },
  image: { kind: "string", option: "image-name" },
  tag: { kind: "string", option: "tag" },
  arch: { kind: "string", option: "arch" },
  sif_path: { kind: "string", option: "sif-path" },
  mounts: { kind: "strings", option: "mount" },
  env: { kind: "map", option: "env" },
  ro: { kind: "strings", option: "ro" },
  mask: { kind: "strings", option: "mask" },
  certs: { kind: "string", option: "certs" },
  global_read_only: { kind: "boolean", option: "global-read-only" },
  status_line: { kind: "boolean", option: "status-line" },
  workspace_mount: { kind: "string", option: "workspace-mount" },
  network: { kind: "string", option: "network" },
  allow_hosts: { kind: "strings", option: "allow-host" },
  allow_sets: { kind: "strings", option: "allow-set" },
  agents: { kind: "map", option: "" },
};

/**
 * A project file may restrict (ro, mask, global_read_only, network and its
 * allow lists, which can only narrow the user's) and add env and workspace
 * mounts.
 */
const PROJECT_KEYS = [
  "ro",
  "mask",
  "global_read_only",
  "env",
  "mounts",
  "network",
  "allow_hosts",
  "allow_sets",
];

const AGENT_KEYS = ["command", "credentials", "env_prefixes", "image", "tag", "bedrock_flag"];

/**
 * Validate parsed YAML `data` from `file` (whose `text` gives line numbers).
 * Throws LlmError naming `file:line` and the key on the first problem.
 */
export function validateConfig(
  data: unknown,
  text: string,
  file: string,
  kind: ConfigKind,
  builtinAgents: readonly string[],
): ConfigFile {
  const at = (path: (string | number)[]) => `${file}:${lineOf(text, path)}`;
  const fail = (path: (string | number)[], message: string): never => {
    throw new LlmError(`${at(path)}: ${path.join(".")}: ${message}`);
  };
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const sources = new Map<string, string[]>();
  const agents = new Map<string, AgentConfig>();
  if (data === null || data === undefined) {
    return { file, options: { flags, values, lists, sources }, agents };
  }
  if (!isMap(data)) throw new LlmError(`${file}:1: expected a mapping of settings at the top`);
  const allowed = kind === "project" ? PROJECT_KEYS : Object.keys(KEYS);
  for (const [key, value] of Object.entries(data)) {
    if (!allowed.includes(key)) {
      fail(
        [key],
        kind === "project" && key in KEYS
          ? `not allowed in a project file (only ${
            PROJECT_KEYS.join(", ")
          }); put it in your user config`
          : `unknown key (known: ${allowed.join(", ")})`,
      );
    }
    const spec = KEYS[key];
    if (key === "agents") {
      if (!isMap(value)) fail([key], "expected a mapping of agent name to settings");
      for (const [name, entry] of Object.entries(value as Record<string, unknown>)) {
        agents.set(name, validateAgent(name, entry, builtinAgents, fail, at));
      }
      continue;
    }
    const source = at([key]);
    if (spec.kind === "string") {
      if (typeof value !== "string" || value === "") fail([key], "expected a non-empty string");
      const text = value as string;
      if (key === "backend" && !(BACKENDS as readonly string[]).includes(text)) {
        fail([key], `expected one of ${BACKENDS.join(", ")}, got '${text}'`);
      }
      if (key === "workspace_mount" && !text.startsWith("/")) {
        fail([key], "expected an absolute container path");
      }
      if (key === "network" && !(NETWORK_CHOICES as readonly string[]).includes(text)) {
        fail([key], `expected one of ${NETWORK_CHOICES.join(", ")}, got '${text}'`);
      }
      const option = key === "network" && kind === "project" ? PROJECT_NETWORK : spec.option;
      values.set(option, text);
      sources.set(option, [source]);
    } else if (spec.kind === "boolean") {
      if (typeof value !== "boolean") fail([key], "expected true or false");
      if (value) {
        flags.add(spec.option);
        sources.set(spec.option, [source]);
      }
    } else if (spec.kind === "strings") {
      const items = stringList(value, [key], fail);
      if (key === "mounts") {
        items.forEach((item, i) => {
          let host: string;
          try {
            host = parseMountSpec(item).host;
          } catch (e) {
            if (!(e instanceof UsageError)) throw e;
            return fail([key, i], e.message);
          }
          if (kind === "project" && !isWorkspaceRelative(host)) {
            fail(
              [key, i],
              `a project file may only mount paths inside the workspace, given relative ` +
                `without '..', got '${host}'; put other mounts in your user config`,
            );
          }
        });
      }
      if (key === "allow_hosts") {
        items.forEach((item, i) => {
          try {
            parseAllowEntry(item, "allow_hosts");
          } catch (e) {
            if (!(e instanceof UsageError)) throw e;
            fail([key, i], e.message.replace(/^allow_hosts: /, ""));
          }
        });
      }
      if (key === "allow_sets") {
        items.forEach((item, i) => {
          if (!(ALLOW_SET_NAMES as readonly string[]).includes(item)) {
            fail([key, i], `unknown allow set '${item}' (known: ${ALLOW_SET_NAMES.join(", ")})`);
          }
        });
      }
      lists.set(spec.option, items);
      sources.set(spec.option, items.map((_, i) => at([key, i])));
    } else {
      if (!isMap(value)) fail([key], "expected a mapping of NAME: value");
      const pairs: string[] = [];
      const pairSources: string[] = [];
      for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail([key, name], "not a variable name");
        if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
          fail([key, name], "expected a string, number or boolean");
        }
        pairs.push(`${name}=${String(v)}`);
        pairSources.push(at([key, name]));
      }
      lists.set(spec.option, pairs);
      sources.set(spec.option, pairSources);
    }
  }
  return { file, options: { flags, values, lists, sources }, agents };
}

function validateAgent(
  name: string,
  entry: unknown,
  builtinAgents: readonly string[],
  fail: (path: (string | number)[], message: string) => never,
  at: (path: (string | number)[]) => string,
): AgentConfig {
  const path = ["agents", name];
  if (!/^[a-z][a-z0-9_-]*$/.test(name)) {
    fail(path, "agent names are lower-case letters, digits, '-' and '_'");
  }
  if (!isMap(entry)) fail(path, "expected a mapping with at least 'command'");
  const e = entry as Record<string, unknown>;
  for (const key of Object.keys(e)) {
    if (!AGENT_KEYS.includes(key)) {
      fail([...path, key], `unknown key (known: ${AGENT_KEYS.join(", ")})`);
    }
  }
  if (e.command === undefined && !builtinAgents.includes(name)) {
    fail(path, "a new agent needs a 'command' (a list, e.g. [gemini])");
  }
  const command = e.command === undefined
    ? undefined
    : stringList(e.command, [...path, "command"], fail);
  if (command && command.length === 0) fail([...path, "command"], "expected at least one word");
  const credentials = e.credentials === undefined
    ? undefined
    : stringList(e.credentials, [...path, "credentials"], fail);
  credentials?.forEach((c, i) => {
    if (!c.startsWith("~/") || c.length < 3 || c.split("/").includes("..")) {
      fail([...path, "credentials", i], `expected a path under the home like ~/.tool, got '${c}'`);
    }
  });
  const optionalString = (key: string): string | undefined => {
    const v = e[key];
    if (v === undefined) return undefined;
    if (typeof v !== "string" || v === "") fail([...path, key], "expected a non-empty string");
    return v as string;
  };
  return {
    command,
    credentials,
    envPrefixes: e.env_prefixes === undefined
      ? undefined
      : stringList(e.env_prefixes, [...path, "env_prefixes"], fail),
    image: optionalString("image"),
    tag: optionalString("tag"),
    bedrockFlag: optionalString("bedrock_flag"),
    source: at(path),
  };
}

function stringList(
  value: unknown,
  path: (string | number)[],
  fail: (path: (string | number)[], message: string) => never,
): string[] {
  if (!Array.isArray(value)) fail(path, "expected a list of strings");
  (value as unknown[]).forEach((item, i) => {
    if (typeof item !== "string" || item === "") fail([...path, i], "expected a non-empty string");
  });
  return value as string[];
}

/** `refs`, `data/x`: not absolute, not `~`, no `..` (symlinks are checked at launch). */
function isWorkspaceRelative(host: string): boolean {
  return !host.startsWith("/") && !host.startsWith("~") && !host.split("/").includes("..");
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
