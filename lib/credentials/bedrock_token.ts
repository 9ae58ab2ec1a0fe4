/**
 * AWS's short-term Bedrock API key, made from temporary AWS credentials: a
 * SigV4-presigned `https://bedrock.amazonaws.com/?Action=CallWithBearerToken`
 * URL for service `bedrock`, without the scheme, with `&Version=1` appended,
 * base64-encoded and prefixed `bedrock-api-key-` (the scheme AWS's
 * `@aws/bedrock-token-generator` implements). The signer, AWS's
 * `@smithy/signature-v4`, loads only when a token is made.
 */
import type { AwsCredentials } from "./aws_credentials.ts";

/** The longest lifetime AWS allows for a short-term Bedrock key. */
export const MAX_TOKEN_SECONDS = 12 * 3600;

const HOST = "bedrock.amazonaws.com";
const PREFIX = "bedrock-api-key-";

/** What a token is made from. */
export interface BedrockTokenRequest {
  readonly credentials: AwsCredentials;
  /** AWS region, e.g. `us-east-1`. */
  readonly region: string;
  /** Lifetime, 1 to `MAX_TOKEN_SECONDS`. */
  readonly expiresInSeconds: number;
  /** Signing time. */
  readonly now: Date;
}

/** How long a token made at `now` can live, and what limited it. */
export interface TokenLifetime {
  readonly seconds: number;
  /** True when the AWS credentials expire before the 12-hour maximum. */
  readonly limitedByCredentials: boolean;
}

/**
 * The token's lifetime: 12 hours, or less when the credentials expire
 * sooner; null when they have already expired.
 *
 * @example
 * ```ts
 * import { tokenLifetime } from "./bedrock_token.ts";
 * const now = new Date("2025-01-01T00:00:00Z");
 * tokenLifetime(now, new Date("2025-01-01T03:00:00Z")); // { seconds: 10800, limitedByCredentials: true }
 * tokenLifetime(now, undefined); // { seconds: 43200, limitedByCredentials: false }
 * ```
 */
export function tokenLifetime(now: Date, expiration: Date | undefined): TokenLifetime | null {
  if (!expiration) return { seconds: MAX_TOKEN_SECONDS, limitedByCredentials: false };
  const left = Math.floor((expiration.getTime() - now.getTime()) / 1000);
  if (left < 1) return null;
  return left < MAX_TOKEN_SECONDS
    ? { seconds: left, limitedByCredentials: true }
    : { seconds: MAX_TOKEN_SECONDS, limitedByCredentials: false };
}

/** Make the token; loads the AWS signer on first use. */
export async function bedrockToken(request: BedrockTokenRequest): Promise<string> {
  if (
    !Number.isInteger(request.expiresInSeconds) || request.expiresInSeconds < 1 ||
    request.expiresInSeconds > MAX_TOKEN_SECONDS
  ) {
    throw new RangeError(
      `token lifetime must be 1 to ${MAX_TOKEN_SECONDS} seconds (got ${request.expiresInSeconds})`,
    );
  }
  const [{ SignatureV4 }, { Hash }] = await Promise.all([
    import("@smithy/signature-v4"),
    import("@smithy/hash-node"),
  ]);
  const { accessKeyId, secretAccessKey, sessionToken } = request.credentials;
  const signer = new SignatureV4({
    service: "bedrock",
    region: request.region,
    credentials: sessionToken === undefined
      ? { accessKeyId, secretAccessKey }
      : { accessKeyId, secretAccessKey, sessionToken },
    sha256: Hash.bind(null, "sha256"),
  });
  const presigned = await signer.presign({
    method: "POST",
    protocol: "https:",
    hostname: HOST,
    path: "/",
    headers: { host: HOST },
    query: { Action: "CallWithBearerToken" },
  }, { expiresIn: request.expiresInSeconds, signingDate: request.now });
  const url = `${presigned.hostname}${presigned.path}?${
    queryString(presigned.query ?? {})
  }&Version=1`;
  return PREFIX + btoa(url);
}

/** The query string as AWS's `formatUrl` writes it: keys sorted, both sides URI-escaped. */
function queryString(query: Readonly<Record<string, string | string[] | null>>): string {
  const parts: string[] = [];
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      parts.push(v === null ? escapeUri(key) : `${escapeUri(key)}=${escapeUri(v)}`);
    }
  }
  return parts.join("&");
}

function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
