/**
 * The filtering HTTP proxy `llm` runs on the host for one session.
 *
 * It understands two requests: `CONNECT host:port` (a tunnel, for HTTPS)
 * and a plain request with an absolute `http://` URI. An allowed
 * destination is connected to directly, or through the host's own proxy
 * (see upstream.ts); anything else gets `403` with a body that names the
 * host and how to allow it, and is reported to `onBlocked` and counted.
 *
 * What it holds back besides the allow list:
 * - a name that resolves to a loopback, link-local or unspecified address
 *   (the host's own services, cloud metadata at 169.254.169.254) is
 *   refused unless the client asked for that address literally, or for
 *   `localhost`, and the allow list names it;
 * - a plain request is forwarded alone: one request per connection, its
 *   body framed exactly (Content-Length or chunked), its Host header set to
 *   the URL's authority, so no second request can ride along to another
 *   host through an upstream proxy;
 * - the request head is bounded in size and must arrive within a timeout.
 *
 * No work happens at import; `startProxy` opens the listeners and `close`
 * ends every connection and waits for them.
 */
import { allowHint, formatHostPort, normalizeHost, printable } from "./allowlist.ts";
import {
  closingResponse,
  type Destination,
  forwardHeaders,
  HttpError,
  latin1,
  parseAbsoluteTarget,
  parseAuthority,
  parseRequestHead,
  parseResponseHead,
  REASONS,
  requestFraming,
  type RequestHead,
  serializeHead,
  simpleResponse,
} from "./_http.ts";
import { BufferedReader, writeAll } from "./_reader.ts";
import { DIRECT, type Upstream, upstreamFor, type UpstreamProxy } from "./upstream.ts";

/** Where the proxy listens. */
export type ListenTarget =
  | { readonly transport: "tcp"; readonly hostname: string; readonly port: number }
  | { readonly transport: "unix"; readonly path: string };

/** Why a connection was refused. */
export type BlockReason = "not-allowed" | "local-address";

/** One refused connection, as reported to `onBlocked`. */
export interface BlockedConnection {
  readonly host: string;
  readonly port: number;
  readonly time: Date;
  readonly reason: BlockReason;
  /** The address a name resolved to, for `local-address`. */
  readonly address?: string;
}

/** Options of `startProxy`. */
export interface ProxyOptions {
  /** Listeners to open (at least one). */
  readonly listen: readonly ListenTarget[];
  /** The policy: whether `host:port` (host normalised, see allowlist.ts) may be reached. */
  readonly allows: (host: string, port: number) => boolean;
  /** The host's own proxy; default: connect directly. */
  readonly upstream?: Upstream;
  /** Called for each refused connection (the session log, `--verbose`). */
  readonly onBlocked?: (event: BlockedConnection) => void;
  /**
   * Tests only: names connected to at a fixed address instead of being
   * looked up (`{ "allowed.test": "127.0.0.1" }`). Mapped names are exempt
   * from the local-address refusal, which is their point.
   */
  readonly resolve?: Readonly<Record<string, string>>;
  /** Time allowed for the request head to arrive; default 10000 ms. */
  readonly headTimeoutMs?: number;
  /** Time allowed to connect to a destination or upstream proxy; default 30000 ms. */
  readonly connectTimeoutMs?: number;
  /** Largest request head accepted; default 32768 bytes. */
  readonly maxHeadBytes?: number;
  /** CA certificates (PEM) for an https:// upstream proxy; default the system's. */
  readonly caCerts?: readonly string[];
  /** Words used in refusal bodies for the way to allow a host; default `--allow-host`. */
  readonly allowFlag?: string;
}

/** A running proxy. */
export interface EgressProxy {
  /** The listeners' addresses (a tcp port 0 is resolved here). */
  readonly addrs: readonly Deno.Addr[];
  /** Refused connections so far, by `host:port`, in first-seen order. */
  blocked(): ReadonlyMap<string, number>;
  /** Stop listening, close every connection and wait for all of them. */
  close(): Promise<void>;
}

const LOCAL_NAMES = new Set(["localhost"]);

/**
 * Start the proxy on every target of `options.listen`.
 *
 * @example
 * ```ts ignore
 * import { startProxy } from "./proxy.ts";
 * const proxy = await startProxy({
 *   listen: [{ transport: "unix", path: "/run/user/1000/llm/egress.sock" }],
 *   allows: (host, port) => host === "api.openai.com" && port === 443,
 * });
 * // ... run the container ...
 * await proxy.close();
 * ```
 */
