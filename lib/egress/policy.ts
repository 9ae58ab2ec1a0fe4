/**
 * The network policy of one launch: `open`, `allow` or `none`, and under
 * `allow` the hosts that may be reached.
 *
 * Where it comes from: the user's layers (the user config file, then the
 * command line; a later `network` wins, host entries add up) and the
 * project's `.llm.yaml`. The project file may only tighten: the modes are
 * ordered open < allow < none and the stricter of the user's and the
 * project's wins; under `allow` the hosts reachable are those both sides
 * allow, where each side allows the agent's built-in list plus its own
 * entries, and a side whose mode is `open` allows everything. So a project
 * file can narrow the user's list, or turn an `open` user into `allow` with
 * the project's list, but never add a host the user's `allow` list lacks.
 *
 * `--allow-host` or `--allow-set` on the command line without any
 * `network` setting means `allow`: naming hosts to let through only makes
 * sense when the rest is held back.
 */
import { UsageError } from "../errors.ts";
import {
  type AllowEntry,
  intersectEntries,
  listAllows,
  parseAllowEntry,
  printable,
} from "./allowlist.ts";
import { agentAllowList, allowSet } from "./hosts.ts";

/**
 * The option a project file's `network:` sets. Kept apart from `network`,
 * where the command line would override it: a project's policy is combined
 * with the user's, the stricter winning (below).
 */
export const PROJECT_NETWORK = "project-network";

/** The three policies, loosest first. */
export const NETWORK_MODES = ["open", "allow", "none"] as const;
export type NetworkMode = typeof NETWORK_MODES[number];

/** One place the policy is set. */
export interface NetworkLayer {
  /** For messages: `--network`, `~/.config/llm/config.yaml:3`, ... */
  readonly source: string;
  readonly mode?: NetworkMode;
  /** Allow entries as written (`--allow-host`, `allow_hosts:`). */
  readonly hosts?: readonly string[];
  /** Where each of `hosts` came from, for messages; default `source`. */
  readonly hostSources?: readonly string[];
  /** Named sets (`--allow-set`, `allow_sets:`). */
  readonly sets?: readonly string[];
  /** Entries here without a mode anywhere mean `allow` (true for the command line). */
  readonly impliesAllow?: boolean;
}

/** What `resolveNetworkPolicy` needs. */
export interface PolicyInput {
  /** Agent name, for its built-in list (see hosts.ts). */
  readonly agent: string;
  /** Regions whose Bedrock endpoints the agent needs; default none. */
  readonly bedrockRegions?: readonly string[];
  /** The user's layers, lowest precedence first (user config, then command line). */
  readonly user: readonly NetworkLayer[];
  /** The project file's layer, when there is one and it is trusted. */
  readonly project?: NetworkLayer;
  /** Mode when nobody sets one; default `open` (no filtering, as before). */
  readonly defaultMode?: NetworkMode;
}

/** The decided policy. */
export interface NetworkPolicy {
  readonly mode: NetworkMode;
  /** Under `allow`, every entry that lets a connection through; else empty. */
  readonly entries: readonly AllowEntry[];
  /** The agent's built-in part of `entries`. */
  readonly builtin: readonly AllowEntry[];
  /** One-line remarks worth showing the user (a tightening, an ignored entry). */
  readonly notes: readonly string[];
}

/**
 * Parse a `--network` or `network:` value.
 *
 * @example
 * ```ts
 * import { parseNetworkMode } from "./policy.ts";
 * parseNetworkMode("allow"); // "allow"
 * ```
 */
export function parseNetworkMode(text: string, origin = "--network"): NetworkMode {
  if ((NETWORK_MODES as readonly string[]).includes(text)) return text as NetworkMode;
  throw new UsageError(
    `${origin}: expected one of ${NETWORK_MODES.join(", ")}, got '${printable(text)}'`,
  );
}

/** The stricter of two modes. */
export function stricterMode(a: NetworkMode, b: NetworkMode): NetworkMode {
  return NETWORK_MODES.indexOf(a) >= NETWORK_MODES.indexOf(b) ? a : b;
}

