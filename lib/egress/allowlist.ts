/**
 * Allow-list entries for the egress proxy: parsing, validation and matching.
 *
 * An entry names a host and, optionally, a port:
 *
 * - `api.example.org`: that host exactly, on ports 443 and 80 (HTTPS and
 *   HTTP). A bare name means "its web endpoints", which is what people mean
 *   when they list a host; any other port must be written out.
 * - `*.example.org`: every name below `example.org` (any depth), never
 *   `example.org` itself: list the apex separately when it is wanted, so a
 *   wildcard never silently widens to the parent's own service.
 * - `host:8443`, `*.example.org:8443`: that port only.
 * - `10.1.2.3`, `[fd00::1]:8080`: an address literal, matched as written
 *   (no wildcard). The proxy never looks up a name to match it.
 *
 * Names are compared lower case, a trailing dot ignored. Entries with a
 * scheme, a path, user info, spaces, empty labels, a bare `*` or a wildcard
 * over a single label (`*.org`) are refused with the entry named.
 */
import { UsageError } from "../errors.ts";

/** Ports a bare host name allows: HTTPS and HTTP. */
export const DEFAULT_PORTS: readonly number[] = [443, 80];

/** One validated allow-list entry. */
export interface AllowEntry {
  /**
   * Lower-case host without a trailing dot; for a wildcard the suffix after
   * `*.` (`example.org` for `*.example.org`); IPv6 without brackets.
   */
  readonly host: string;
  /** `*.host`: names strictly below `host`. */
  readonly wildcard: boolean;
  /** Allowed ports, ascending. */
  readonly ports: readonly number[];
  /** The entry in its canonical written form, for messages and listings. */
  readonly text: string;
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * Parse one allow-list entry, or throw a UsageError naming it and saying
 * what was wrong. `origin` (for example `--allow-host` or `config.yaml:4`)
 * starts the message when given.
 *
 * @example
 * ```ts
 * import { parseAllowEntry } from "./allowlist.ts";
 * parseAllowEntry("*.Example.org:8443");
 * // { host: "example.org", wildcard: true, ports: [8443], text: "*.example.org:8443" }
 * ```
 */
export function parseAllowEntry(entry: string, origin = "--allow-host"): AllowEntry {
  const fail = (why: string): never => {
    throw new UsageError(`${origin}: bad allow entry '${printable(entry)}': ${why}`);
  };
  if (entry.trim() === "") fail("empty; expected a host such as api.example.org");
  if (/\s/.test(entry)) fail("contains white space; give one host per entry");
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(entry);
  if (scheme) {
    fail(`give the host alone, without '${scheme[1]}://' (for example '${stripUrl(entry)}')`);
  }
  if (entry.includes("@")) fail("user names ('user@') have no place in an allow entry");
  if (/[/?#]/.test(entry)) {
    fail("paths and queries cannot be filtered (HTTPS hides them); give the host alone");
  }
  let hostPart = entry;
  let portPart: string | undefined;
  if (entry.startsWith("[")) {
    const close = entry.indexOf("]");
    if (close < 0) fail("an IPv6 address needs a closing ']'");
    hostPart = entry.slice(1, close);
    const rest = entry.slice(close + 1);
    if (rest !== "") {
      if (!rest.startsWith(":")) fail("expected ':PORT' after ']'");
      portPart = rest.slice(1);
    }
    if (!isIpv6(hostPart)) fail("not an IPv6 address between '[' and ']'");
  } else {
    const colons = entry.split(":").length - 1;
    if (colons > 1) fail("write an IPv6 address in brackets, for example '[fd00::1]:443'");
    if (colons === 1) [hostPart, portPart] = entry.split(":");
  }
  const ports = portPart === undefined ? [...DEFAULT_PORTS].sort((a, b) => a - b) : [
    parsePort(portPart, fail),
  ];
  if (entry.startsWith("[")) {
    const host = hostPart.toLowerCase();
    return { host, wildcard: false, ports, text: render(`[${host}]`, false, portPart, ports) };
  }
  let name = hostPart.toLowerCase();
  if (name.endsWith(".") && name.length > 1) name = name.slice(0, -1);
  if (name === "") fail("no host before ':'");
  if (name === "*" || name === "*.") {
    fail("a bare '*' would allow everything; use --network open for that");
  }
  let wildcard = false;
  if (name.startsWith("*.")) {
    wildcard = true;
    name = name.slice(2);
  }
  if (name.includes("*")) fail("'*' may only stand alone as the first label, as in *.example.org");
  if (/[^\x21-\x7e]/.test(name)) {
    fail("not ASCII; write an international name in its xn-- (punycode) form");
  }
  const labels = name.split(".");
  if (labels.some((l) => l === "")) {
    fail("empty label (a leading, doubled or lone '.'); expected a name such as api.example.org");
  }
  if (/^[0-9.]+$/.test(name)) {
    if (wildcard) fail("a wildcard cannot apply to an address");
    if (!IPV4.test(name)) fail("not a valid IPv4 address");
    return { host: name, wildcard: false, ports, text: render(name, false, portPart, ports) };
  }
  const bad = labels.find((l) => !LABEL.test(l));
  if (bad !== undefined) {
    fail(
      `label '${printable(bad)}' is not a host name label ` +
        "(letters, digits, '-' and '_', at most 63, not starting or ending with '-')",
    );
  }
  if (name.length > 253) fail("longer than 253 characters");
  if (wildcard && labels.length < 2) {
    fail(`'*.${name}' would allow a whole top-level domain; name a domain below it`);
  }
  return { host: name, wildcard, ports, text: render(name, wildcard, portPart, ports) };
}

/** Parse several entries (all from `origin`), refusing the first bad one. */
export function parseAllowEntries(
  entries: readonly string[],
  origin = "--allow-host",
): AllowEntry[] {
  return entries.map((e) => parseAllowEntry(e, origin));
}

/**
 * Normalise a host as a client names it (CONNECT authority or URL host):
 * lower case, brackets and a trailing dot removed. Returns undefined when it
 * is not a syntactically valid name or address, so it can never match.
 */
export function normalizeHost(host: string): string | undefined {
  let h = host.toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) {
    h = h.slice(1, -1);
    return isIpv6(h) ? h : undefined;
  }
  if (h.includes(":")) return isIpv6(h) ? h : undefined;
  if (h.endsWith(".")) h = h.slice(0, -1);
  if (h === "" || h.length > 253) return undefined;
  if (IPV4.test(h)) return h;
  if (/^[0-9.]+$/.test(h)) return undefined;
  return h.split(".").every((l) => LABEL.test(l)) ? h : undefined;
}

/**
 * Whether `entry` allows a connection to `host` (as the client named it) on
 * `port`.
 *
 * @example
 * ```ts
 * import { entryAllows, parseAllowEntry } from "./allowlist.ts";
 * entryAllows(parseAllowEntry("*.example.org"), "a.b.example.org", 443); // true
 * entryAllows(parseAllowEntry("*.example.org"), "example.org", 443); // false
 * ```
 */
export function entryAllows(entry: AllowEntry, host: string, port: number): boolean {
  const h = normalizeHost(host);
  if (h === undefined || !entry.ports.includes(port)) return false;
  if (!entry.wildcard) return h === entry.host;
  // A wildcard names domains; an address that happens to end in its digits is no subdomain.
  return !IPV4.test(h) && !h.includes(":") && h.endsWith(`.${entry.host}`);
}

/** Whether any entry of `entries` allows `host:port`. */
export function listAllows(entries: readonly AllowEntry[], host: string, port: number): boolean {
  return entries.some((e) => entryAllows(e, host, port));
}

/**
 * The entry allowing exactly what both `a` and `b` allow, or undefined when
 * they share nothing. Used to narrow one list by another (policy.ts): with
 * the forms above the common part of two entries is always one entry.
 */
export function intersectEntries(a: AllowEntry, b: AllowEntry): AllowEntry | undefined {
  const ports = a.ports.filter((p) => b.ports.includes(p));
  if (ports.length === 0) return undefined;
  let host: string;
  let wildcard: boolean;
  if (!a.wildcard && !b.wildcard) {
    if (a.host !== b.host) return undefined;
    [host, wildcard] = [a.host, false];
  } else if (a.wildcard && b.wildcard) {
    if (a.host === b.host || a.host.endsWith(`.${b.host}`)) [host, wildcard] = [a.host, true];
    else if (b.host.endsWith(`.${a.host}`)) [host, wildcard] = [b.host, true];
    else return undefined;
  } else {
    const [w, exact] = a.wildcard ? [a, b] : [b, a];
    if (!exact.host.endsWith(`.${w.host}`)) return undefined;
    [host, wildcard] = [exact.host, false];
  }
  const shown = host.includes(":") ? `[${host}]` : host;
  const defaults = ports.length === DEFAULT_PORTS.length;
  return {
    host,
    wildcard,
    ports,
    text: render(shown, wildcard, defaults ? undefined : String(ports[0]), ports),
  };
}

/** `host:port` for messages, with brackets around IPv6. */
export function formatHostPort(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/**
 * The `--allow-host` value that would let `host:port` through: the bare host
 * for the default ports, else `host:port`.
 */
export function allowHint(host: string, port: number): string {
  const shown = host.includes(":") ? `[${host}]` : host;
  return DEFAULT_PORTS.includes(port) ? shown : `${shown}:${port}`;
}

/** Escape control and non-ASCII characters so a hostile name cannot drive the terminal. */
export function printable(text: string, max = 200): string {
  // deno-lint-ignore no-control-regex
  const escaped = text.replace(/[\x00-\x1f\x7f-\uffff]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
  return escaped.length > max ? `${escaped.slice(0, max)}...` : escaped;
}

function render(host: string, wildcard: boolean, portPart: string | undefined, ports: number[]) {
  return `${wildcard ? "*." : ""}${host}${portPart === undefined ? "" : `:${ports[0]}`}`;
}

function parsePort(text: string, fail: (why: string) => never): number {
  if (!/^\d{1,5}$/.test(text)) fail(`port '${printable(text)}' is not a number from 1 to 65535`);
  const port = Number(text);
  if (port < 1 || port > 65535) fail(`port ${port} is not from 1 to 65535`);
  return port;
}

function stripUrl(entry: string): string {
  return printable(entry.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/[/?#].*$/, ""));
}

/** A plain (unzoned) IPv6 address, with at most one `::`. */
function isIpv6(text: string): boolean {
  if (!/^[0-9a-f:.]+$/i.test(text) || !text.includes(":")) return false;
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const groups = (s: string) => s === "" ? [] : s.split(":");
  const parts = [...groups(halves[0]), ...groups(halves[1] ?? "")];
  let count = 0;
  for (const [i, part] of parts.entries()) {
    if (i === parts.length - 1 && part.includes(".")) {
      if (!IPV4.test(part)) return false;
      count += 2;
    } else if (/^[0-9a-f]{1,4}$/i.test(part)) {
      count += 1;
    } else {
      return false;
    }
  }
  return halves.length === 2 ? count < 8 : count === 8;
}
