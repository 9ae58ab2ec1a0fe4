/**
 * The one rsync command that pushes credential files to a remote host: the
 * same paths under the remote home (`--relative`), owner-only permissions on
 * arrival, over ssh with the options the user gave.
 *
 * Symlinks are never dereferenced: `--links` sends a link as a link (no
 * `--copy-links` or `--copy-unsafe-links`), and `--safe-links` drops links
 * that point outside the pushed tree (absolute, or too many `..`), so an
 * agent's link in a skills directory cannot re-point anything on the remote
 * host. Links on the way to a pushed path, which rsync would follow, are
 * refused before rsync runs (refresh.ts).
 *
 * @example
 * ```ts
 * import { rsyncArgv } from "./rsync.ts";
 * rsyncArgv({ home: "/h", paths: [".codex/auth.json"], destination: "me@hpc", sshOptions: [] });
 * // ["rsync", "--recursive", "--links", "--safe-links", "--perms", "--times", "--relative",
 * //  "--chmod=D700,Fu+rw,Fgo-rwx", "/h/./.codex/auth.json", "me@hpc:"]
 * ```
 */
import { UsageError } from "../errors.ts";

/** What to push where. */
export interface PushRequest {
  /** The local home directory the paths are relative to. */
  readonly home: string;
  /** Home-relative paths that exist locally; a trailing `/` marks a directory. */
  readonly paths: readonly string[];
  /** `host` or `user@host`. */
  readonly destination: string;
  /** Options for ssh, each passed as `-o OPTION` (e.g. `Port=2222`). */
  readonly sshOptions: readonly string[];
}

/**
 * Modes on arrival: directories exactly 0700; files lose every group and
 * other bit and gain owner read-write, so 0644 arrives 0600 and an
 * executable skill script 0755 arrives 0700, still runnable by its owner.
 */
export const REMOTE_CHMOD = "D700,Fu+rw,Fgo-rwx";

/** The rsync argv for `request`. */
export function rsyncArgv(request: PushRequest): string[] {
  const argv = [
    "rsync",
    "--recursive",
    "--links",
    "--safe-links",
    "--perms",
    "--times",
    "--relative",
    `--chmod=${REMOTE_CHMOD}`,
  ];
  if (request.sshOptions.length > 0) {
    const ssh = ["ssh", ...request.sshOptions.flatMap((o) => ["-o", o])];
    argv.push("--rsh", ssh.map(rsyncQuote).join(" "));
  }
  const home = request.home.replace(/\/+$/, "");
  // `/./` tells --relative where the remote path starts: at the home.
  for (const p of request.paths) argv.push(`${home}/./${p.replace(/\/+$/, "")}`);
  argv.push(`${request.destination}:`);
  return argv;
}

/**
 * `user@host` from `--remote` and `--user`. Throws `UsageError` on a value
 * that ssh or rsync would read as an option or a path.
 */
export function destination(remote: string, user: string | undefined): string {
  // deno-lint-ignore no-control-regex
  if (remote === "" || remote.startsWith("-") || /[\s/:\x00-\x1f\x7f]/.test(remote)) {
    throw new UsageError(
      `--remote must be a host name or ssh alias such as 'biowulf.nih.gov' (got '${remote}')`,
    );
  }
  const at = remote.lastIndexOf("@");
  if (at >= 0) {
    if (user !== undefined) {
      throw new UsageError(
        `give the user once: --remote ${remote} already names '${remote.slice(0, at)}'`,
      );
    }
    checkUser(remote.slice(0, at), "--remote");
    checkHost(remote.slice(at + 1), remote);
    return remote;
  }
  if (user === undefined || user === "") return remote;
  checkUser(user, "--user");
  return `${user}@${remote}`;
}

/** The host part of `--remote`: ssh and rsync would read `-...` as an option. */
function checkHost(host: string, remote: string): void {
  if (host === "" || host.startsWith("-")) {
    throw new UsageError(
      `--remote: the host in '${remote}' must be a host name or ssh alias such as ` +
        "'biowulf.nih.gov', not empty or starting with '-'",
    );
  }
}

function checkUser(user: string, option: string): void {
  if (!/^[A-Za-z0-9._][A-Za-z0-9._-]*$/.test(user)) {
    throw new UsageError(`${option}: '${user}' is not a user name (letters, digits, . _ -)`);
  }
}

/** Check one `--ssh-option`; throws `UsageError` for a value ssh would misread. */
export function checkSshOption(option: string): string {
  if (option === "" || option.startsWith("-") || !/^[A-Za-z]+[= ]/.test(option)) {
    throw new UsageError(
      `--ssh-option takes an ssh -o option such as 'Port=2222' (got '${option}')`,
    );
  }
  return option;
}

/**
 * Quote a word for rsync's own splitting of `--rsh` (not a shell): single
 * quotes keep spaces, and a doubled single quote inside them stands for one.
 */
export function rsyncQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", "''")}'`;
}