export function startProxy(options: ProxyOptions): Promise<EgressProxy> {
  const listeners: Deno.Listener[] = [];
  try {
    for (const target of options.listen) {
      listeners.push(
        target.transport === "unix"
          ? Deno.listen({ transport: "unix", path: target.path })
          : Deno.listen({ transport: "tcp", hostname: target.hostname, port: target.port }),
      );
    }
  } catch (e) {
    for (const l of listeners) l.close();
    return Promise.reject(e);
  }
  const server = new ProxyServer(options, listeners);
  return Promise.resolve({
    addrs: listeners.map((l) => l.addr),
    blocked: () => new Map(server.counts),
    close: () => server.close(),
  });
}

class ProxyServer {
  readonly counts = new Map<string, number>();
  readonly #conns = new Set<Deno.Conn>();
  readonly #tasks = new Set<Promise<void>>();
  #closed = false;
  readonly #loops: Promise<void>[];

  constructor(private readonly options: ProxyOptions, private readonly listeners: Deno.Listener[]) {
    this.#loops = listeners.map((l) => this.#acceptLoop(l));
  }

  async #acceptLoop(listener: Deno.Listener): Promise<void> {
    while (!this.#closed) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        if (this.#closed) return;
        continue;
      }
      if (this.#closed) {
        conn.close();
        return;
      }
      this.#track(conn);
      const task = this.#session(conn).catch(() => {}).finally(() => {
        this.#untrack(conn);
        this.#tasks.delete(task);
      });
      this.#tasks.add(task);
    }
  }

  #track(conn: Deno.Conn): void {
    this.#conns.add(conn);
  }

  #untrack(conn: Deno.Conn): void {
    if (this.#conns.delete(conn)) closeQuietly(conn);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const l of this.listeners) {
      try {
        l.close();
      } catch {
        // already closed
      }
    }
    await Promise.all(this.#loops);
    for (const c of [...this.#conns]) this.#untrack(c);
    await Promise.all([...this.#tasks]);
  }

  async #session(client: Deno.Conn): Promise<void> {
    const reader = new BufferedReader(client);
    let head: RequestHead | undefined;
    const timeout = this.options.headTimeoutMs ?? 10_000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.#untrack(client);
    }, timeout);
    try {
      const text = await reader.readHead(this.options.maxHeadBytes ?? 32 * 1024);
      if (text === undefined) return;
      head = parseRequestHead(text);
    } catch (e) {
      if (timedOut) return;
      if (e instanceof HttpError) {
        return await this.#answer(client, e.status, `llm: ${e.message}\n`);
      }
      throw e;
    } finally {
      clearTimeout(timer);
    }
    try {
      if (head.method === "CONNECT") await this.#tunnel(client, reader, head);
      else await this.#plain(client, reader, head);
    } catch (e) {
      if (e instanceof HttpError) await this.#answer(client, e.status, `llm: ${e.message}\n`);
      else throw e;
    }
  }

  async #tunnel(client: Deno.Conn, reader: BufferedReader, head: RequestHead): Promise<void> {
    const dest = parseAuthority(head.target);
    if (!dest) {
      throw new HttpError(400, `CONNECT needs host:port, got '${printable(head.target, 100)}'`);
    }
    if (!(await this.#check(client, dest))) return;
    const proxy = upstreamFor(this.options.upstream ?? DIRECT, "tunnel", dest.host, dest.port);
    const opened = proxy
      ? await this.#viaUpstreamTunnel(proxy, dest)
      : { conn: await this.#direct(client, dest), early: new Uint8Array(0) };
    const target = opened.conn;
    if (!target) return;
    try {
      await writeAll(client, latin1("HTTP/1.1 200 Connection Established\r\n\r\n"));
      if (opened.early.length > 0) await writeAll(client, opened.early);
      const pending = reader.takeBuffered();
      if (pending.length > 0) await writeAll(target, pending);
      await splice(client, target);
    } finally {
      this.#untrack(target);
    }
  }

  async #plain(client: Deno.Conn, reader: BufferedReader, head: RequestHead): Promise<void> {
    const target = parseAbsoluteTarget(head.target);
    const framing = requestFraming(head.headers);
    if (!(await this.#check(client, target))) return;
    const proxy = upstreamFor(this.options.upstream ?? DIRECT, "plain", target.host, target.port);
    const conn = proxy ? await this.#connectUpstream(proxy) : await this.#direct(client, target);
    if (!conn) return;
    try {
      const headers = forwardHeaders(head.headers, target.authority);
      if (proxy?.authorization) headers.push(["Proxy-Authorization", proxy.authorization]);
      const line = proxy
        ? `${head.method} http://${target.authority}${target.path} ${head.version}`
        : `${head.method} ${target.path} ${head.version}`;
      await writeAll(conn, latin1(serializeHead(line, headers)));
      if (framing.kind === "length") await reader.copyExact(conn, framing.length);
      else if (framing.kind === "chunked") await reader.copyChunked(conn);
      // The client is not read from again: one request per connection.
      const response = new BufferedReader(conn);
      let responseHead: string | undefined;
      try {
        responseHead = await response.readHead(64 * 1024);
      } catch {
        throw new HttpError(
          502,
          `${formatHostPort(target.host, target.port)} sent a malformed response`,
        );
      }
      if (responseHead === undefined) {
        throw new HttpError(
          502,
          `${formatHostPort(target.host, target.port)} closed without answering`,
        );
      }
      await writeAll(client, latin1(closingResponse(parseResponseHead(responseHead))));
      const rest = response.takeBuffered();
      if (rest.length > 0) await writeAll(client, rest);
      await pump(conn, client);
    } finally {
      this.#untrack(conn);
    }
  }

  /** Apply the policy; on refusal answer 403, report, count, and return false. */
  async #check(client: Deno.Conn, dest: Destination): Promise<boolean> {
    if (this.options.allows(dest.host, dest.port)) return true;
    await this.#refuse(client, dest, "not-allowed");
    return false;
  }

  async #refuse(
    client: Deno.Conn,
    dest: Destination,
    reason: BlockReason,
    address?: string,
  ): Promise<void> {
    const key = formatHostPort(dest.host, dest.port);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.options.onBlocked?.({
      host: dest.host,
      port: dest.port,
      time: new Date(),
      reason,
      address,
    });
    const flag = this.options.allowFlag ?? "--allow-host";
    const body = reason === "not-allowed"
      ? `llm: blocked ${key}: not on this session's allow list (--network allow).\n` +
        `To allow it, run llm again with ${flag} ${allowHint(dest.host, dest.port)}.\n`
      : `llm: blocked ${key}: the name resolves to the local address ${address}, ` +
        "which the proxy does not connect to by name.\n" +
        `If you mean it, allow and use the address itself: ${flag} ${
          allowHint(address ?? "", dest.port)
        }.\n`;
    await this.#answer(client, 403, body, [["X-Llm-Egress", "blocked"]]);
  }

  async #answer(
    client: Deno.Conn,
    status: number,
    body: string,
    extra: readonly (readonly [string, string])[] = [],
  ): Promise<void> {
    try {
      await writeAll(client, simpleResponse(status, REASONS[status] ?? "Error", body, extra));
    } catch {
      // the client went away; nothing to tell
    }
  }

  /** Connect straight to `dest`, refusing local addresses reached by name. */
  async #direct(client: Deno.Conn, dest: Destination): Promise<Deno.Conn | undefined> {
    const mapped = this.options.resolve && Object.hasOwn(this.options.resolve, dest.host)
      ? this.options.resolve[dest.host]
      : undefined;
    const conn = await this.#connect(mapped ?? dest.host, dest.port, dest);
    const address = (conn.remoteAddr as Deno.NetAddr).hostname;
    const literal = normalizeHost(dest.host) !== undefined &&
      (isAddressLiteral(dest.host) || LOCAL_NAMES.has(dest.host));
    if (mapped === undefined && !literal && isLocalAddress(address)) {
      this.#untrack(conn);
      await this.#refuse(client, dest, "local-address", address);
      return undefined;
    }
    return conn;
  }

  async #connect(hostname: string, port: number, dest: Destination): Promise<Deno.Conn> {
    const limit = this.options.connectTimeoutMs ?? 30_000;
    const attempt = Deno.connect({ hostname, port });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), limit);
    });
    try {
      const result = await Promise.race([attempt, timeout]);
      if (result === "timeout") {
        attempt.then(closeQuietly, () => {});
        throw new HttpError(504, `connecting to ${formatHostPort(dest.host, dest.port)} timed out`);
      }
      if (this.#closed) {
        closeQuietly(result);
        throw new HttpError(502, "the proxy is shutting down");
      }
      this.#track(result);
      return result;
    } catch (e) {
      if (e instanceof HttpError) throw e;
      throw new HttpError(
        502,
        `could not connect to ${formatHostPort(dest.host, dest.port)}: ${errorText(e)}`,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  async #connectUpstream(proxy: UpstreamProxy): Promise<Deno.Conn> {
    const dest = { host: proxy.hostname, port: proxy.port };
    if (proxy.protocol === "http:") return await this.#connect(proxy.hostname, proxy.port, dest);
    const plain = await this.#connect(proxy.hostname, proxy.port, dest);
    this.#conns.delete(plain);
    try {
      const tls = await Deno.startTls(plain as Deno.TcpConn, {
        hostname: proxy.hostname,
        caCerts: this.options.caCerts ? [...this.options.caCerts] : undefined,
      });
      this.#track(tls);
      return tls;
    } catch (e) {
      closeQuietly(plain);
      throw new HttpError(502, `TLS to the upstream proxy ${proxy.shown} failed: ${errorText(e)}`);
    }
  }

  /** A tunnel to `dest` through the host's proxy with CONNECT. */
  async #viaUpstreamTunnel(
    proxy: UpstreamProxy,
    dest: Destination,
  ): Promise<{ conn: Deno.Conn; early: Uint8Array }> {
    const conn = await this.#connectUpstream(proxy);
    try {
      const authority = formatHostPort(dest.host, dest.port);
      const headers: [string, string][] = [["Host", authority]];
      if (proxy.authorization) headers.push(["Proxy-Authorization", proxy.authorization]);
      await writeAll(conn, latin1(serializeHead(`CONNECT ${authority} HTTP/1.1`, headers)));
      const reader = new BufferedReader(conn);
      const text = await reader.readHead(64 * 1024);
      if (text === undefined) throw new HttpError(502, `the upstream proxy ${proxy.shown} closed`);
      const answer = parseResponseHead(text);
      if (answer.status < 200 || answer.status > 299) {
        throw new HttpError(
          502,
          `the upstream proxy ${proxy.shown} refused CONNECT ${authority}: ${answer.status} ` +
            printable(answer.reason, 100),
        );
      }
      // Anything read past the proxy's answer is the destination's first
      // bytes and goes to the client after its own 200.
      return { conn, early: reader.takeBuffered() };
    } catch (e) {
      this.#untrack(conn);
      if (e instanceof HttpError) throw e;
      throw new HttpError(502, `the upstream proxy ${proxy.shown} failed: ${errorText(e)}`);
    }
  }
}

