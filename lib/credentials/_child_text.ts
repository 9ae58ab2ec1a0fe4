/**
 * The useful line of a failed child's stderr, for one-line error messages.
 */

/**
 * Why a push failed: ssh's own complaint (e.g. `ssh: connect to host ...:
 * Connection refused`) when there is one, since rsync's last line then only
 * says the stream broke; otherwise rsync's last line.
 */
export function sshReason(stderr: string): string {
  const ssh = stderr.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("ssh: ")).pop();
  return ssh === undefined ? lastLine(stderr) : `: ${ssh}`;
}

/** The last non-empty line of a child's stderr, as `: line`, or nothing. */
export function lastLine(text: string): string {
  const line = text.trim().split("\n").map((l) => l.trim()).filter(Boolean).pop();
  return line === undefined ? "" : `: ${line}`;
}
