/**
 * The entry point's logic: split the command line into global options and a
 * command, and hand off to an agent launch or a registered command.
 */
import { LlmError, UsageError } from "../errors.ts";
import { type AgentDef, BUILTIN_AGENTS, findAgent } from "../launch/agents.ts";
import type { System } from "../system/system.ts";
import { problemLine } from "../text/colour.ts";
import { quoteArgv } from "../text/shell_words.ts";
import { commandCommonOptions, GLOBAL_OPTIONS } from "./options.ts";
import { checkChoices, mergeOptions, type ParsedOptions, parseOptions } from "./parse.ts";
import type { CommandSpec } from "./command.ts";
import { agentImageOptions } from "../config/agent_image.ts";
import { configUse, loadStartupSettings } from "../config/startup.ts";
import { VERSION } from "../version.ts";

export { VERSION } from "../version.ts";

/** Run `llm` with `argv`; resolves to the process exit code. */
export async function main(argv: readonly string[], system: System): Promise<number> {
  try {
    return await dispatch(argv, system);
  } catch (e) {
    if (e instanceof LlmError) {
      system.stderr(await problemLine(system, "error", e.message));
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
  // A broken config file must not hide the help, or the doctor that explains it, nor block
  // commands that read no settings (lib/config/startup.ts).
  const wantsHelp = name === undefined || name === "help" || globals.flags.has("help");
  // No command has a built-in agent's name, so a launch of one needs no command specs.
  const command = name === undefined || findAgent(name) !== undefined
    ? undefined
    : await findCommand(name);
  const settings = await loadStartupSettings(
    system,
    globals.values.get("config"),
    configUse(command, wantsHelp),
  );
  for (const w of settings.warnings) system.stderr(await problemLine(system, "warning", w));
  const config = settings.config;
  const agents = config?.agents ?? BUILTIN_AGENTS;
  // Precedence: config files < environment variables < command line.
  const effective = mergeOptions(...settings.layers, globals);
  if (name === undefined && !globals.flags.has("help")) {
    // Options without an agent: say what is missing rather than print the whole help.
    if (argv.length > 0) throw new UsageError(missingAgent(argv, agents));
    const [{ mainHelp }, { COMMANDS }] = await Promise.all([
      import("./help.ts"),
      import("./registry.ts"),
    ]);
    system.stderr(mainHelp(agents, COMMANDS, GLOBAL_OPTIONS));
    return 2;
  }
  if (name === "help" || globals.flags.has("help")) {
    if (name === "help" && rest.length > 2) {
      throw new UsageError(
        `llm help takes one agent or command (got '${rest.slice(1).join(" ")}')`,
      );
    }
    // `llm help X` and `llm --help X` are the same, as in git; `llm --help help` is help's.
    const topic = name === "help" && !globals.flags.has("help") ? rest[1] : name;
    system.stdout(await helpFor(topic, agents, effective));
    return 0;
  }
  const agent = findAgent(name, agents);
  if (agent) {
    // LLM_BACKEND=podmn gets the same did-you-mean as --backend podmn.
    checkChoices(effective, GLOBAL_OPTIONS);
    for (const w of config?.warnings ?? []) system.stderr(await problemLine(system, "warning", w));
    const { launchAgent } = await import("../commands/agent.ts");
    // An agent's own image and tag win over the general ones of the same config file.
    const options = agentImageOptions(effective, agent, config?.configuredAgents.get(agent.name));
    return await launchAgent(agent, rest.slice(1), options, system);
  }
  const spec = command;
  if (!spec) {
    throw new UsageError(
      `unknown agent or command '${name}': ${await suggestion(name, agents.map((a) => a.name))}`,
    );
  }
  const common = commandCommonOptions(spec.name);
  const parsed = parseOptions(rest.slice(1), [...spec.options, ...common], {
    stopAtPositional: spec.positionals === "passthrough",
    command: `llm ${spec.name}`,
  });
  if (parsed.options.flags.has("help")) {
    const { commandHelp } = await import("./help.ts");
    system.stdout(commandHelp(spec, common));
    return 0;
  }
  const module = await spec.load();
  return await module.run({
    options: mergeOptions(effective, parsed.options),
    args: parsed.rest,
    system,
  });
}

/** The registered command named `name`; the registry loads only for names no built-in agent has. */
async function findCommand(name: string): Promise<CommandSpec | undefined> {
  return (await import("./registry.ts")).findCommand(name);
}

/** Help on `topic` (an agent, a command, `help`), or the overview when absent. */
async function helpFor(
  topic: string | undefined,
  agents: readonly AgentDef[],
  options: ParsedOptions,
): Promise<string> {
  const [{ agentHelp, commandHelp, helpHelp, mainHelp }, { COMMANDS }] = await Promise.all([
    import("./help.ts"),
    import("./registry.ts"),
  ]);
  if (topic === undefined) return mainHelp(agents, COMMANDS, GLOBAL_OPTIONS);
  if (topic === "help" || topic === "--help" || topic === "-h") return helpHelp();
  // Agents first, as in a launch: `llm X` runs the agent X if there is one.
  const agent = findAgent(topic, agents);
  if (agent) return agentHelp(agent, GLOBAL_OPTIONS.filter((o) => o.name !== "version"), options);
  const spec = await findCommand(topic);
  if (spec) return commandHelp(spec, commandCommonOptions(spec.name));
  throw new UsageError(
    `no help for '${topic}': ${await suggestion(topic, agents.map((a) => a.name))}`,
  );
}

/** The error for options given without an agent, with the line completed. */
function missingAgent(argv: readonly string[], agents: readonly AgentDef[]): string {
  const given = argv.at(-1) === "--" ? argv.slice(0, -1) : argv;
  const example = quoteArgv([...given, agents[0]?.name ?? "codex"]);
  return `missing agent: name one after llm's options, e.g. llm ${example} ` +
    `(agents: ${agents.map((a) => a.name).join(", ")}; commands: see 'llm --help')`;
}

/** Did-you-mean for an unknown name, with the lists of agents and commands (error paths only). */
async function suggestion(name: string, agentNames: readonly string[]): Promise<string> {
  const [{ closest }, { COMMANDS }] = await Promise.all([
    import("../text/suggest.ts"),
    import("./registry.ts"),
  ]);
  const all = [...agentNames, ...COMMANDS.map((c) => c.name), "help"];
  const near = closest(name, all);
  const list = `agents: ${agentNames.join(", ")}${
    COMMANDS.length ? `; commands: ${COMMANDS.map((c) => c.name).join(", ")}` : ""
  }`;
  return near ? `did you mean '${near}'? (${list})` : `expected one of ${list}`;
}
