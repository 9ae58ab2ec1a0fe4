/**
 * `llm show`: one session's manifest, with its state as it is now.
 */
import type { CommandContext } from "../cli/command.ts";
import { UsageError } from "../errors.ts";
import { findSession } from "./find.ts";
import { viewJson } from "./table.ts";

/** Run `llm show`. */
export function run({ args, system }: CommandContext): Promise<number> {
  if (args.length !== 1) {
    throw new UsageError("llm show takes one session: a name or id from 'llm ps --all'");
  }
  system.stdout(JSON.stringify(viewJson(findSession(system, args[0])), null, 2) + "\n");
  return Promise.resolve(0);
}
