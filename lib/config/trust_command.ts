/**
 * `llm trust`: record a project file's checksum and restrictions, forget
 * one, or list them.
 */
import { LlmError, UsageError } from "../errors.ts";
import type { CommandContext } from "../cli/command.ts";
import { type AgentDef, BUILTIN_AGENTS } from "../launch/agents.ts";
import { dirname, join, resolve } from "../std/path.ts";
import type { System } from "../system/system.ts";
import { problemLine } from "../text/colour.ts";
import { applyAgentConfig } from "./agents.ts";
import { parseConfigFile, parseProjectFile, readTrustStore } from "./load.ts";
import { PROJECT_FILE, trustStorePath, userConfigPath } from "./paths.ts";
import { readConfigFile, readSettingsText } from "./read.ts";
import {
  describeRestrictions,
  restrictionsOf,
  serializeTrustStore,
  sha256Hex,
  type TrustStore,
} from "./trust.ts";

/** Run `llm trust`. */
export async function run({ options, args, system }: CommandContext): Promise<number> {
  if (args.length > 1) throw new UsageError("llm trust takes at most one file or directory");
  const forget = options.flags.has("forget") || options.flags.has("remove");
  const list = options.flags.has("list");
  if (list && (forget || args.length)) {
    throw new UsageError("llm trust --list takes no file and no --forget");
  }
  const storePath = trustStorePath(system.env, system.home);
  // A malformed store is an error here, so it is never overwritten.
  const store = await readTrustStore(system, storePath);
  if (list) return await listTrusted(system, store);
  const path = forget ? forgetTarget(system, store, args[0]) : trustTarget(system, args[0]);
  let done: string;
  if (forget) {
    const entry = store.get(path);
    if (entry === undefined) {
      system.stderr(`llm: ${path} was not trusted; nothing to do (see 'llm trust --list')\n`);
      return 0;
    }
    store.delete(path);
    done = `no longer trusted: ${path}${
      entry.restrictions ? ` (its ${describeRestrictions(entry.restrictions)} no longer apply)` : ""
    }\n`;
  } else {
    const read = await readConfigFile(system, path, { followSymlinks: false });
    if (read.kind === "absent") throw new LlmError(`${path} does not exist; nothing to trust`);
    if (read.kind === "unusable") {
      throw new LlmError(
        `${path} ${read.problem}; a project file must be a regular file; nothing was trusted`,
      );
    }
    // Refuse to trust a file that would fail at every launch.
    const parsed = await parseProjectFile(read.text, path, await userAgents(system, options));
    const restrictions = restrictionsOf(parsed.options);
    const sha256 = await sha256Hex(read.text);
    store.set(path, { sha256, restrictions, trustedAt: new Date().toISOString() });
    done = `trusted ${path} (sha256 ${sha256.slice(0, 12)}…): ${
      describeRestrictions(restrictions)
    }\n`;
  }
  if (options.flags.has("dry-run")) {
    system.stdout(`would write ${storePath}\n`);
    return 0;
  }
  system.mkdir(dirname(storePath), 0o700);
  system.writeFileAtomic(storePath, serializeTrustStore(store), 0o600);
  system.stdout(done);
  return 0;
}

/** The file to trust: FILE, DIR/.llm.yaml, or ./.llm.yaml. */
function trustTarget(system: System, arg: string | undefined): string {
  if (arg === undefined) return join(system.cwd, PROJECT_FILE);
  const path = resolve(system.cwd, arg);
  return system.stat(path) === "dir" ? join(path, PROJECT_FILE) : path;
}

/**
 * The entry to forget: as for trusting, except that the file (or its whole
 * directory) may be gone, so the store decides whether a path names a file
 * or a project directory.
 */
function forgetTarget(system: System, store: TrustStore, arg: string | undefined): string {
  if (arg === undefined) return join(system.cwd, PROJECT_FILE);
  const path = resolve(system.cwd, arg);
  if (store.has(path) && system.stat(path) !== "dir") return path;
  return join(path, PROJECT_FILE);
}

/** Agents as the user config defines them (their Bedrock flags matter); built-ins if it is broken. */
async function userAgents(
  system: System,
  options: CommandContext["options"],
): Promise<readonly AgentDef[]> {
  const user = userConfigPath(system.env, system.home, options.values.get("config"));
  const path = resolve(system.cwd, user.path);
  try {
    const text = await readSettingsText(system, path);
    if (text === null) return BUILTIN_AGENTS;
    return applyAgentConfig(BUILTIN_AGENTS, (await parseConfigFile(text, path, "user")).agents);
  } catch (e) {
    // Trusting must work while the user config is broken (it may be what is being fixed).
    if (!(e instanceof LlmError)) throw e;
    system.stderr(await problemLine(system, "warning", e.message));
    return BUILTIN_AGENTS;
  }
}

/** `llm trust --list`: each trusted file, how it stands now, and what it restricts. */
async function listTrusted(system: System, store: TrustStore): Promise<number> {
  if (store.size === 0) {
    system.stdout("no trusted project files\n");
    return 0;
  }
  for (const [path, entry] of [...store].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)) {
    const read = await readConfigFile(system, path, { followSymlinks: false });
    const state = read.kind === "absent"
      ? "gone"
      : read.kind === "unusable"
      ? "changed"
      : await sha256Hex(read.text) === entry.sha256
      ? "trusted"
      : "changed";
    const what = entry.restrictions
      ? describeRestrictions(entry.restrictions)
      : "restrictions not recorded (trusted by an older llm)";
    system.stdout(`${state.padEnd(8)} ${path}: ${what}\n`);
  }
  return 0;
}
