/**
 * Every non-agent command, in the order help lists them. Each entry's module
 * is small; the implementation loads only when the command runs.
 */
import { COMPLETIONS_COMMAND } from "../commands/completions_spec.ts";
import type { CommandSpec } from "./command.ts";
import { CONFIG_COMMAND, TRUST_COMMAND } from "../config/command.ts";
import { DOCTOR_COMMAND } from "../doctor/command.ts";
import { CONDA, CONDA_BOOTSTRAP } from "../conda/commands.ts";
import { pullSpec } from "../commands/pull_spec.ts";
import { REFRESH_COMMAND } from "../credentials/command.ts";
import { SETUP_MACOS_VOLUME } from "../macos/spec.ts";
import { BUILD_COMMAND } from "../image/spec.ts";

/** The registered commands. */
export const COMMANDS: readonly CommandSpec[] = [
  // New commands are added here, one line each.
  CONFIG_COMMAND,
  TRUST_COMMAND,
  DOCTOR_COMMAND,
  pullSpec,
  COMPLETIONS_COMMAND,
  CONDA_BOOTSTRAP,
  CONDA,
  REFRESH_COMMAND,
  SETUP_MACOS_VOLUME,
  BUILD_COMMAND,
];

/** Find a command by name. */
export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
