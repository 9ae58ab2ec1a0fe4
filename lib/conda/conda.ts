/**
 * `llm conda [conda args...]`: the bootstrapped Linux conda, run in the
 * container with the install's `bin` first on PATH.
 */
import type { CommandContext } from "../cli/command.ts";
import { launchAgent } from "../commands/agent.ts";
import { LlmError } from "../errors.ts";
import { dirname } from "../std/path.ts";
import { problemLine } from "../text/colour.ts";
import { quoteWord } from "../text/shell_words.ts";
import {
  condaAgent,
  condaLaunchOptions,
  createHostDirs,
  launchView,
  plannedHostDirs,
} from "./launch.ts";
import { checkPrefixHost, condaExecutable, resolvePrefix } from "./paths.ts";

/** Run conda with the command's arguments; resolves to conda's exit code. */
export async function run(context: CommandContext): Promise<number> {
  const { options, args, system } = context;
  const dryRun = options.flags.has("dry-run");
  const prefix = resolvePrefix(options.values.get("prefix"), system);
  for (const w of checkPrefixHost(prefix.path, system)) {
    system.stderr(await problemLine(system, "warning", w));
  }
  const conda = condaExecutable(prefix.path);
  if (system.stat(conda) === null) {
    const bootstrap = `llm conda-bootstrap${
      prefix.explicit ? ` --prefix ${quoteWord(prefix.path)}` : ""
    }`;
    const message = `no Miniforge at ${prefix.path} (${conda} is missing); install it with ` +
      `'${bootstrap}'`;
    if (!dryRun) throw new LlmError(message);
    system.stderr(await problemLine(system, "warning", message));
  }
  let view = system;
  // The prefix's parent is mounted, so environments beside the install work.
  const shared = dirname(prefix.path);
  if (dryRun) view = launchView(system, { exists: plannedHostDirs(system.home, shared) });
  else createHostDirs(system, shared);
  // The absolute path does not depend on how a runtime searches PATH.
  const agent = condaAgent("conda", (a) => [conda, ...a]);
  const launchOptions = condaLaunchOptions(options, { home: system.home, prefix: prefix.path });
  return await launchAgent(agent, args, launchOptions, view);
}
