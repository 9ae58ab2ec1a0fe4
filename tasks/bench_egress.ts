/**
 * The egress proxy's cost, for `deno task bench`: a 100 MB download from a
 * server on 127.0.0.1 through the proxy (on a Unix socket, as a launch
 * runs it) against the same download straight over TCP, as a throughput
 * ratio; and the time to first byte a small request gains through it,
 * median of per-pair differences. The same raw HTTP/1.1 client does both,
 * so only the path differs. The server and the proxy each run in a process
 * of their own, as at a launch (the proxy in llm, the client in the
 * container, the server elsewhere): in one process the three would share
 * one event loop, and the proxy's copy would slow the client and the server
 * as well. Inside a container socat adds its own copy (TCP to the socket),
 * which this does not measure.
 */
import { join } from "../lib/std/path.ts";
import { median } from "./_bench_startup.ts";
import { startProxy } from "../lib/egress/proxy.ts";

const SIZE = 100 * 1024 * 1024;
const TTFB_PAIRS = 100;

type Row = [string, string, string];

/** Open a connection, send `request`, and time the first byte and the whole answer. */
async function fetchRaw(
  open: () => Promise<Deno.Conn>,
  request: string,
): Promise<{ firstMs: number; totalMs: number; bytes: number }> {
  const start = performance.now();
  const conn = await open();
  try {
    await conn.write(new TextEncoder().encode(request));
    const buf = new Uint8Array(256 * 1024);
    let bytes = 0;
    let firstMs = -1;
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      if (firstMs < 0) firstMs = performance.now() - start;
      bytes += n;
    }
    return { firstMs, totalMs: performance.now() - start, bytes };
  } finally {
    try {
      conn.close();
    } catch { /* closed */ }
  }
}

/** A child `deno run` of this file in `role`, and the first line it prints once ready. */
async function child(args: string[]): Promise<{ line: string; stop: () => Promise<void> }> {
  const proc = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", new URL(import.meta.url).pathname, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`bench child ${args.join(" ")} ended before it was ready`);
    text += value;
  }
  reader.releaseLock();
  return {
    line: text.split("\n")[0],
    stop: async () => {
      try {
        proc.kill("SIGTERM");
      } catch { /* gone */ }
      await proc.status;
      await proc.stdout.cancel().catch(() => {});
    },
  };
}

/** The egress rows of the bench table: measure, value, target. */
export async function egressRows(): Promise<Row[]> {
  const server = await child(["--serve"]);
  const port = Number(server.line);
  const dir = await Deno.makeTempDir({ prefix: "llm-bench-egress-" });
  const socket = join(dir, "proxy.sock");
  const proxy = await child(["--proxy", socket, String(port)]);
  try {
    const direct = () => Deno.connect({ hostname: "127.0.0.1", port });
    const viaProxy = () => Deno.connect({ transport: "unix", path: socket });
    const origin = `127.0.0.1:${port}`;
    const directGet = (path: string) =>
      `GET ${path} HTTP/1.1\r\nHost: ${origin}\r\nConnection: close\r\n\r\n`;
    const proxyGet = (path: string) =>
      `GET http://${origin}${path} HTTP/1.1\r\nHost: ${origin}\r\nConnection: close\r\n\r\n`;
    // Warm both paths.
    await fetchRaw(direct, directGet("/small"));
    await fetchRaw(viaProxy, proxyGet("/small"));
    const ratios: number[] = [];
    let directRate = 0;
    let proxyRate = 0;
    for (let i = 0; i < 5; i++) {
      const d = await fetchRaw(direct, directGet("/big"));
      const p = await fetchRaw(viaProxy, proxyGet("/big"));
      if (d.bytes < SIZE || p.bytes < SIZE) {
        throw new Error(`short download: direct ${d.bytes}, proxy ${p.bytes} bytes`);
      }
      directRate = Math.max(directRate, d.bytes / d.totalMs);
      proxyRate = Math.max(proxyRate, p.bytes / p.totalMs);
      ratios.push((p.bytes / p.totalMs) / (d.bytes / d.totalMs));
    }
    const added: number[] = [];
    for (let i = 0; i < TTFB_PAIRS; i++) {
      const d = await fetchRaw(direct, directGet("/small"));
      const p = await fetchRaw(viaProxy, proxyGet("/small"));
      added.push(p.firstMs - d.firstMs);
    }
    const mbps = (bytesPerMs: number) => (bytesPerMs * 1000 / 1024 / 1024).toFixed(0);
    return [
      [
        `egress: 100 MB through the proxy / direct (${mbps(proxyRate)} / ${
          mbps(directRate)
        } MB/s), median ratio`,
        median(ratios).toFixed(2),
        ">= 0.8",
      ],
      ["egress: added time to first byte per request, median ms", median(added).toFixed(2), "<= 2"],
    ];
  } finally {
    await proxy.stop();
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * The 100 MB answer, streamed from one reused chunk as a file or cache
 * server sends. A `Uint8Array` body of 100 MB is copied whole by Deno.serve
 * before its first byte leaves (about 65 ms here), a cost that was in both
 * paths' totals alike and so pulled the ratio towards 1; and a server far
 * away would not spend this machine's cores at all.
 */
function bigResponse(): Response {
  const chunk = new Uint8Array(1024 * 1024);
  let left = SIZE / chunk.length;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (left-- > 0) controller.enqueue(chunk);
      else controller.close();
    },
  }, { highWaterMark: 0 });
  return new Response(body, { headers: { "content-length": String(SIZE) } });
}

/** The child roles: the download server, and the proxy as a launch runs it. */
async function serveRole(args: string[]): Promise<void> {
  if (args[0] === "--serve") {
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (req) => new URL(req.url).pathname === "/big" ? bigResponse() : new Response("small"),
    );
    console.log(server.addr.port);
    await server.finished;
  } else {
    const [socket, port] = args.slice(1);
    await startProxy({
      listen: [{ transport: "unix", path: socket }],
      allows: (host, p) => host === "127.0.0.1" && p === Number(port),
    });
    console.log("ready");
    await new Promise(() => {});
  }
}

if (import.meta.main) {
  if (Deno.args.length > 0) await serveRole(Deno.args);
  else for (const row of await egressRows()) console.log(row.join("\t"));
}
