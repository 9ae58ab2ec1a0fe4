/**
 * Copy of the ChatGPT login that Codex stores (`~/.codex/auth.json`) into
 * Pi's credential store (`~/.pi/agent/auth.json`), under the key
 * `openai-codex`, keeping every other key of Pi's file.
 *
 * @example
 * ```ts
 * import { codexLogin, upsertPiAuth } from "./pi_auth.ts";
 * const login = codexLogin(
 *   JSON.stringify({ tokens: { access_token: "x.y.z", refresh_token: "r" } }),
 *   "/h/.codex/auth.json",
 * );
 * upsertPiAuth(null, login, "/h/.pi/agent/auth.json");
 * // '{\n  "openai-codex": {\n    "type": "oauth", ... "expires": 0\n  }\n}\n'
 * ```
 */
import { LlmError } from "../errors.ts";

/** The key under which Pi keeps its ChatGPT (Codex) login. */
export const PI_CODEX_KEY = "openai-codex";

/** The tokens of a ChatGPT login, as Codex saved them. */
export interface CodexLogin {
  readonly access: string;
  readonly refresh: string;
  readonly accountId?: string;
}

/** Pi's record of an OAuth login. */
export interface PiOAuthEntry {
  readonly type: "oauth";
  readonly access: string;
  readonly refresh: string;
  /** Expiry of the access token, in milliseconds since the epoch; 0 when unknown. */
  readonly expires: number;
  readonly accountId?: string;
}

/**
 * Read Codex's `auth.json` text. Throws `LlmError` naming `path` when it is
 * not JSON or lacks `tokens.access_token` / `tokens.refresh_token`.
 */
export function codexLogin(text: string, path: string): CodexLogin {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new LlmError(`${path} is not valid JSON; run 'codex login' to recreate it`);
  }
  const tokens = isObject(data) ? data.tokens : undefined;
  if (!isObject(tokens)) {
    throw new LlmError(
      `${path} has no ChatGPT tokens (is Codex logged in with an API key?); run 'codex login'`,
    );
  }
  const access = tokens.access_token;
  const refresh = tokens.refresh_token;
  if (typeof access !== "string" || access === "" || typeof refresh !== "string" || !refresh) {
    throw new LlmError(
      `${path} lacks tokens.access_token or tokens.refresh_token; run 'codex login'`,
    );
  }
  const accountId = tokens.account_id;
  return typeof accountId === "string" && accountId !== ""
    ? { access, refresh, accountId }
    : { access, refresh };
}

/**
 * The `exp` claim (seconds since the epoch) of a JWT's payload, read without
 * verifying the signature; null when the token cannot be decoded.
 *
 * @example
 * ```ts
 * import { jwtExpiry } from "./pi_auth.ts";
 * jwtExpiry("e30." + btoa('{"exp":1700000000}').replaceAll("=", "") + ".sig"); // 1700000000
 * jwtExpiry("not a jwt"); // null
 * ```
 */
export function jwtExpiry(token: string): number | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const b64 = parts[1].replaceAll("-", "+").replaceAll("_", "/");
    const padded = b64 + "=".repeat((4 - b64.length % 4) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    const payload: unknown = JSON.parse(new TextDecoder().decode(bytes));
    const exp = isObject(payload) ? payload.exp : undefined;
    return typeof exp === "number" && Number.isFinite(exp) ? exp : null;
  } catch {
    return null;
  }
}

/** Pi's entry for a Codex login: `expires` from the access token's JWT, 0 when undecodable. */
export function piEntry(login: CodexLogin): PiOAuthEntry {
  const exp = jwtExpiry(login.access);
  const entry: PiOAuthEntry = {
    type: "oauth",
    access: login.access,
    refresh: login.refresh,
    expires: exp === null ? 0 : exp * 1000,
  };
  return login.accountId === undefined ? entry : { ...entry, accountId: login.accountId };
}

/**
 * The new text of Pi's `auth.json` (`text` null when absent) with the
 * `openai-codex` key set from `login` and every other key kept in place.
 * Throws `LlmError` naming `path` when the existing file is not a JSON
 * object, so a file Pi cannot read either is never overwritten.
 */
export function upsertPiAuth(text: string | null, login: CodexLogin, path: string): string {
  let data: Record<string, unknown> = {};
  if (text !== null && text.trim() !== "") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new LlmError(`${path} is not valid JSON; fix or remove it, then run again`);
    }
    if (!isObject(parsed)) {
      throw new LlmError(`${path} must hold a JSON object; fix or remove it, then run again`);
    }
    data = parsed;
  }
  return JSON.stringify({ ...data, [PI_CODEX_KEY]: piEntry(login) }, null, 2) + "\n";
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