/**
 * Decide the policy of a launch. Bad entries or set names are usage errors
 * naming the entry and where it was written.
 *
 * @example
 * ```ts
 * import { resolveNetworkPolicy } from "./policy.ts";
 * const policy = resolveNetworkPolicy({
 *   agent: "codex",
 *   user: [{ source: "--network", mode: "allow", hosts: ["pypi.org"] }],
 * });
 * policy.mode; // "allow"
 * ```
 */
export function resolveNetworkPolicy(input: PolicyInput): NetworkPolicy {
  const notes: string[] = [];
  const userEntries = input.user.flatMap(layerEntries);
  const setBy = [...input.user].reverse().find((l) => l.mode !== undefined);
  let userMode = setBy?.mode ?? input.defaultMode ?? "open";
  const implying = input.user.find((l) => l.impliesAllow && hasEntries(l));
  if (!setBy && implying && userMode === "open") userMode = "allow";
  if (setBy && userMode !== "allow") {
    for (const layer of input.user) {
      if (layer.impliesAllow && hasEntries(layer)) {
        notes.push(`${layer.source}: allowed hosts have no effect with network ${userMode}`);
      }
    }
  }
  const project = input.project;
  const projectMode = project?.mode;
  const projectEntries = project ? layerEntries(project) : [];
  let mode = userMode;
  if (project && projectMode !== undefined) {
    mode = stricterMode(userMode, projectMode);
    if (mode !== userMode) {
      notes.push(
        `${project.source}: the project file sets network ${mode} (it may tighten network ` +
          `${userMode}, never loosen it)`,
      );
    } else if (projectMode !== userMode) {
      notes.push(
        `${project.source}: network ${projectMode} ignored: a project file may only tighten ` +
          `network ${userMode}`,
      );
    }
  }
  if (project && projectMode !== "allow" && projectEntries.length > 0) {
    notes.push(
      `${project.source}: allowed hosts in a project file apply only with its network: allow`,
    );
  }
  if (mode !== "allow") return { mode, entries: [], builtin: [], notes };

  // Only now: parsing the agent's built-in list costs a launch under open about a millisecond.
  const builtin = agentAllowList(input.agent, { bedrockRegions: input.bedrockRegions });

  const userSide = userMode === "allow" ? [...builtin, ...userEntries] : undefined;
  const projectSide = projectMode === "allow" ? [...builtin, ...projectEntries] : undefined;
  let entries: AllowEntry[];
  if (userSide && projectSide) {
    entries = [...builtin];
    for (const p of projectEntries) {
      const common = userSide.map((u) => intersectEntries(u, p)).filter((e) => e !== undefined);
      entries.push(...common);
      if (common.length === 0) {
        notes.push(
          `${project?.source}: '${p.text}' stays blocked: the project file may only narrow ` +
            `your allowed hosts (add --allow-host ${p.text} to allow it)`,
        );
      }
    }
    // A user entry the project does not repeat stays allowed only where a
    // built-in entry also allows it: that part is already in `builtin`.
  } else {
    entries = userSide ?? projectSide ?? [...builtin];
  }
  return { mode, entries: dedupe(entries), builtin, notes };
}

/**
 * Whether `policy` lets a connection to `host:port` through.
 *
 * @example
 * ```ts
 * import { policyAllows, resolveNetworkPolicy } from "./policy.ts";
 * const policy = resolveNetworkPolicy({ agent: "claude", user: [{ source: "t", mode: "allow" }] });
 * policyAllows(policy, "api.anthropic.com", 443); // true
 * policyAllows(policy, "evil.example", 443); // false
 * ```
 */
export function policyAllows(policy: NetworkPolicy, host: string, port: number): boolean {
  if (policy.mode === "open") return true;
  if (policy.mode === "none") return false;
  return listAllows(policy.entries, host, port);
}

function layerEntries(layer: NetworkLayer): AllowEntry[] {
  const hosts = (layer.hosts ?? []).map((h, i) =>
    parseAllowEntry(h, layer.hostSources?.[i] ?? layer.source)
  );
  const sets = (layer.sets ?? []).flatMap((name) => allowSet(name, layer.source));
  return [...hosts, ...sets];
}

function hasEntries(layer: NetworkLayer): boolean {
  return (layer.hosts?.length ?? 0) + (layer.sets?.length ?? 0) > 0;
}

function dedupe(entries: readonly AllowEntry[]): AllowEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    const key = `${e.wildcard ? "*." : ""}${e.host}|${e.ports.join(",")}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
