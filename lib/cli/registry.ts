/**
 * Every non-agent command, in the order help lists them. Each entry's module
 * is small; the implementation loads only when the command runs.
 */
import type { CommandSpec } from "./command.ts";
import { CONDA, CONDA_BOOTSTRAP } from "../conda/commands.ts";
import { pullSpec } from "../commands/pull_spec.ts";

/** The registered commands. */
export const COMMANDS: readonly CommandSpec[] = [
  // New commands are added here, one line each.
  pullSpec,
  CONDA_BOOTSTRAP,
  CONDA,
];

/** Find a command by name. */
export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
