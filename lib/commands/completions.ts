/**
 * `llm completions SHELL`: print the completion script, built from the
 * option tables, the agents and the registered commands.
 */
import type { CommandContext } from "../cli/command.ts";
import { type CompletionModel, completionScript, type Shell, SHELLS } from "../cli/completions.ts";
import { COMMAND_COMMON_OPTIONS, GLOBAL_OPTIONS } from "../cli/options.ts";
import { COMMANDS } from "../cli/registry.ts";
import { UsageError } from "../errors.ts";
import { BUILTIN_AGENTS } from "../launch/agents.ts";

/** Words the first positional of a command may be, where it has a fixed set. */
const POSITIONALS: Readonly<Record<string, readonly string[]>> = { completions: SHELLS };

/** The model of everything `llm` accepts today. */
export function completionModel(): CompletionModel {
  return {
    globals: GLOBAL_OPTIONS,
    agents: BUILTIN_AGENTS.map((a) => a.name),
    commands: COMMANDS.map((c) => ({
      name: c.name,
      options: [...c.options, ...COMMAND_COMMON_OPTIONS],
      passthrough: c.positionals === "passthrough",
      positionals: POSITIONALS[c.name],
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

/** Print the script for the named shell. */
export function run({ args, system }: CommandContext): Promise<number> {
  system.stdout(completionScript(parseShell(args), completionModel()));
  return Promise.resolve(0);
}
