/**
 * The network policy against the real runtimes, rootful and rootless podman
 * and docker, with the agent image (it has curl and socat). Nothing leaves
 * loopback: two test servers on 127.0.0.1 stand in for an allowed and a
 * denied host, and the proxy's test-only resolver
 * (LLM_TEST_ONLY_EGRESS_RESOLVE, lib/egress/session.ts) sends their names
 * there. The connection attempts that must fail go to 192.0.2.1 (TEST-NET-1)
 * from a container that has no route at all, so no packet is sent.
 */
import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import { join } from "../../lib/std/path.ts";
import {
  ALL_MODES,
  e2eState,
  makeSandbox,
  type Ran,
  runAs,
  sandboxTest,
  spawnLlm,
} from "./_harness.ts";
import { agentSkipReason, imageName, runBounded } from "./agents/_agents.ts";

const RESOLVE = "allowed.test=127.0.0.1,denied.test=127.0.0.1";

interface TestServer {
  readonly port: number;
  readonly hits: string[];
  close(): Promise<void>;
}

function serve(body: string): TestServer {
  const hits: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => {
      hits.push(new URL(request.url).pathname);
      return new Response(body);
    },
  );
  return { port: server.addr.port, hits, close: () => server.shutdown() };
}

/** llm's scratch directories in /tmp now. */
async function scratchDirs(): Promise<string[]> {
  return (await entries("/tmp")).filter((n) => n.startsWith("llm-") && !n.startsWith("llm-e2e"))
    .map((n) => join("/tmp", n));
}

