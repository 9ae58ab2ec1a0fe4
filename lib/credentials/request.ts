/**
 * From `llm refresh`'s parsed options to a plain description of what to do,
 * with every bad combination rejected before anything runs.
 */
import type { ParsedOptions } from "../cli/parse.ts";
import { UsageError } from "../errors.ts";
import { type KindChoice, parseKind } from "./kinds.ts";
import { checkSshOption, destination } from "./rsync.ts";

/** What a refresh does. */
export interface RefreshRequest {
  readonly kind: KindChoice;
  /** `host` or `user@host` to push to, or undefined for a local refresh only. */
  readonly destination?: string;
  readonly sshOptions: readonly string[];
  readonly full: boolean;
  readonly showFiles: boolean;
  readonly exportCreds: boolean;
  readonly bedrockExport: boolean;
  readonly dryRun: boolean;
  readonly verbose: boolean;
}

/**
 * Build the request. `env` supplies the default `--user` (`USER`, then
 * `LOGNAME`). Throws `UsageError` for stray arguments and for options that
 * only make sense together (`--user`, `--ssh-option` and `--full` need
 * `--remote`; `--bedrock-export` prints a token and does nothing else).
 */
export function refreshRequest(
  options: ParsedOptions,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): RefreshRequest {
  if (args.length > 0) {
    throw new UsageError(
      `llm refresh takes no arguments (got '${args[0]}'); did you mean --remote ${args[0]}?`,
    );
  }
  const kind = parseKind(options.values.get("kind"));
  const remote = options.values.get("remote");
  const user = options.values.get("user");
  const sshOptions = (options.lists.get("ssh-option") ?? []).map(checkSshOption);
  const full = options.flags.has("full");
  const showFiles = options.flags.has("show-files");
  const bedrockExport = options.flags.has("bedrock-export");
  if (remote === undefined) {
    if (user !== undefined) throw new UsageError("--user needs --remote HOST");
    if (sshOptions.length > 0) throw new UsageError("--ssh-option needs --remote HOST");
    if (full && !showFiles) throw new UsageError("--full needs --remote HOST (or --show-files)");
  }
  if (bedrockExport) {
    const clash = ["remote", "show-files", "full", "no-export-creds"].find((n) =>
      options.flags.has(n) || options.values.has(n)
    );
    if (clash !== undefined) {
      throw new UsageError(
        `--bedrock-export only prints a token; drop --${clash} or run it separately`,
      );
    }
  }
  const defaultUser = env.USER || env.LOGNAME || undefined;
  return {
    kind,
    ...(remote === undefined ? {} : {
      destination: destination(remote, user ?? (remote.includes("@") ? undefined : defaultUser)),
    }),
    sshOptions,
    full,
    showFiles,
    exportCreds: !options.flags.has("no-export-creds"),
    bedrockExport,
    dryRun: options.flags.has("dry-run"),
    verbose: options.flags.has("verbose"),
  };
}
