/**
 * Trust for project files: a cloned repository is untrusted, so its
 * `.llm.yaml` takes effect only after `llm trust` records its SHA-256 and
 * the restrictions it sets. The agent can edit or delete the file, so the
 * store keeps the restrictions themselves: a trusted file that vanished still
 * has them applied, and one that changed stops the launch.
 */
import { LlmError } from "../errors.ts";
import type { ParsedOptions } from "../cli/parse.ts";
import { PROJECT_NETWORK } from "../egress/policy.ts";

/**
 * What a project file takes away from the agent: paths hidden, paths made
 * read-only, the whole workspace read-only. Everything else a project file
 * may set (mounts, env) grants something, and is dropped when the file goes.
 */
export interface Restrictions {
  readonly mask: readonly string[];
  readonly ro: readonly string[];
  readonly globalReadOnly: boolean;
  /** `network:` and, under allow, its allow lists (which only narrow the user's). */
  readonly network?: NetworkRestriction;
}

/** A project file's network policy, kept so it outlives the file. */
export interface NetworkRestriction {
  readonly mode: string;
  readonly hosts: readonly string[];
  readonly sets: readonly string[];
}

/** One trusted file. */
export interface TrustEntry {
  readonly sha256: string;
  /** Absent in stores written before restrictions were kept (version 1). */
  readonly restrictions?: Restrictions;
  /** ISO time of `llm trust`, when known. */
  readonly trustedAt?: string;
}

/** Trusted files by absolute path. */
export type TrustStore = Map<string, TrustEntry>;

/** The store's format version written now. */
export const TRUST_STORE_VERSION = 2;

/** SHA-256 of `text`, hex. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The restrictions in a project file's options layer. */
export function restrictionsOf(options: ParsedOptions): Restrictions {
  const mode = options.values.get(PROJECT_NETWORK);
  return {
    mask: [...(options.lists.get("mask") ?? [])],
    ro: [...(options.lists.get("ro") ?? [])],
    globalReadOnly: options.flags.has("global-read-only"),
    ...(mode === undefined ? {} : {
      network: {
        mode,
        hosts: [...(options.lists.get("allow-host") ?? [])],
        sets: [...(options.lists.get("allow-set") ?? [])],
      },
    }),
  };
}

/** An options layer applying `r`, each setting labelled `source`. */
export function restrictionLayer(r: Restrictions, source: string): ParsedOptions {
  const lists = new Map<string, string[]>();
  const sources = new Map<string, string[]>();
  for (const [name, items] of [["mask", r.mask], ["ro", r.ro]] as const) {
    if (items.length === 0) continue;
    lists.set(name, [...items]);
    sources.set(name, items.map(() => source));
  }
  const flags = new Set<string>();
  if (r.globalReadOnly) {
    flags.add("global-read-only");
    sources.set("global-read-only", [source]);
  }
  const values = new Map<string, string>();
  if (r.network) {
    values.set(PROJECT_NETWORK, r.network.mode);
    sources.set(PROJECT_NETWORK, [source]);
    const kept = [["allow-host", r.network.hosts], ["allow-set", r.network.sets]] as const;
    for (const [name, items] of kept) {
      if (items.length === 0) continue;
      lists.set(name, [...items]);
      sources.set(name, items.map(() => source));
    }
  }
  return { flags, values, lists, sources };
}

/** `mask secrets, .env; ro data; global read-only`, or `no restrictions`. */
export function describeRestrictions(r: Restrictions): string {
  const parts: string[] = [];
  if (r.mask.length) parts.push(`mask ${r.mask.join(", ")}`);
  if (r.ro.length) parts.push(`ro ${r.ro.join(", ")}`);
  if (r.globalReadOnly) parts.push("global read-only");
  if (r.network) parts.push(`network ${networkText(r.network)}`);
  return parts.length ? parts.join("; ") : "no restrictions";
}

/** How `now` differs from `before`, as phrases: `drops mask secrets`, `adds ro data`. */
export function restrictionChanges(before: Restrictions, now: Restrictions): string[] {
  const out: string[] = [];
  for (const name of ["mask", "ro"] as const) {
    const dropped = before[name].filter((p) => !now[name].includes(p));
    const added = now[name].filter((p) => !before[name].includes(p));
    if (dropped.length) out.push(`drops ${name} ${dropped.join(", ")}`);
    if (added.length) out.push(`adds ${name} ${added.join(", ")}`);
  }
  if (before.globalReadOnly && !now.globalReadOnly) out.push("drops global_read_only");
  if (!before.globalReadOnly && now.globalReadOnly) out.push("adds global_read_only");
  const [was, is] = [before.network, now.network];
  if (was && !is) out.push(`drops network ${networkText(was)}`);
  if (!was && is) out.push(`adds network ${networkText(is)}`);
  if (was && is && networkText(was) !== networkText(is)) {
    out.push(`changes network ${networkText(was)} to ${networkText(is)}`);
  }
  return out;
}

