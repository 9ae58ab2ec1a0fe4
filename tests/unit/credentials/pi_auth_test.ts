import { LlmError } from "../../../lib/errors.ts";
import { codexLogin, jwtExpiry, piEntry, upsertPiAuth } from "../../../lib/credentials/pi_auth.ts";
import { assertEquals, assertThrows } from "../../_assert.ts";

/** A JWT with `payload`, base64url without padding as real tokens are. */
function jwt(payload: unknown): string {
  const b64u = (s: string) => btoa(s).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
  return `${b64u('{"alg":"RS256"}')}.${b64u(JSON.stringify(payload))}.c2ln`;
}

const CODEX = "/h/.codex/auth.json";
const PI = "/h/.pi/agent/auth.json";

function codexAuth(tokens: Record<string, unknown>): string {
  return JSON.stringify({ OPENAI_API_KEY: null, tokens, last_refresh: "2026-01-01T00:00:00Z" });
}

Deno.test("jwtExpiry() reads exp from a base64url payload", () => {
  // "~~~" encodes with "-" and "_" in base64url, exercising the alphabet.
  assertEquals(jwtExpiry(jwt({ exp: 1767225600, name: "~~~???" })), 1767225600);
});

Deno.test("jwtExpiry() gives null for a token that is not a JWT", () => {
  assertEquals(jwtExpiry("opaque-token"), null);
  assertEquals(jwtExpiry("a.!!!.c"), null);
  assertEquals(jwtExpiry(jwt({ sub: "no exp" })), null);
  assertEquals(jwtExpiry(jwt({ exp: "soon" })), null);
});

Deno.test("codexLogin() reads access, refresh and account id", () => {
  const text = codexAuth({
    id_token: "i",
    access_token: "a",
    refresh_token: "r",
    account_id: "acc",
  });
  assertEquals(codexLogin(text, CODEX), { access: "a", refresh: "r", accountId: "acc" });
});

Deno.test("codexLogin() leaves the account id out when Codex has none", () => {
  assertEquals(codexLogin(codexAuth({ access_token: "a", refresh_token: "r" }), CODEX), {
    access: "a",
    refresh: "r",
  });
});

Deno.test("codexLogin() rejects a file without tokens, naming it", () => {
  const e = assertThrows(
    () => codexLogin(JSON.stringify({ OPENAI_API_KEY: "sk-x" }), CODEX),
    LlmError,
  );
  assertEquals(e.message.startsWith(CODEX), true);
});

Deno.test("codexLogin() rejects a missing refresh token", () => {
  assertThrows(() => codexLogin(codexAuth({ access_token: "a" }), CODEX), LlmError, CODEX);
});

Deno.test("codexLogin() rejects bad JSON", () => {
  assertThrows(() => codexLogin("{", CODEX), LlmError, "not valid JSON");
});

Deno.test("piEntry() converts exp seconds to milliseconds", () => {
  const access = jwt({ exp: 1767225600 });
  assertEquals(piEntry({ access, refresh: "r", accountId: "acc" }), {
    type: "oauth",
    access,
    refresh: "r",
    expires: 1767225600000,
    accountId: "acc",
  });
});

Deno.test("piEntry() sets expires 0 when the access token cannot be decoded", () => {
  assertEquals(piEntry({ access: "opaque", refresh: "r" }), {
    type: "oauth",
    access: "opaque",
    refresh: "r",
    expires: 0,
  });
});

Deno.test("upsertPiAuth() creates the file content when Pi has none", () => {
  const out = JSON.parse(upsertPiAuth(null, { access: "opaque", refresh: "r" }, PI));
  assertEquals(out, {
    "openai-codex": { type: "oauth", access: "opaque", refresh: "r", expires: 0 },
  });
});

Deno.test("upsertPiAuth() keeps other providers and their order", () => {
  const existing = JSON.stringify({
    anthropic: { type: "api_key", key: "k" },
    "openai-codex": { type: "oauth", access: "old", refresh: "old", expires: 1 },
    google: { type: "oauth", access: "g" },
  });
  const text = upsertPiAuth(existing, { access: "new", refresh: "r2" }, PI);
  const out = JSON.parse(text);
  assertEquals(Object.keys(out), ["anthropic", "openai-codex", "google"]);
  assertEquals(out.anthropic, { type: "api_key", key: "k" });
  assertEquals(out.google, { type: "oauth", access: "g" });
  assertEquals(out["openai-codex"], { type: "oauth", access: "new", refresh: "r2", expires: 0 });
  assertEquals(text.endsWith("}\n"), true);
});

Deno.test("upsertPiAuth() refuses a file that is not JSON, naming it", () => {
  assertThrows(() => upsertPiAuth("{oops", { access: "a", refresh: "r" }, PI), LlmError, PI);
});

Deno.test("upsertPiAuth() refuses JSON that is not an object", () => {
  assertThrows(() => upsertPiAuth("[1, 2]", { access: "a", refresh: "r" }, PI), LlmError, PI);
  assertThrows(() => upsertPiAuth("null", { access: "a", refresh: "r" }, PI), LlmError, PI);
});
