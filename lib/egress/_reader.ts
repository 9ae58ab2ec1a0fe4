/**
 * A buffered reader over a connection: reads a head up to its blank line
 * within a size bound, then hands out what it read past the head, and can
 * copy an exact number of bytes or a chunked body to a writer.
 */
import { HttpError } from "./_http.ts";

/** Something bytes can be read from (a Deno.Conn). */
export interface Readable {
  read(p: Uint8Array): Promise<number | null>;
}

/** Something bytes can be written to (a Deno.Conn). */
export interface Writable {
  write(p: Uint8Array): Promise<number>;
}

const CHUNK = 64 * 1024;
const decoder = new TextDecoder("latin1");

/** Write all of `data`. */
export async function writeAll(w: Writable, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await w.write(data.subarray(off));
}

export class BufferedReader {
  #buf = new Uint8Array(0);

  constructor(private readonly source: Readable) {}

  /** Read more from the source into the buffer; false at end of stream. */
  async #fill(): Promise<boolean> {
    const chunk = new Uint8Array(CHUNK);
    const n = await this.source.read(chunk);
    if (n === null) return false;
    const merged = new Uint8Array(this.#buf.length + n);
    merged.set(this.#buf);
    merged.set(chunk.subarray(0, n), this.#buf.length);
    this.#buf = merged;
    return true;
  }

  /**
   * The head up to (not including) the first CRLF CRLF, as latin1 text.
   * `undefined` when the stream ends before any byte; HttpError 431 past
   * `max` bytes, 400 when the stream ends inside a head.
   */
  async readHead(max: number): Promise<string | undefined> {
    let from = 0;
    while (true) {
      const end = indexOfBlankLine(this.#buf, from);
      if (end >= 0) {
        if (end > max) break;
        const head = decoder.decode(this.#buf.subarray(0, end));
        this.#buf = this.#buf.subarray(end + 4);
        return head;
      }
      if (this.#buf.length > max) break;
      from = Math.max(0, this.#buf.length - 3);
      if (!(await this.#fill())) {
        if (this.#buf.length === 0) return undefined;
        throw new HttpError(400, "the connection ended inside the request head");
      }
    }
    throw new HttpError(431, `request head larger than ${max} bytes`);
  }

  /** Take whatever is buffered and not yet consumed. */
  takeBuffered(): Uint8Array {
    const rest = this.#buf;
    this.#buf = new Uint8Array(0);
    return rest;
  }

  /** Copy exactly `length` bytes to `to`; HttpError 400 if the stream ends first. */
  async copyExact(to: Writable, length: number): Promise<void> {
    let left = length;
    while (left > 0) {
      if (this.#buf.length === 0 && !(await this.#fill())) {
        throw new HttpError(400, "the connection ended inside the request body");
      }
      const n = Math.min(left, this.#buf.length);
      await writeAll(to, this.#buf.subarray(0, n));
      this.#buf = this.#buf.subarray(n);
      left -= n;
    }
  }

  /** One line without its CRLF (at most `max` bytes). */
  async #readLine(max: number): Promise<string> {
    let from = 0;
    while (true) {
      const at = indexOfCrlf(this.#buf, from);
      if (at >= 0 && at <= max) {
        const line = decoder.decode(this.#buf.subarray(0, at));
        this.#buf = this.#buf.subarray(at + 2);
        return line;
      }
      if (this.#buf.length > max + 2) throw new HttpError(400, "chunk line too long");
      from = Math.max(0, this.#buf.length - 1);
      if (!(await this.#fill())) {
        throw new HttpError(400, "the connection ended inside a chunked body");
      }
    }
  }

  /**
   * Copy a chunked body through unchanged, up to and including its last
   * chunk and trailers, and not a byte further.
   */
  async copyChunked(to: Writable): Promise<void> {
    const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
    while (true) {
      const line = await this.#readLine(4096);
      const m = /^([0-9a-fA-F]{1,12})(;.*)?$/.exec(line);
      if (!m) throw new HttpError(400, "malformed chunk size");
      const size = parseInt(m[1], 16);
      await writeAll(to, enc(`${line}\r\n`));
      if (size === 0) break;
      await this.copyExact(to, size);
      if ((await this.#readLine(0)) !== "") throw new HttpError(400, "chunk not ended by CRLF");
      await writeAll(to, enc("\r\n"));
    }
    while (true) {
      const trailer = await this.#readLine(8192);
      await writeAll(to, enc(`${trailer}\r\n`));
      if (trailer === "") return;
    }
  }
}

function indexOfBlankLine(buf: Uint8Array, from: number): number {
  for (let i = from; i + 3 < buf.length; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) return i;
  }
  return -1;
}

function indexOfCrlf(buf: Uint8Array, from: number): number {
  for (let i = from; i + 1 < buf.length; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10) return i;
  }
  return -1;
}
