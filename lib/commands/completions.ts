/**
 * `llm completions SHELL`: print the completion script, built from the
 * option tables, the agents and the registered commands.
 */
import type { CommandContext } from "../cli/command.ts";
import {
  type CommandCompletion,
  type CompletionModel,
  completionScript,
  type Shell,
  SHELLS,
} from "../cli/completions.ts";
import { commandCommonOptions, GLOBAL_OPTIONS } from "../cli/options.ts";
import { COMMANDS } from "../cli/registry.ts";
import { UsageError } from "../errors.ts";
import { type AgentDef, BUILTIN_AGENTS } from "../launch/agents.ts";

/**
 * What a command's positionals may be, read from its usage line so they
 * cannot drift from its help: `completions bash|zsh|fish` gives the three
 * shells, `pull [options] [agent...]` any number of agent names.
 */
export function positionalWords(
  usage: string,
  agents: readonly string[],
): { words: string[]; repeat: boolean } | undefined {
  const words = usage.split(" ").slice(1);
  if (/^[a-z][a-z0-9-]*(\|[a-z][a-z0-9-]*)+$/.test(words[0] ?? "")) {
    return { words: words[0].split("|"), repeat: false };
  }
  const agentWord = words.find((w) => /^\[?agent(\.\.\.)?\]?$/.test(w));
  if (agentWord !== undefined) return { words: [...agents], repeat: agentWord.includes("...") };
  return undefined;
}

/** The model of everything `llm` accepts: the options, `agentDefs` and the registered commands. */
export function completionModel(
  agentDefs: readonly AgentDef[] = BUILTIN_AGENTS,
): CompletionModel {
  const agents = agentDefs.map((a) => a.name);
  return {
    globals: GLOBAL_OPTIONS,
    agents,
    commands: COMMANDS.map((c): CommandCompletion => ({
      name: c.name,
      options: [...c.options, ...commandCommonOptions(c.name)],
      passthrough: c.positionals === "passthrough",
      ...positionalWords(c.usage, agents),
    })),
  };
}

/** Check the one argument: a shell name. */
export function parseShell(args: readonly string[]): Shell {
  if (args.length !== 1 || !(SHELLS as readonly string[]).includes(args[0])) {
    const got = args.length === 0 ? "nothing" : `'${args.join(" ")}'`;
    throw new UsageError(`llm completions needs one shell: ${SHELLS.join(", ")} (got ${got})`);
  }
  return args[0] as Shell;
}

/**
 * Print the script for the named shell. Agents defined in the config files
 * are included; a config that cannot be read leaves just the built-in ones,
 * so a broken config never breaks the shell's start-up.
 */
export async function run({ args, options, system }: CommandContext): Promise<number> {
  const shell = parseShell(args);
  let agents: readonly AgentDef[] = BUILTIN_AGENTS;
  try {
    const { loadConfig } = await import("../config/load.ts");
    // main has already warned about any file left out.
    const config = await loadConfig(system, options.values.get("config"), {
      tolerateBroken: true,
    });
    agents = config.agents;
  } catch {
    agents = BUILTIN_AGENTS;
  }
  system.stdout(completionScript(shell, completionModel(agents)));
  return 0;
}
