/**
 * Every non-agent command, in the order help lists them. Each entry's module
 * is small; the implementation loads only when the command runs.
 */
import type { CommandSpec } from "./command.ts";
import { BATCH_COMMAND } from "../batch/spec.ts";
import { COMPLETIONS_COMMAND } from "../commands/completions_spec.ts";
import { pullSpec } from "../commands/pull_spec.ts";
import { CONDA, CONDA_BOOTSTRAP } from "../conda/commands.ts";
import { CONFIG_COMMAND, TRUST_COMMAND } from "../config/command.ts";
import { REFRESH_COMMAND } from "../credentials/command.ts";
import { DOCTOR_COMMAND } from "../doctor/command.ts";
import { BUILD_COMMAND } from "../image/spec.ts";
import { SETUP_MACOS_VOLUME } from "../macos/spec.ts";
import { WORKTREE_COMMAND } from "../worktree/spec.ts";
import { ATTACH_COMMAND, PS_COMMAND, SHOW_COMMAND, STOP_COMMAND } from "../session/spec.ts";

/** The registered commands. */
export const COMMANDS: readonly CommandSpec[] = [
  // Sessions first, then credentials and images, the macOS/conda workflow, settings, tooling.
  PS_COMMAND,
  SHOW_COMMAND,
  STOP_COMMAND,
  ATTACH_COMMAND,
  WORKTREE_COMMAND,
  REFRESH_COMMAND,
  pullSpec,
  BUILD_COMMAND,
  SETUP_MACOS_VOLUME,
  CONDA_BOOTSTRAP,
  CONDA,
  CONFIG_COMMAND,
  TRUST_COMMAND,
  DOCTOR_COMMAND,
  BATCH_COMMAND,
  COMPLETIONS_COMMAND,
];

/** Find a command by name. */
export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
