/**
 * Trust for project files: a cloned repository is untrusted, so its
 * `.llm.yaml` takes effect only after `llm trust` records its SHA-256; any
 * change needs trusting again.
 */
import { LlmError } from "../errors.ts";

/** Checksums of trusted files by absolute path. */
export type TrustStore = Record<string, string>;

/** SHA-256 of `text`, hex. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Parse the trust store; a malformed one is an error naming it (and is never overwritten). */
export function parseTrustStore(text: string | null, path: string): TrustStore {
  if (text === null) return {};
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new LlmError(
      `${path} is not valid JSON; fix or remove it (it lists trusted project files)`,
    );
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new LlmError(`${path} must be a JSON object of path to SHA-256; fix or remove it`);
  }
  const store: TrustStore = {};
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== "string") throw new LlmError(`${path}: entry ${k} is not a checksum string`);
    store[k] = v;
  }
  return store;
}

/** How a project file stands. */
export type TrustState = "trusted" | "untrusted" | "changed";

/** Compare a file's checksum with the store. */
export function trustState(store: TrustStore, path: string, checksum: string): TrustState {
  const known = store[path];
  if (known === undefined) return "untrusted";
  return known === checksum ? "trusted" : "changed";
}
