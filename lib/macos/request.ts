/**
 * From the command line of `llm setup-macos-volume` to a checked request.
 */
import { UsageError } from "../errors.ts";
import type { ParsedOptions } from "../cli/parse.ts";
import { quoteWord } from "../text/shell_words.ts";

/** The volume name used when `--name` is not given. */
export const DEFAULT_VOLUME_NAME = "devel";

/** What the user asked `setup-macos-volume` to do. */
export interface SetupRequest {
  /** Volume name: the volume mounts at `/Volumes/<name>`. */
  readonly name: string;
  /** `--machine`; undefined means podman's default machine. */
  readonly machine?: string;
  readonly yes: boolean;
  readonly dryRun: boolean;
  readonly check: boolean;
  readonly verbose: boolean;
}

/**
 * Build and check a request. Names end up in `--volume SRC:DST` and in
 * paths, so `:` and `/` are refused.
 *
 * @example
 * ```ts
 * import { setupRequest } from "./request.ts";
 * import { emptyOptions } from "../cli/parse.ts";
 * setupRequest(emptyOptions(), []).name; // "devel"
 * ```
 */
export function setupRequest(options: ParsedOptions, args: readonly string[]): SetupRequest {
  if (args.length > 0) {
    throw new UsageError(
      `setup-macos-volume takes no arguments (got '${args[0]}'); name the volume with --name`,
    );
  }
  const name = options.values.get("name") ?? DEFAULT_VOLUME_NAME;
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,254}$/.test(name) || name.trim() !== name) {
    throw new UsageError(
      `--name '${name}' is not a usable volume name: use letters, digits, space, '.', '_' or '-', ` +
        `starting with a letter or digit (no '/' or ':')`,
    );
  }
  const machine = options.values.get("machine");
  if (machine !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(machine)) {
    throw new UsageError(
      `--machine '${machine}' is not a podman machine name: use letters, digits, '_', '.' or '-'`,
    );
  }
  return {
    name,
    machine,
    yes: options.flags.has("yes"),
    dryRun: options.flags.has("dry-run"),
    check: options.flags.has("check"),
    verbose: options.flags.has("verbose"),
  };
}

/** Where the volume mounts: `/Volumes/<name>`. */
export function volumePath(name: string): string {
  return `/Volumes/${name}`;
}

/** The command that sets everything up for this request, for messages. */
export function fixCommand(request: Pick<SetupRequest, "name" | "machine">): string {
  const parts = ["llm", "setup-macos-volume"];
  if (request.name !== DEFAULT_VOLUME_NAME) parts.push("--name", quoteWord(request.name));
  if (request.machine !== undefined) parts.push("--machine", request.machine);
  return parts.join(" ");
}
