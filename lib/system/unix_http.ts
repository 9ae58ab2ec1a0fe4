/**
 * One HTTP/1.0 GET on a Unix socket (the Docker Engine API): HTTP/1.0, so
 * the answer is never chunked and ends when the server closes.
 */
import type { HttpAnswer } from "./system.ts";

/** Longer than any answer the Engine API gives for one image or container. */
const LIMIT = 8 * 1024 * 1024;
/** A daemon that does not answer in this long is not waited for. */
const TIMEOUT_MS = 5000;

/** `GET path` on `socket`, or null when it fails in any way. */
export async function unixHttpGet(socket: string, path: string): Promise<HttpAnswer | null> {
  let conn: Deno.UnixConn | undefined;
  const timer = setTimeout(() => close(conn), TIMEOUT_MS);
  try {
    conn = await Deno.connect({ transport: "unix", path: socket });
    await conn.write(new TextEncoder().encode(`GET ${path} HTTP/1.0\r\nHost: localhost\r\n\r\n`));
    const chunks: Uint8Array[] = [];
    let size = 0;
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      size += n;
      if (size > LIMIT) return null;
      chunks.push(buf.slice(0, n));
    }
    const all = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.length;
    }
    return parseAnswer(new TextDecoder().decode(all));
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
    close(conn);
  }
}

function close(conn: Deno.UnixConn | undefined): void {
  try {
    conn?.close();
  } catch { /* closed already */ }
}

/**
 * The status and body of a whole HTTP/1.x answer, or null when it is not one.
 *
 * @example
 * ```ts
 * import { parseAnswer } from "./unix_http.ts";
 * parseAnswer("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{}"); // { status: 200, body: "{}" }
 * ```
 */
export function parseAnswer(text: string): HttpAnswer | null {
  const m = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/.exec(text);
  const end = text.indexOf("\r\n\r\n");
  if (!m || end < 0) return null;
  return { status: Number(m[1]), body: text.slice(end + 4) };
}
