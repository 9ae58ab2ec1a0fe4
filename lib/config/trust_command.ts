/**
 * `llm trust`: record (or remove) a project file's checksum.
 */
import { LlmError, UsageError } from "../errors.ts";
import type { CommandContext } from "../cli/command.ts";
import { dirname, join, resolve } from "../std/path.ts";
import { readConfigText } from "./load.ts";
import { PROJECT_FILE, trustStorePath } from "./paths.ts";
import { parseConfigFile } from "./load.ts";
import { parseTrustStore, sha256Hex } from "./trust.ts";

/** Run `llm trust`. */
export async function run({ options, args, system }: CommandContext): Promise<number> {
  if (args.length > 1) throw new UsageError("llm trust takes at most one file");
  const path = resolve(system.cwd, args[0] ?? join(system.cwd, PROJECT_FILE));
  const storePath = trustStorePath(system.env, system.home);
  const store = parseTrustStore(readConfigText(system, storePath), storePath);
  const dryRun = options.flags.has("dry-run");
  if (options.flags.has("remove")) {
    if (!(path in store)) {
      system.stderr(`llm: ${path} was not trusted; nothing to do\n`);
      return 0;
    }
    delete store[path];
  } else {
    const text = readConfigText(system, path);
    if (text === null) throw new LlmError(`${path} does not exist; nothing to trust`);
    // Refuse to trust a file that would fail at every launch.
    await parseConfigFile(text, path, "project");
    store[path] = await sha256Hex(text);
  }
  const content = JSON.stringify(store, null, 2) + "\n";
  if (dryRun) {
    system.stdout(`would write ${storePath}\n`);
    return 0;
  }
  system.mkdir(dirname(storePath), 0o700);
  system.writeFileAtomic(storePath, content, 0o600);
  system.stdout(
    options.flags.has("remove")
      ? `no longer trusted: ${path}\n`
      : `trusted ${path} (sha256 ${store[path].slice(0, 12)}…)\n`,
  );
  return 0;
}
