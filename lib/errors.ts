/**
 * Errors that end a command with one line on stderr.
 *
 * `LlmError` carries the exit code; `UsageError` is the command line's fault
 * and exits 2, as the style of git and podman users expect.
 */
export class LlmError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = "LlmError";
  }
}

/** A bad command line: unknown option, missing value, malformed spec. Exits 2. */
export class UsageError extends LlmError {
  constructor(message: string) {
    super(message, 2);
    this.name = "UsageError";
  }
}
