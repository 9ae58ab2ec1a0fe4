/**
 * The little of HTTP/1.1 the egress proxy needs: parsing a request or
 * response head, and the request target forms a proxy is sent (`CONNECT
 * host:port` and absolute `http://` URIs). Pure functions over latin1 text,
 * so every byte maps to one character and back.
 */
import { normalizeHost } from "./allowlist.ts";

/** A header as received: the name in its original case. */
export type Header = readonly [name: string, value: string];

/** A parsed request head. */
export interface RequestHead {
  readonly method: string;
  readonly target: string;
  readonly version: string;
  readonly headers: readonly Header[];
}

/** A parsed response head. */
export interface ResponseHead {
  readonly version: string;
  readonly status: number;
  readonly reason: string;
  readonly headers: readonly Header[];
}

/** Where a request wants to go. */
export interface Destination {
  /** Normalised host (see allowlist.ts), IPv6 without brackets. */
  readonly host: string;
  readonly port: number;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Thrown for a head the proxy refuses to interpret; `status` is the answer to send. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "HttpError";
  }
}

/**
 * Parse a request head (the text before the blank line, CRLF-separated).
 *
 * @example
 * ```ts
 * import { parseRequestHead } from "./_http.ts";
 * parseRequestHead("CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443").method; // "CONNECT"
 * ```
 */
export function parseRequestHead(text: string): RequestHead {
  const [line, ...rest] = text.split("\r\n");
  const parts = line.split(" ");
  if (parts.length !== 3 || !TOKEN.test(parts[0]) || parts[1] === "") {
    throw new HttpError(400, "malformed request line");
  }
  const [method, target, version] = parts;
  if (!/^HTTP\/1\.[01]$/.test(version)) throw new HttpError(505, "only HTTP/1.x is supported");
  return { method, target, version, headers: parseHeaders(rest) };
}

/** Parse a response head (status line and headers). */
export function parseResponseHead(text: string): ResponseHead {
  const [line, ...rest] = text.split("\r\n");
  const m = /^(HTTP\/1\.[01]) (\d{3})(?: (.*))?$/.exec(line);
  if (!m) throw new HttpError(502, "malformed status line from upstream");
  return { version: m[1], status: Number(m[2]), reason: m[3] ?? "", headers: parseHeaders(rest) };
}

function parseHeaders(lines: readonly string[]): Header[] {
  const headers: Header[] = [];
  for (const line of lines) {
    if (line.startsWith(" ") || line.startsWith("\t")) {
      throw new HttpError(400, "folded header lines are not accepted");
    }
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon) : "";
    // deno-lint-ignore no-control-regex
    if (!TOKEN.test(name) || /[\x00-\x08\x0a-\x1f\x7f]/.test(line)) {
      throw new HttpError(400, "malformed header line");
    }
    headers.push([name, line.slice(colon + 1).trim()]);
  }
  return headers;
}

/** Values of header `name` (case-insensitive). */
export function headerValues(headers: readonly Header[], name: string): string[] {
  const lower = name.toLowerCase();
  return headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

/**
 * The destination of `CONNECT host:port`; the port is required. Undefined
 * when the authority is not a valid host and port.
 */
export function parseAuthority(authority: string): Destination | undefined {
  const m = /^(\[[^\]]*\]|[^:[\]]+):(\d{1,5})$/.exec(authority);
  if (!m) return undefined;
  const host = normalizeHost(m[1]);
  const port = Number(m[2]);
  if (host === undefined || port < 1 || port > 65535) return undefined;
  return { host, port };
}

/** An absolute `http://` request target, split for forwarding. */
export interface AbsoluteTarget extends Destination {
  /** `host[:port]` as it goes into the Host header. */
  readonly authority: string;
  /** Origin-form target: path and query. */
  readonly path: string;
}

/**
 * Parse an absolute-form target such as `http://a.example:8080/x?y`. Throws
 * HttpError for other schemes and for the origin form (`/x`), which a client
 * sends only when it mistakes the proxy for a server.
 */
export function parseAbsoluteTarget(target: string): AbsoluteTarget {
  if (target.startsWith("/")) {
    throw new HttpError(400, "this is a proxy: send absolute URLs (http://host/...) or CONNECT");
  }
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new HttpError(400, "malformed request target");
  }
  if (url.protocol !== "http:") {
    throw new HttpError(
      400,
      `only http:// is forwarded as a plain request (got ${url.protocol}); HTTPS goes through CONNECT`,
    );
  }
  if (url.username || url.password) throw new HttpError(400, "user info in the URL is refused");
  const host = normalizeHost(url.hostname);
  if (host === undefined) throw new HttpError(400, "malformed host in the request target");
  const port = url.port === "" ? 80 : Number(url.port);
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    host,
    port,
    authority: port === 80 ? shown : `${shown}:${port}`,
    path: `${url.pathname}${url.search}`,
  };
}

