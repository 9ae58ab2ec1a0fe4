/**
 * Reading what `aws configure export-credentials` prints (the
 * `credential_process` JSON format) and judging whether it can be used.
 *
 * @example
 * ```ts
 * import { parseExportedCredentials } from "./aws_credentials.ts";
 * parseExportedCredentials(
 *   '{"Version":1,"AccessKeyId":"AKID","SecretAccessKey":"s","Expiration":"2030-01-01T00:00:00Z"}',
 * )?.expiration; // Date 2030-01-01T00:00:00.000Z
 * ```
 */

/** The AWS CLI command that prints the current credentials. */
export const EXPORT: readonly string[] = ["aws", "configure", "export-credentials"];

/** Temporary AWS credentials. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** When they stop working; undefined for long-term keys. */
  readonly expiration?: Date;
}

/**
 * The credentials in `text`, or null when it is not the JSON that
 * `export-credentials` prints or lacks a key id or secret. An unreadable
 * `Expiration` also gives null: a refresh cannot promise anything about it.
 */
export function parseExportedCredentials(text: string): AwsCredentials | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) return null;
  const d = data as Record<string, unknown>;
  const id = d.AccessKeyId;
  const secret = d.SecretAccessKey;
  if (typeof id !== "string" || id === "" || typeof secret !== "string" || secret === "") {
    return null;
  }
  const token = typeof d.SessionToken === "string" && d.SessionToken !== ""
    ? d.SessionToken
    : undefined;
  let expiration: Date | undefined;
  if (d.Expiration !== undefined && d.Expiration !== null) {
    if (typeof d.Expiration !== "string") return null;
    expiration = new Date(d.Expiration);
    if (Number.isNaN(expiration.getTime())) return null;
  }
  return {
    accessKeyId: id,
    secretAccessKey: secret,
    ...(token === undefined ? {} : { sessionToken: token }),
    ...(expiration === undefined ? {} : { expiration }),
  };
}

/** Minimum remaining lifetime for credentials to count as usable. */
export const MIN_LIFETIME_MS = 60_000;

/** True when `credentials` exist and stay valid for at least a minute after `now`. */
export function usable(credentials: AwsCredentials | null, now: Date): boolean {
  if (!credentials) return false;
  if (!credentials.expiration) return true;
  return credentials.expiration.getTime() - now.getTime() >= MIN_LIFETIME_MS;
}

/**
 * A short human description of how long is left, e.g. `7h 59m` or `42s`.
 *
 * @example
 * ```ts
 * import { formatDuration } from "./aws_credentials.ts";
 * formatDuration(3 * 3600_000 + 5 * 60_000); // "3h 05m"
 * ```
 */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m`;
  return `${s}s`;
}