/** `allow (pypi.org, github)`, `none`. */
function networkText(n: NetworkRestriction): string {
  const list = n.mode === "allow" ? [...n.hosts, ...n.sets] : [];
  return list.length ? `${n.mode} (${list.join(", ")})` : n.mode;
}

/**
 * Parse the trust store; a malformed one is an error naming it (and is never
 * overwritten). Reads version 2 (`{"version": 2, "files": {...}}`) and the
 * version 1 map of path to checksum.
 */
export function parseTrustStore(text: string | null, path: string): TrustStore {
  const store: TrustStore = new Map();
  if (text === null) return store;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new LlmError(
      `${path} is not valid JSON; fix or remove it (it lists trusted project files)`,
    );
  }
  const bad = (what: string): never => {
    throw new LlmError(`${path}: ${what}; fix or remove it (it lists trusted project files)`);
  };
  if (!isObject(data)) bad("expected a JSON object");
  const top = data as Record<string, unknown>;
  if (!("version" in top)) {
    for (const [file, sum] of Object.entries(top)) {
      if (!isChecksum(sum)) bad(`entry ${file} is not a SHA-256 checksum`);
      store.set(file, { sha256: sum as string });
    }
    return store;
  }
  if (top.version !== TRUST_STORE_VERSION) {
    bad(
      `version ${JSON.stringify(top.version)} is not one this llm reads (${TRUST_STORE_VERSION})`,
    );
  }
  if (!isObject(top.files)) bad("'files' must be an object of path to entry");
  for (const [file, raw] of Object.entries(top.files as Record<string, unknown>)) {
    if (!isObject(raw)) bad(`entry ${file} must be an object`);
    const e = raw as Record<string, unknown>;
    if (!isChecksum(e.sha256)) bad(`entry ${file}: sha256 is not a SHA-256 checksum`);
    if (e.trusted_at !== undefined && typeof e.trusted_at !== "string") {
      bad(`entry ${file}: trusted_at must be a string`);
    }
    const r = e.restrictions;
    let restrictions: Restrictions | undefined;
    if (r !== undefined) {
      if (!isObject(r)) bad(`entry ${file}: restrictions must be an object`);
      const { mask, ro, global_read_only } = r as Record<string, unknown>;
      if (!isStrings(mask) || !isStrings(ro) || typeof global_read_only !== "boolean") {
        bad(`entry ${file}: restrictions need mask and ro lists and global_read_only`);
      }
      const network = (r as Record<string, unknown>).network;
      if (network !== undefined) {
        const n = network as Record<string, unknown>;
        if (
          !isObject(network) || typeof n.mode !== "string" || !isStrings(n.allow_hosts) ||
          !isStrings(n.allow_sets)
        ) {
          bad(`entry ${file}: restrictions.network needs mode, allow_hosts and allow_sets`);
        }
      }
      const n = network as Record<string, unknown> | undefined;
      restrictions = {
        mask: mask as string[],
        ro: ro as string[],
        globalReadOnly: global_read_only as boolean,
        ...(n === undefined ? {} : {
          network: {
            mode: n.mode as string,
            hosts: n.allow_hosts as string[],
            sets: n.allow_sets as string[],
          },
        }),
      };
    }
    store.set(file, {
      sha256: e.sha256 as string,
      trustedAt: e.trusted_at as string | undefined,
      restrictions,
    });
  }
  return store;
}

/**
 * The store as JSON (version 2). Version 1 entries stay without
 * restrictions: they are unknown until the file is trusted again.
 */
export function serializeTrustStore(store: TrustStore): string {
  const files: Record<string, unknown> = {};
  for (const [file, e] of [...store].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)) {
    files[file] = {
      sha256: e.sha256,
      ...(e.trustedAt === undefined ? {} : { trusted_at: e.trustedAt }),
      ...(e.restrictions === undefined ? {} : {
        restrictions: {
          mask: e.restrictions.mask,
          ro: e.restrictions.ro,
          global_read_only: e.restrictions.globalReadOnly,
          ...(e.restrictions.network === undefined ? {} : {
            network: {
              mode: e.restrictions.network.mode,
              allow_hosts: e.restrictions.network.hosts,
              allow_sets: e.restrictions.network.sets,
            },
          }),
        },
      }),
    };
  }
  return JSON.stringify({ version: TRUST_STORE_VERSION, files }, null, 2) + "\n";
}

function isObject(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isStrings(v: unknown): boolean {
  return Array.isArray(v) && v.every((s) => typeof s === "string");
}

function isChecksum(v: unknown): boolean {
  return typeof v === "string" && /^[0-9a-f]{64}$/.test(v);
}
