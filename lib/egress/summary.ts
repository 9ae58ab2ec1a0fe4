/**
 * What `llm` says about refused connections: one line per refusal for the
 * session log and `--verbose`, and one line at exit with the totals.
 */
import { allowHint, formatHostPort, printable } from "./allowlist.ts";
import type { BlockedConnection } from "./proxy.ts";

/** How many hosts the exit line names before it says "and N more". */
const SHOWN = 5;

/**
 * The exit line for `counts` (by `host:port`, as `EgressProxy.blocked()`
 * returns them), or undefined when nothing was blocked. Hosts with the most
 * refusals first, ties in first-seen order.
 *
 * @example
 * ```ts
 * import { blockedSummary } from "./summary.ts";
 * blockedSummary(new Map([["evil.example:443", 3]]));
 * // "llm: blocked 3 connections: evil.example:443 (3)"
 * ```
 */
export function blockedSummary(counts: ReadonlyMap<string, number>): string | undefined {
  const entries = [...counts.entries()].filter(([, n]) => n > 0);
  if (entries.length === 0) return undefined;
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  const sorted = entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => b.e[1] - a.e[1] || a.i - b.i)
    .map(({ e }) => e);
  const shown = sorted.slice(0, SHOWN).map(([key, n]) => `${printable(key, 100)} (${n})`);
  const more = sorted.length - SHOWN;
  const tail = more > 0
    ? `, and ${more} more host${more === 1 ? "" : "s"} (see the session log)`
    : "";
  return `llm: blocked ${total} connection${total === 1 ? "" : "s"}: ${shown.join(", ")}${tail}`;
}

/**
 * One refusal as `--verbose` prints it on stderr.
 *
 * @example
 * ```ts
 * import { blockedNotice } from "./summary.ts";
 * blockedNotice({ host: "evil.example", port: 443, time: new Date(0), reason: "not-allowed" });
 * // "llm: blocked evil.example:443 (not allowed; --allow-host evil.example lets it through)"
 * ```
 */
export function blockedNotice(event: BlockedConnection): string {
  const key = printable(formatHostPort(event.host, event.port), 100);
  return event.reason === "not-allowed"
    ? `llm: blocked ${key} (not allowed; --allow-host ${
      printable(allowHint(event.host, event.port), 100)
    } lets it through)`
    : `llm: blocked ${key} (resolves to the local address ${printable(event.address ?? "?", 60)})`;
}

/**
 * One refusal as a session log line: time, host:port and reason, tab
 * separated, so the log can be read by people and `cut` alike.
 *
 * @example
 * ```ts
 * import { blockedLogLine } from "./summary.ts";
 * blockedLogLine({ host: "evil.example", port: 443, time: new Date(0), reason: "not-allowed" });
 * // "1970-01-01T00:00:00.000Z\tblocked\tevil.example:443\tnot-allowed"
 * ```
 */
export function blockedLogLine(event: BlockedConnection): string {
  const fields = [
    event.time.toISOString(),
    "blocked",
    printable(formatHostPort(event.host, event.port), 300),
    event.reason,
  ];
  if (event.address) fields.push(printable(event.address, 60));
  return fields.join("\t");
}