async function entries(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

function text(r: Ran): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

for (const [mode, engine] of ALL_MODES) {
  const reason = agentSkipReason(mode, engine);
  if (reason) console.log(`skipping egress tests (${mode} ${engine}): ${reason}`);
  const ignore = reason !== null;
  const label = `(${mode} ${engine})`;
  const test = sandboxTest(mode, engine, ignore);

  Deno.test({
    name: `--network allow: an allowed host answers through the proxy, a denied one is ` +
      `refused and logged, direct TCP and DNS fail ${label}`,
    ignore,
    async fn() {
      const sandbox = await makeSandbox(mode, engine);
      const allowed = serve("allowed-ok");
      const denied = serve("denied-should-not-be-reached");
      try {
        const script = [
          `curl -sS -m 20 http://allowed.test:${allowed.port}/plain`,
          "echo",
          // CONNECT, as HTTPS uses it.
          `curl -sS -m 20 --proxytunnel http://allowed.test:${allowed.port}/tunnel`,
          "echo",
          `curl -sS -m 20 -o /dev/null -w 'denied=%{http_code}\\n' ` +
          `http://denied.test:${denied.port}/`,
          "(exec 3<>/dev/tcp/192.0.2.1/80) 2>/dev/null && echo direct=open || echo direct=failed",
          "getent hosts example.org >/dev/null && echo dns=resolved || echo dns=failed",
          "echo ifaces=$(ls /sys/class/net | tr '\\n' ' ')",
        ].join("; ");
        const r = await runBounded(sandbox, [
          "--image-name",
          imageName(),
          "--network",
          "allow",
          "--allow-host",
          `allowed.test:${allowed.port}`,
          "shell",
          "--",
          "bash",
          "-c",
          script,
        ], { LLM_TEST_ONLY_EGRESS_RESOLVE: RESOLVE });
        assertEquals(r.code, 0, text(r));
        const out = r.stdout;
        assertStringIncludes(out, "allowed-ok\nallowed-ok\n");
        assertEquals(allowed.hits, ["/plain", "/tunnel"]);
        assertStringIncludes(out, "denied=403\n");
        assertEquals(denied.hits, [], "the denied server was reached");
        assertStringIncludes(out, "direct=failed\n");
        assertStringIncludes(out, "dns=failed\n");
        assertStringIncludes(out, "ifaces=lo\n");
        assertStringIncludes(
          r.stderr,
          `llm: blocked 1 connection: denied.test:${denied.port} (1) (log: `,
        );
        const logDir = join(sandbox.home, ".local/state/llm/egress");
        const logs = await entries(logDir);
        assertEquals(logs.length, 1, logs.join(" "));
        const log = await Deno.readTextFile(join(logDir, logs[0]));
        assert(
          new RegExp(
            `^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\tblocked\\tdenied\\.test:${denied.port}` +
              `\\tnot-allowed\\n$`,
          ).test(log),
          log,
        );
      } finally {
        await allowed.close();
        await denied.close();
        await sandbox.cleanup();
      }
    },
  });

  Deno.test({
    name:
      `--network allow goes out through the host's own proxy (HTTP_PROXY, HTTPS_PROXY) ${label}`,
    ignore,
    async fn() {
      const sandbox = await makeSandbox(mode, engine);
      const upstream = startUpstream();
      try {
        const r = await runBounded(sandbox, [
          "--image-name",
          imageName(),
          "--network",
          "allow",
          "--allow-host",
          "allowed.test",
          "shell",
          "--",
          "bash",
          "-c",
          [
            "curl -sS -m 20 http://allowed.test/plain",
            "echo",
            "curl -sS -m 20 -o /dev/null -w 'tunnel=%{http_code}\\n' https://allowed.test/ || true",
          ].join("; "),
        ], {
          HTTP_PROXY: `http://127.0.0.1:${upstream.port}`,
          HTTPS_PROXY: `http://127.0.0.1:${upstream.port}`,
        });
        assertEquals(r.code, 0, text(r));
        assertStringIncludes(r.stdout, "via-upstream GET http://allowed.test/plain\n");
        // The tunnel reached the upstream proxy as a CONNECT (the stub then closes it).
        assert(upstream.seen.includes("CONNECT allowed.test:443"), upstream.seen.join("\n"));
        assert(upstream.seen.includes("GET http://allowed.test/plain"), upstream.seen.join("\n"));
      } finally {
        upstream.close();
        await sandbox.cleanup();
      }
    },
  });

  test(`--network allow --verbose prints each refusal as it happens`, async (sandbox) => {
    const r = await runBounded(sandbox, [
      "--image-name",
      imageName(),
      "--verbose",
      "--network",
      "allow",
      "shell",
      "--",
      "bash",
      "-c",
      "curl -sS -m 20 -o /dev/null -w '%{http_code}\\n' https://denied.test/ || true",
    ], { LLM_TEST_ONLY_EGRESS_RESOLVE: RESOLVE });
    assertEquals(r.code, 0, text(r));
    assertStringIncludes(r.stderr, "llm: network allow (through llm's proxy): built-in ");
    assertStringIncludes(
      r.stderr,
      "llm: blocked denied.test:443 (not allowed; --allow-host denied.test lets it through)",
    );
    assertStringIncludes(r.stderr, "llm: blocked 1 connection: denied.test:443 (1)");
  });

  test(`--network none: only loopback, no DNS, no route out`, async (sandbox) => {
    const r = await runBounded(sandbox, [
      "--image-name",
      imageName(),
      "--network",
      "none",
      "shell",
      "--",
      "bash",
      "-c",
      [
        "echo ifaces=$(ls /sys/class/net | tr '\\n' ' ')",
        "(exec 3<>/dev/tcp/192.0.2.1/80) 2>/dev/null && echo direct=open || echo direct=failed",
        "getent hosts example.org >/dev/null && echo dns=resolved || echo dns=failed",
        "echo proxy=${HTTPS_PROXY:-unset}",
      ].join("; "),
    ], { HTTPS_PROXY: "http://proxy.invalid:3128" });
    assertEquals(r.code, 0, text(r));
    assertEquals(
      r.stdout,
      "ifaces=lo\ndirect=failed\ndns=failed\nproxy=unset\n",
      text(r),
    );
  });

  Deno.test({
    name: `--network allow: a crashing agent's status comes back and the proxy goes ${label}`,
    ignore,
    async fn() {
      const sandbox = await makeSandbox(mode, engine);
      const before = await scratchDirs();
      try {
        const r = await runBounded(sandbox, [
          "--image-name",
          imageName(),
          "--network",
          "allow",
          "shell",
          "--",
          "bash",
          "-c",
          "test -S /run/llm-egress/proxy.sock && kill -SEGV $$",
        ]);
        assertEquals(r.code, 139, text(r));
        // Other launches on this machine may have directories of their own there.
        const left = [];
        for (const d of (await scratchDirs()).filter((d) => !before.includes(d))) {
          if (await Deno.stat(join(d, "egress")).then(() => true, () => false)) left.push(d);
        }
        assertEquals(left, [], "the launch's directory (and the socket) is left");
      } finally {
        await sandbox.cleanup();
      }
    },
  });

  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    Deno.test({
      name: `--network allow: the proxy and its socket are gone after ${
        signal === "SIGINT" ? "Ctrl-C" : signal
      } ${label}`,
      ignore,
      fn: () => signalTest(mode, engine, signal),
    });
  }
}