/** First read size of a pump: small, as most connections carry little. */
const PUMP_START = 64 * 1024;
/**
 * Largest read size: each read and write is a trip through Deno's event
 * loop, so a bulk transfer moves at close to loopback speed only with large
 * reads (see `deno task bench`). A pump grows to it when reads fill its buffer.
 */
const PUMP_MAX = 1024 * 1024;

/**
 * Copy `from` to `to` until end of stream, then half-close `to`. The next
 * read overlaps the current write (two buffers), so neither side waits on
 * the other more than it must.
 *
 * A bulk copy is bound by the kernel's two copies of each byte on this
 * thread (out of the TCP socket, into the Unix one), about half of the
 * proxy's CPU time, not by this loop: fixed buffers of 64 KiB to 2 MiB, one
 * buffer read then written, three or four buffers reading ahead, a BYOB
 * stream reader, `pipeTo`, and a Worker reading the upstream side into a
 * shared ring were each no faster or slower in `deno task bench`.
 */
async function pump(from: Deno.Conn, to: Deno.Conn): Promise<void> {
  let size = PUMP_START;
  let buffers = [new Uint8Array(size), new Uint8Array(size)];
  let turn = 0;
  let n = await from.read(buffers[turn]);
  while (n !== null) {
    const full = n === buffers[turn].length;
    const writing = writeAll(to, buffers[turn].subarray(0, n));
    // Awaited below; until then a failed write must not count as unhandled.
    writing.catch(() => {});
    if (full && size < PUMP_MAX) {
      // The buffer just filled: the peer sends in bulk. The buffer being
      // written is kept until its write ends; only the other one is replaced.
      size = Math.min(size * 4, PUMP_MAX);
      buffers = turn === 0
        ? [buffers[0], new Uint8Array(size)]
        : [new Uint8Array(size), buffers[1]];
    }
    turn = 1 - turn;
    let next: number | null;
    try {
      next = await from.read(buffers[turn]);
    } finally {
      await writing;
    }
    if (buffers[1 - turn].length < size) buffers[1 - turn] = new Uint8Array(size);
    n = next;
  }
  try {
    await to.closeWrite();
  } catch {
    // the peer is gone already
  }
}

/** Both directions until both end; an error in either ends both. */
async function splice(a: Deno.Conn, b: Deno.Conn): Promise<void> {
  const fail = () => {
    closeQuietly(a);
    closeQuietly(b);
  };
  await Promise.all([pump(a, b).catch(fail), pump(b, a).catch(fail)]);
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

function errorText(e: unknown): string {
  return printable(e instanceof Error ? e.message : String(e), 200);
}

function isAddressLiteral(host: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(":");
}

/**
 * Loopback (127/8, ::1), link-local (169.254/16, fe80::/10), unspecified
 * (0.0.0.0, ::), also in their IPv4-mapped IPv6 forms.
 */
export function isLocalAddress(address: string): boolean {
  let a = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) a = mapped[1];
  if (/^\d+\.\d+\.\d+\.\d+$/.test(a)) {
    const [x, y] = a.split(".").map(Number);
    return x === 127 || x === 0 || (x === 169 && y === 254);
  }
  return a === "::1" || a === "::" || /^fe[89ab][0-9a-f]?:/.test(a);
}
