/**
 * The session proxy's edge: settings read before the launch (the host's
 * upstream proxy, the test-only resolver), the proxy on a real Unix socket
 * in a scratch directory and gone after close, and the session log.
 */
import { assert, assertEquals, assertThrows } from "../../_assert.ts";
import { LlmError } from "../../../lib/errors.ts";
import {
  countBlocked,
  egressLogPath,
  egressSettings,
  finishEgressLog,
  startEgress,
  TEST_RESOLVE_VARIABLE,
} from "../../../lib/egress/session.ts";
import { resolveNetworkPolicy } from "../../../lib/egress/policy.ts";
import { join } from "../../../lib/std/path.ts";
import { realSystem } from "../../../lib/system/real.ts";

const POLICY = resolveNetworkPolicy({
  agent: "codex",
  user: [{ source: "--network", mode: "allow", hosts: ["allowed.test:1"] }],
});

Deno.test("without the test variable there is no resolver and no warning", () => {
  const s = egressSettings(POLICY, { HTTPS_PROXY: "http://site:3128" });
  assertEquals(s.resolve, undefined);
  assertEquals(s.warnings, []);
  assertEquals(s.upstream.https?.hostname, "site");
});

Deno.test("the test-only resolver maps names to loopback only, and always says so", () => {
  const s = egressSettings(POLICY, { [TEST_RESOLVE_VARIABLE]: "a.test=127.0.0.1,B.test=::1" });
  assertEquals(s.resolve, { "a.test": "127.0.0.1", "b.test": "::1" });
  assertEquals(s.warnings.length, 1);
  assert(s.warnings[0].includes("for llm's own tests"), s.warnings[0]);
  for (const bad of ["a.test=10.0.0.1", "a.test=0.0.0.0", "a.test", "=127.0.0.1", "a=b=c"]) {
    assertThrows(
      () => egressSettings(POLICY, { [TEST_RESOLVE_VARIABLE]: bad }),
      LlmError,
      TEST_RESOLVE_VARIABLE,
    );
  }
});

Deno.test("a socks upstream proxy is refused before anything runs", () => {
  assertThrows(
    () => egressSettings(POLICY, { ALL_PROXY: "socks5://p:1080" }),
    LlmError,
    "ALL_PROXY uses socks5:// which the network filter cannot go through",
  );
});

Deno.test("the proxy listens on egress/proxy.sock (0700 directory) and close removes the socket", async () => {
  const scratch = await Deno.makeTempDir({ prefix: "llm-egress-unit-" });
  const system = realSystem();
  try {
    const seen: string[] = [];
    const session = await startEgress(
      egressSettings(POLICY, {}),
      scratch,
      system,
      (e) => seen.push(`${e.host}:${e.port}`),
    );
    const socket = join(scratch, "egress", "proxy.sock");
    assertEquals(session.socket, socket);
    assertEquals(((await Deno.stat(join(scratch, "egress"))).mode ?? 0) & 0o777, 0o700);
    assert((await Deno.lstat(socket)).isSocket);
    const conn = await Deno.connect({ transport: "unix", path: socket });
    await conn.write(new TextEncoder().encode("CONNECT evil.example:443 HTTP/1.1\r\n\r\n"));
    const buf = new Uint8Array(4096);
    const n = await conn.read(buf);
    conn.close();
    assert(new TextDecoder().decode(buf.subarray(0, n ?? 0)).startsWith("HTTP/1.1 403"));
    assertEquals(seen, ["evil.example:443"]);
    assertEquals(countBlocked(session.events), new Map([["evil.example:443", 1]]));
    await session.close();
    assertEquals(await Deno.lstat(socket).then(() => true, () => false), false);
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
});

Deno.test("the session log: written 0600 only when something was blocked, named in the summary", async () => {
  const home = await Deno.makeTempDir({ prefix: "llm-egress-log-" });
  const system = realSystem();
  try {
    const path = egressLogPath({}, home, "codex", new Date("2026-01-02T03:04:05.678Z"));
    assert(path.startsWith(join(home, ".local/state/llm/egress/20260102T030405Z-codex-")), path);
    assertEquals(
      egressLogPath({ XDG_STATE_HOME: "/s" }, home, "pi", new Date(0)).startsWith(
        "/s/llm/egress/",
      ),
      true,
    );
    assertEquals(finishEgressLog([], new Map(), path, system), undefined);
    assertEquals(await Deno.stat(path).then(() => true, () => false), false);
    const event = {
      host: "evil.example",
      port: 443,
      time: new Date(0),
      reason: "not-allowed" as const,
    };
    const line = finishEgressLog([event, event], countBlocked([event, event]), path, system);
    assertEquals(line, `llm: blocked 2 connections: evil.example:443 (2) (log: ${path})`);
    assertEquals(((await Deno.stat(path)).mode ?? 0) & 0o777, 0o600);
    assertEquals(
      await Deno.readTextFile(path),
      "1970-01-01T00:00:00.000Z\tblocked\tevil.example:443\tnot-allowed\n".repeat(2),
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("for a runtime in a VM the proxy listens on 127.0.0.1 instead, and makes no socket", async () => {
  const scratch = await Deno.makeTempDir({ prefix: "llm-egress-unit-" });
  try {
    const session = await startEgress(
      egressSettings(POLICY, {}),
      scratch,
      realSystem(),
      () => {},
      true,
    );
    assertEquals(session.socket, undefined);
    assert(session.port !== undefined && session.port > 0);
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: session.port });
    await conn.write(new TextEncoder().encode("CONNECT evil.example:443 HTTP/1.1\r\n\r\n"));
    const buf = new Uint8Array(4096);
    const n = await conn.read(buf);
    conn.close();
    assert(new TextDecoder().decode(buf.subarray(0, n ?? 0)).startsWith("HTTP/1.1 403"));
    await session.close();
    assertEquals([...Deno.readDirSync(scratch)], []);
    await Deno.connect({ hostname: "127.0.0.1", port: session.port }).then(
      (c) => {
        c.close();
        throw new Error("still listening");
      },
      () => {},
    );
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
});
