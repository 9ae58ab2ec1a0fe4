/**
 * `llm attach`: the runtime's own attach, for the runtimes that have one.
 */
import type { CommandContext } from "../cli/command.ts";
import { LlmError, UsageError } from "../errors.ts";
import { findSession } from "./find.ts";

/** Run `llm attach`. */
export async function run({ args, system }: CommandContext): Promise<number> {
  if (args.length !== 1) {
    throw new UsageError("llm attach takes one session: a name or id from 'llm ps'");
  }
  const { manifest: m, state } = findSession(system, args[0]);
  if (state !== "running") throw new LlmError(`session ${m.name} is not running (${state})`);
  if (m.container === null) {
    throw new LlmError(
      `${m.runtime.name} cannot attach to a running session; session ${m.name} is in the ` +
        `terminal that started it (llm pid ${m.pid})`,
    );
  }
  // Detach with the runtime's keys (ctrl-p ctrl-q); the session goes on.
  const result = await system.interactive([m.runtime.executable, "attach", m.container]);
  return result.code;
}