/** How a request body is delimited. */
export type BodyFraming =
  | { readonly kind: "none" }
  | { readonly kind: "length"; readonly length: number }
  | { readonly kind: "chunked" };

/**
 * The framing of a request body. Refuses what could make the proxy and the
 * next hop disagree on where the request ends (request smuggling): both
 * Content-Length and Transfer-Encoding, differing lengths, codings other than
 * `chunked`.
 */
export function requestFraming(headers: readonly Header[]): BodyFraming {
  const te = headerValues(headers, "transfer-encoding");
  const cl = headerValues(headers, "content-length");
  if (te.length > 0) {
    if (cl.length > 0) throw new HttpError(400, "both Content-Length and Transfer-Encoding");
    const codings = te.join(",").split(",").map((c) => c.trim().toLowerCase());
    if (codings.length !== 1 || codings[0] !== "chunked") {
      throw new HttpError(501, "only the chunked transfer coding is supported");
    }
    return { kind: "chunked" };
  }
  if (cl.length === 0) return { kind: "none" };
  const values = new Set(cl.join(",").split(",").map((v) => v.trim()));
  const [only] = values;
  if (values.size !== 1 || !/^\d{1,15}$/.test(only)) {
    throw new HttpError(400, "malformed Content-Length");
  }
  return { kind: "length", length: Number(only) };
}

/** Headers that describe one hop only and are not passed on. */
const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authorization",
  "proxy-authenticate",
  "te",
  "trailer",
  "upgrade",
  "expect",
  "host",
];

/**
 * The headers to send on: hop-by-hop ones (and those the Connection header
 * names) dropped, a Host header set to `authority` first, and
 * `Connection: close` last, since the proxy forwards one request per
 * connection.
 */
export function forwardHeaders(headers: readonly Header[], authority: string): Header[] {
  const named = headerValues(headers, "connection").flatMap((v) =>
    v.split(",").map((t) => t.trim().toLowerCase())
  );
  const kept = headers.filter(([n]) => {
    const lower = n.toLowerCase();
    return !HOP_BY_HOP.includes(lower) && !named.includes(lower);
  });
  return [["Host", authority], ...kept, ["Connection", "close"]];
}

/** A response head with its Connection headers replaced by `Connection: close`. */
export function closingResponse(head: ResponseHead): string {
  const named = headerValues(head.headers, "connection").flatMap((v) =>
    v.split(",").map((t) => t.trim().toLowerCase())
  );
  const kept = head.headers.filter(([n]) => {
    const lower = n.toLowerCase();
    return lower !== "connection" && lower !== "keep-alive" && lower !== "proxy-connection" &&
      !named.includes(lower);
  });
  return serializeHead(
    `${head.version} ${head.status} ${head.reason}`.trimEnd(),
    [...kept, ["Connection", "close"]],
  );
}

/** A head as text: the first line, headers, and the blank line. */
export function serializeHead(firstLine: string, headers: readonly Header[]): string {
  return `${firstLine}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join("")}\r\n`;
}

/** Bytes of latin1 text (each character one byte). */
export function latin1(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  return bytes;
}

/** A complete response the proxy itself gives (refusals and errors). */
export function simpleResponse(
  status: number,
  reason: string,
  body: string,
  extra: readonly Header[] = [],
): Uint8Array {
  const bytes = new TextEncoder().encode(body);
  const head = serializeHead(`HTTP/1.1 ${status} ${reason}`, [
    ["Content-Type", "text/plain; charset=utf-8"],
    ["Content-Length", String(bytes.length)],
    ["Connection", "close"],
    ...extra,
  ]);
  const out = new Uint8Array(head.length + bytes.length);
  out.set(latin1(head));
  out.set(bytes, head.length);
  return out;
}

/** Reason phrases for the statuses the proxy sends. */
export const REASONS: Readonly<Record<number, string>> = {
  400: "Bad Request",
  403: "Forbidden",
  405: "Method Not Allowed",
  408: "Request Timeout",
  431: "Request Header Fields Too Large",
  501: "Not Implemented",
  502: "Bad Gateway",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
};
