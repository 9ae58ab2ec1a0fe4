/**
 * What a non-agent command is: its name, options and help, with the
 * implementation loaded only when the command runs, to keep start-up fast.
 */
import type { System } from "../system/system.ts";
import type { OptionDef } from "./options.ts";
import type { ParsedOptions } from "./parse.ts";

/** What a command's `run` receives. */
export interface CommandContext {
  /** Global options merged with the command's own. */
  readonly options: ParsedOptions;
  /** Positional arguments after the command name. */
  readonly args: readonly string[];
  readonly system: System;
}

/** The lazily loaded half of a command. */
export interface CommandModule {
  run(context: CommandContext): Promise<number>;
}

/** The always-loaded half of a command. */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** Usage line after `llm `, e.g. `refresh [options]`. */
  readonly usage: string;
  readonly options: readonly OptionDef[];
  /** Two or three real examples for `--help`. */
  readonly examples: readonly string[];
  /**
   * `collect` (default): options may follow positionals.
   * `passthrough`: everything after the first positional goes to it untouched.
   */
  readonly positionals?: "collect" | "passthrough";
  /** The command loads the config itself and reports its errors (e.g. `doctor`). */
  readonly reportsConfigErrors?: boolean;
  /**
   * The command reads no settings, so a config file that cannot be used is
   * a warning, not an error (e.g. `completions`, which every new shell runs).
   */
  readonly toleratesBrokenConfig?: boolean;
  load(): Promise<CommandModule>;
}
