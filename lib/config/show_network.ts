/**
 * The network part of `llm config show`: the policy a launch would apply
 * and where each part of it came from. It is more than the rows of the
 * settings table, because a project file's `network`, `allow_hosts` and
 * `allow_sets` do not override the user's as other settings do: they only
 * tighten them (lib/egress/policy.ts), so what is in effect must be worked
 * out the way a launch does.
 */
import type { ParsedOptions } from "../cli/parse.ts";
import { sourceOf } from "../cli/parse.ts";
import { type AllowEntry, intersectEntries, parseAllowEntry } from "../egress/allowlist.ts";
import { allowSet } from "../egress/hosts.ts";
import { type NetworkMode, PROJECT_NETWORK, resolveNetworkPolicy } from "../egress/policy.ts";
import { isProjectSource, networkRequest } from "../launch/request.ts";

/** One host a launch lets through besides the agent's built-in list. */
export interface AllowedHost {
  /** The entry in effect (after a project file narrowed it, if it did). */
  readonly value: string;
  /** Every setting that allows it, as in the settings table. */
  readonly sources: readonly string[];
}

/** The effective network policy, for `config show`. */
export interface NetworkSummary {
  readonly mode: NetworkMode;
  /** Where `mode` came from, as in the settings table (`default`, `FILE:LINE`, `flag --network`). */
  readonly source: string;
  /** The project file's own `network`, when it has one. */
  readonly project?: { readonly value: string; readonly source: string };
  /** Under `allow`, the hosts added to every agent's built-in list; else empty. */
  readonly allowed: readonly AllowedHost[];
  /** Tightenings and entries without effect, as a launch notes them. */
  readonly notes: readonly string[];
}

/**
 * How a setting's source reads in `config show`: `flag --name`, `env
 * LLM_...`, or the file and line as they are.
 */
export function sourceLabel(options: ParsedOptions, name: string, index = 0): string {
  const s = sourceOf(options, name, index);
  return s.startsWith("--") ? `flag ${s}` : s.startsWith("LLM_") ? `env ${s}` : s;
}

/**
 * The network policy the merged `options` give a launch, agent aside: the
 * agent's built-in hosts (lib/egress/hosts.ts) come on top of `allowed`.
 * Bad modes, entries or set names throw the UsageError a launch would.
 */
export function networkSummary(options: ParsedOptions): NetworkSummary {
  const request = networkRequest(options);
  // `shell` carries every agent's built-in list: a project entry that only
  // narrows a built-in host is then neither reported blocked nor listed as added.
  const agent = "shell";
  const policy = resolveNetworkPolicy({ agent, user: request.user, project: request.project });
  const userMode = resolveNetworkPolicy({ agent, user: request.user }).mode;
  const projectValue = options.values.get(PROJECT_NETWORK);
  const project = projectValue === undefined
    ? undefined
    : { value: projectValue, source: sourceLabel(options, PROJECT_NETWORK) };
  const source = policy.mode !== userMode && project
    ? project.source
    : options.values.has("network")
    ? sourceLabel(options, "network")
    : userMode === "allow"
    ? "implied by allowed hosts on the command line"
    : "default";

  // Only a side whose mode is allow contributes hosts (policy.ts).
  const counts = (s: string) =>
    isProjectSource(s) ? project?.value === "allow" : userMode === "allow";
  const written: { entries: AllowEntry[]; source: string }[] = [];
  (options.lists.get("allow-host") ?? []).forEach((host, i) => {
    const s = sourceLabel(options, "allow-host", i);
    if (counts(s)) written.push({ entries: [parseAllowEntry(host, s)], source: s });
  });
  (options.lists.get("allow-set") ?? []).forEach((name, i) => {
    const s = sourceLabel(options, "allow-set", i);
    if (counts(s)) written.push({ entries: allowSet(name, s), source: `${s} (set ${name})` });
  });
  const builtin = new Set(policy.builtin.map((e) => e.text));
  const allowed = policy.entries.filter((e) => !builtin.has(e.text)).map((e) => ({
    value: e.text,
    sources: written.filter((w) => w.entries.some((x) => intersectEntries(x, e))).map((w) =>
      w.source
    ),
  }));
  return {
    mode: policy.mode,
    source,
    ...(project ? { project } : {}),
    allowed,
    notes: policy.notes,
  };
}

/** `networkSummary` as the lines `config show` prints after the settings table. */
export function networkLines(summary: NetworkSummary): string[] {
  const lines = [`network policy: ${summary.mode} (${summary.source})`];
  if (summary.project && summary.project.source !== summary.source) {
    lines.push(
      `  project file: network ${summary.project.value} (${summary.project.source}; ` +
        "a project file may only tighten yours)",
    );
  }
  if (summary.mode === "allow") {
    if (summary.allowed.length === 0) lines.push("  allowed: only each agent's built-in hosts");
    else lines.push("  allowed besides each agent's built-in hosts:");
    const width = Math.max(0, ...summary.allowed.map((h) => h.value.length)) + 2;
    for (const h of summary.allowed) {
      lines.push(`    ${h.value.padEnd(width)}${h.sources.join(", ")}`);
    }
  }
  for (const note of summary.notes) lines.push(`  note: ${note}`);
  return lines;
}
