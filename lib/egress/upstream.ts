/**
 * The host's own proxy (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`,
 * `NO_PROXY`, lower case first as curl reads them), which many sites can
 * reach the internet only through. Pure: decided from an environment map.
 */
import { LlmError } from "../errors.ts";
import { normalizeHost, printable } from "./allowlist.ts";

/** One upstream proxy. */
export interface UpstreamProxy {
  readonly protocol: "http:" | "https:";
  readonly hostname: string;
  readonly port: number;
  /** `Proxy-Authorization` value from the URL's user info, if any. */
  readonly authorization?: string;
  /** The URL without its password, for messages. */
  readonly shown: string;
}

/** One `NO_PROXY` rule. */
export type NoProxyRule =
  | { readonly kind: "all" }
  | { readonly kind: "domain"; readonly domain: string; readonly port?: number }
  | { readonly kind: "cidr"; readonly base: number; readonly bits: number };

/** The host's proxy settings. */
export interface Upstream {
  /** For CONNECT tunnels. */
  readonly https?: UpstreamProxy;
  /** For plain `http://` requests. */
  readonly http?: UpstreamProxy;
  readonly noProxy: readonly NoProxyRule[];
}

/** No upstream proxy: connect directly. */
export const DIRECT: Upstream = { noProxy: [] };

/**
 * Read the host's proxy settings from `env`. A proxy URL that is not http://
 * or https:// (for example socks5://) is an error naming the variable: the
 * filtering proxy cannot go through it, and going around it would defeat
 * the site's own policy.
 *
 * @example
 * ```ts
 * import { upstreamFromEnv } from "./upstream.ts";
 * upstreamFromEnv({ HTTPS_PROXY: "http://proxy.site:3128", NO_PROXY: ".site" }).https?.port; // 3128
 * ```
 */
export function upstreamFromEnv(env: Readonly<Record<string, string | undefined>>): Upstream {
  const pick = (...names: string[]) => {
    for (const name of names) {
      const value = env[name];
      if (value !== undefined && value.trim() !== "") return { name, value: value.trim() };
    }
    return undefined;
  };
  const all = pick("all_proxy", "ALL_PROXY");
  const https = pick("https_proxy", "HTTPS_PROXY") ?? all;
  const http = pick("http_proxy", "HTTP_PROXY") ?? all;
  const noProxy = pick("no_proxy", "NO_PROXY");
  return {
    https: https && parseProxyUrl(https.value, https.name),
    http: http && parseProxyUrl(http.value, http.name),
    noProxy: noProxy ? parseNoProxy(noProxy.value) : [],
  };
}

/** Parse one proxy URL; a missing scheme means http:// (as curl reads it). */
export function parseProxyUrl(value: string, variable: string): UpstreamProxy {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new LlmError(
      `${variable}='${printable(value)}' is not a proxy URL such as http://proxy:3128`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new LlmError(
      `${variable} uses ${url.protocol}// which the network filter cannot go through; ` +
        "set it to an http:// or https:// proxy, or unset it",
    );
  }
  const protocol = url.protocol;
  const port = url.port === "" ? (protocol === "https:" ? 443 : 80) : Number(url.port);
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  const authorization = url.username || url.password
    ? `Basic ${
      btoa(
        String.fromCharCode(
          ...new TextEncoder().encode(
            `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`,
          ),
        ),
      )
    }`
    : undefined;
  const shown = `${protocol}//${url.username ? `${url.username}@` : ""}${url.host}`;
  return { protocol, hostname, port, authorization, shown };
}

/**
 * Parse `NO_PROXY`: entries separated by commas or spaces; `*` means every
 * host; `example.org`, `.example.org` and `*.example.org` mean the domain
 * and every name below it; `host:port` limits to a port; `10.0.0.0/8` is an
 * IPv4 range; other address literals match exactly.
 */
export function parseNoProxy(value: string): NoProxyRule[] {
  const rules: NoProxyRule[] = [];
  for (const raw of value.split(/[,\s]+/)) {
    const item = raw.trim().toLowerCase();
    if (item === "") continue;
    if (item === "*") {
      rules.push({ kind: "all" });
      continue;
    }
    const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(item);
    if (cidr) {
      const base = ipv4ToInt(cidr[1]);
      const bits = Number(cidr[2]);
      if (base !== undefined && bits <= 32) rules.push({ kind: "cidr", base, bits });
      continue;
    }
    let host = item;
    let port: number | undefined;
    const withPort = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(item);
    if (withPort) [host, port] = [withPort[1], Number(withPort[2])];
    host = host.replace(/^\*?\./, "");
    const normal = normalizeHost(host);
    if (normal !== undefined) rules.push({ kind: "domain", domain: normal, port });
  }
  return rules;
}

/** Whether `NO_PROXY` sends `host:port` direct. */
export function bypassesProxy(rules: readonly NoProxyRule[], host: string, port: number): boolean {
  const h = normalizeHost(host);
  if (h === undefined) return false;
  const address = ipv4ToInt(h);
  return rules.some((rule) => {
    if (rule.kind === "all") return true;
    if (rule.kind === "cidr") {
      if (address === undefined) return false;
      const mask = rule.bits === 0 ? 0 : (~0 << (32 - rule.bits)) >>> 0;
      return ((address & mask) >>> 0) === ((rule.base & mask) >>> 0);
    }
    if (rule.port !== undefined && rule.port !== port) return false;
    return h === rule.domain || h.endsWith(`.${rule.domain}`);
  });
}

/**
 * The upstream proxy for a connection, or undefined to connect directly:
 * `tunnel` (CONNECT) uses the HTTPS proxy, a plain request the HTTP proxy.
 */
export function upstreamFor(
  upstream: Upstream,
  kind: "tunnel" | "plain",
  host: string,
  port: number,
): UpstreamProxy | undefined {
  const proxy = kind === "tunnel" ? upstream.https : upstream.http;
  if (!proxy || bypassesProxy(upstream.noProxy, host, port)) return undefined;
  return proxy;
}

function ipv4ToInt(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    return undefined;
  }
  return parts.reduce((acc, p) => ((acc << 8) | Number(p)) >>> 0, 0);
}
