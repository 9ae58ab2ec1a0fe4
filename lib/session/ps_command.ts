/**
 * `llm ps`: sessions as a table or JSON.
 */
import type { CommandContext } from "../cli/command.ts";
import { UsageError } from "../errors.ts";
import { listSessions } from "./find.ts";
import { newestFirst, psTable, viewJson } from "./table.ts";

/** Run `llm ps`. */
export function run({ options, args, system }: CommandContext): Promise<number> {
  if (args.length > 0) {
    throw new UsageError(`llm ps takes no arguments (got '${args[0]}'); see 'llm ps --help'`);
  }
  const views = newestFirst(listSessions(system, options.flags.has("all")));
  system.stdout(
    options.flags.has("json")
      ? JSON.stringify(views.map(viewJson), null, 2) + "\n"
      : psTable(views, system.now()),
  );
  return Promise.resolve(0);
}
