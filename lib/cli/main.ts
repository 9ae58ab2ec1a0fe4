/**
 * The entry point's logic: split the command line into global options and a
 * command, and hand off to an agent launch or a registered command.
 */
import denoJson from "../../deno.json" with { type: "json" };
import { LlmError, UsageError } from "../errors.ts";
import { BUILTIN_AGENTS, findAgent } from "../launch/agents.ts";
import type { System } from "../system/system.ts";
import { closest } from "../text/suggest.ts";
import { commandHelp, mainHelp } from "./help.ts";
import { COMMAND_COMMON_OPTIONS, GLOBAL_OPTIONS } from "./options.ts";
import { mergeOptions, parseOptions } from "./parse.ts";
import { COMMANDS, findCommand } from "./registry.ts";
import { environmentLayer } from "../config/environment_layer.ts";
import type { LoadedConfig } from "../config/load.ts";
import { configFilesPresent } from "../config/paths.ts";

/** The version from deno.json. */
export const VERSION: string = denoJson.version;

/** Run `llm` with `argv`; resolves to the process exit code. */
export async function main(argv: readonly string[], system: System): Promise<number> {
  try {
    return await dispatch(argv, system);
  } catch (e) {
    if (e instanceof LlmError) {
      system.stderr(`llm: error: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}

async function dispatch(argv: readonly string[], system: System): Promise<number> {
  const { options: globals, rest } = parseOptions(argv, GLOBAL_OPTIONS);
  if (globals.flags.has("version")) {
    system.stdout(`llm ${VERSION} (${Deno.build.target})\n`);
    return 0;
  }
  const name = rest[0];
  const wantsHelp = name === undefined || name === "help" || globals.flags.has("help") ||
    (findCommand(name)?.reportsConfigErrors ?? false);
  let config: LoadedConfig | undefined;
  try {
    const flag = globals.values.get("config");
    if (configFilesPresent(system.env, system.home, system.cwd, (p) => system.stat(p), flag)) {
      const { loadConfig } = await import("../config/load.ts");
      config = await loadConfig(system, flag);
    }
  } catch (e) {
    // A broken config file must not hide the help, or the doctor, that explains it.
    if (!wantsHelp || !(e instanceof LlmError)) throw e;
    if (!findCommand(name ?? "")?.reportsConfigErrors) {
      system.stderr(`llm: warning: ${e.message}\n`);
    }
  }
  const agents = config?.agents ?? BUILTIN_AGENTS;
  // Precedence: config files < environment variables < command line.
  const effective = mergeOptions(...(config?.layers ?? []), environmentLayer(system.env), globals);
  if (name === undefined || globals.flags.has("help")) {
    const spec = name === undefined ? undefined : findCommand(name);
    if (spec) {
      system.stdout(commandHelp(spec, COMMAND_COMMON_OPTIONS));
      return 0;
    }
    const help = mainHelp(agents, COMMANDS, GLOBAL_OPTIONS);
    if (name === undefined && !globals.flags.has("help")) {
      system.stderr(help);
      return 2;
    }
    system.stdout(help);
    return 0;
  }
  if (name === "help") {
    const topic = rest[1];
    const spec = topic === undefined ? undefined : findCommand(topic);
    if (topic !== undefined && !spec && !findAgent(topic, agents)) {
      throw new UsageError(
        `no help for '${topic}': ${suggestion(topic, agents.map((a) => a.name))}`,
      );
    }
    system.stdout(
      spec ? commandHelp(spec, COMMAND_COMMON_OPTIONS) : mainHelp(agents, COMMANDS, GLOBAL_OPTIONS),
    );
    return 0;
  }
  const agent = findAgent(name, agents);
  if (agent) {
    for (const w of config?.warnings ?? []) system.stderr(`llm: warning: ${w}\n`);
    const { launchAgent } = await import("../commands/agent.ts");
    return await launchAgent(agent, rest.slice(1), effective, system);
  }
  const spec = findCommand(name);
  if (!spec) {
    throw new UsageError(
      `unknown agent or command '${name}': ${suggestion(name, agents.map((a) => a.name))}`,
    );
  }
  const parsed = parseOptions(rest.slice(1), [...spec.options, ...COMMAND_COMMON_OPTIONS], {
    stopAtPositional: spec.positionals === "passthrough",
    command: `llm ${spec.name}`,
  });
  if (parsed.options.flags.has("help")) {
    system.stdout(commandHelp(spec, COMMAND_COMMON_OPTIONS));
    return 0;
  }
  const module = await spec.load();
  return await module.run({
    options: mergeOptions(effective, parsed.options),
    args: parsed.rest,
    system,
  });
}

function suggestion(name: string, agentNames: readonly string[]): string {
  const all = [...agentNames, ...COMMANDS.map((c) => c.name), "help"];
  const near = closest(name, all);
  const list = `agents: ${agentNames.join(", ")}${
    COMMANDS.length ? `; commands: ${COMMANDS.map((c) => c.name).join(", ")}` : ""
  }`;
  return near ? `did you mean '${near}'? (${list})` : `expected one of ${list}`;
}