/** Launch under allow, signal llm once the agent runs, and check nothing is left. */
async function signalTest(
  mode: "rootful" | "rootless",
  engine: "podman" | "docker",
  signal: "SIGINT" | "SIGTERM" | "SIGHUP",
): Promise<void> {
  const sandbox = await makeSandbox(mode, engine);
  // Not a TMPDIR of the test's own: rootless podman would keep its
  // runtime state there. The launch's directory is the new one in /tmp.
  const before = await scratchDirs();
  const child = spawnLlm(sandbox, [
    "--image-name",
    imageName(),
    "--network",
    "allow",
    "shell",
    "--",
    "bash",
    "-c",
    "touch running; exec sleep 300",
  ]);
  try {
    // Wait for the socket and the container.
    let scratch: string | undefined;
    for (let i = 0; i < 600 && scratch === undefined; i++) {
      for (const dir of (await scratchDirs()).filter((d) => !before.includes(d))) {
        const has = async (p: string) =>
          await Deno.stat(join(dir, p)).then(() => true, () => false);
        if (await has("egress/proxy.sock") && await has("created")) scratch = dir;
      }
      if (scratch !== undefined) {
        // The agent itself runs (a Ctrl-C before that is the runtime's affair).
        const running = await Deno.stat(join(sandbox.workspace, "running")).then(
          () => true,
          () => false,
        );
        if (!running) scratch = undefined;
      }
      if (scratch === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    assert(scratch !== undefined, "the launch never got its socket and container");
    const cid = (await Deno.readTextFile(join(scratch, "created"))).trim();
    // Ctrl-C on a terminal signals the whole foreground process group:
    // llm and the runtime's client, which hands it to the container;
    // SIGTERM and SIGHUP (kill, a closed terminal) reach llm alone.
    // (Rootless runs go through runuser, the harness's own wrapper: not signalled.)
    const pids = (await descendants(child.pid)).slice(mode === "rootless" ? 1 : 0);
    for (const pid of signal === "SIGINT" ? pids : pids.slice(0, 1)) {
      try {
        Deno.kill(pid, signal);
      } catch { /* gone already */ }
    }
    const ended = await Promise.race([
      child.output(),
      new Promise<null>((r) => setTimeout(() => r(null), 60_000)),
    ]);
    assert(ended !== null, `llm did not end within 60 s of ${signal}`);
    const stderr = new TextDecoder().decode(ended.stderr);
    const kept = await Deno.stat(scratch).then(() => true, () => false);
    assert(!kept, `the scratch directory (and the socket) is left; llm said: ${stderr}`);
    const state = e2eState();
    const cli = engine === "docker" ? state?.docker ?? "docker" : state?.podman ?? "podman";
    const left = await runAs(sandbox, [cli, "ps", "-a", "-q", "--filter", `id=${cid}`], "/");
    assertEquals(left.code, 0, left.stderr);
    assertEquals(left.stdout.trim(), "", `the container ${cid} is left`);
    const ps = await runAs(sandbox, ["ps", "-eo", "pid,args"], "/");
    assert(!ps.stdout.includes(scratch), `a process still names the scratch:\n${ps.stdout}`);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* ended */ }
    await child.output().catch(() => {});
    await sandbox.cleanup();
  }
}

/**
 * A stand-in for a site's HTTP proxy on 127.0.0.1: records each request
 * line, answers a plain request with a body naming it, and closes a CONNECT.
 */
function startUpstream(): { port: number; seen: string[]; close(): void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const seen: string[] = [];
  (async () => {
    for await (const conn of listener) {
      (async () => {
        const buf = new Uint8Array(8192);
        let text = "";
        while (!text.includes("\r\n\r\n")) {
          const n = await conn.read(buf);
          if (n === null) break;
          text += new TextDecoder().decode(buf.subarray(0, n));
        }
        const line = text.split("\r\n")[0].replace(/ HTTP\/1\.1$/, "");
        seen.push(line);
        const body = `via-upstream ${line}\n`;
        const answer = line.startsWith("CONNECT")
          ? "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
          : `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
        await conn.write(new TextEncoder().encode(answer)).catch(() => 0);
        conn.close();
      })().catch(() => {});
    }
  })().catch(() => {});
  return { port: (listener.addr as Deno.NetAddr).port, seen, close: () => listener.close() };
}

/** `pid` and every process below it, parents first. */
async function descendants(pid: number): Promise<number[]> {
  const out = await new Deno.Command("ps", { args: ["-eo", "pid=,ppid="], stdout: "piped" })
    .output();
  const children = new Map<number, number[]>();
  for (const line of new TextDecoder().decode(out.stdout).trim().split("\n")) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    children.set(pp, [...children.get(pp) ?? [], p]);
  }
  const all: number[] = [];
  const walk = (p: number) => {
    all.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return all;
}
