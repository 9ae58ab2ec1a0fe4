import { assertEquals } from "../../_assert.ts";
import { parseAnswer, unixHttpGet } from "../../../lib/system/unix_http.ts";

/** Serve one connection on a fresh Unix socket with `answer`, recording the request. */
async function serveOnce(answer: string): Promise<{ socket: string; request: Promise<string> }> {
  const dir = await Deno.makeTempDir();
  const socket = `${dir}/engine.sock`;
  const listener = Deno.listen({ transport: "unix", path: socket });
  const request = (async () => {
    const conn = await listener.accept();
    const buf = new Uint8Array(4096);
    const n = await conn.read(buf) ?? 0;
    await conn.write(new TextEncoder().encode(answer));
    conn.close();
    listener.close();
    await Deno.remove(dir, { recursive: true });
    return new TextDecoder().decode(buf.subarray(0, n));
  })();
  return { socket, request };
}

Deno.test("unixHttpGet() sends one HTTP/1.0 GET and gives the status and body", async () => {
  const body = JSON.stringify({ Id: "sha256:ab", Config: { Labels: {} } });
  const { socket, request } = await serveOnce(
    `HTTP/1.0 200 OK\r\nApi-Version: 1.43\r\nContent-Type: application/json\r\n\r\n${body}`,
  );
  const answer = await unixHttpGet(socket, "/images/sha256:ab/json");
  assertEquals(answer, { status: 200, body });
  assertEquals(await request, "GET /images/sha256:ab/json HTTP/1.0\r\nHost: localhost\r\n\r\n");
});

Deno.test("unixHttpGet() gives null for no socket and for an answer that is not HTTP", async () => {
  assertEquals(await unixHttpGet("/nonexistent/engine.sock", "/x"), null);
  const { socket, request } = await serveOnce("SSH-2.0-OpenSSH_9.2\r\n");
  assertEquals(await unixHttpGet(socket, "/x"), null);
  await request;
});

Deno.test("parseAnswer() reads the status line and splits the body off the headers", () => {
  assertEquals(parseAnswer('HTTP/1.1 404 Not Found\r\nA: b\r\n\r\n{"message":"x"}'), {
    status: 404,
    body: '{"message":"x"}',
  });
  assertEquals(parseAnswer("HTTP/1.0 200 OK\r\nno end of headers"), null);
  assertEquals(parseAnswer("HTTP/2 200\r\n\r\n"), null);
});
