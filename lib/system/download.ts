/**
 * Downloading over HTTP(S): the one place that calls `fetch`, behind the
 * small `Downloader` interface so commands can be tested with a fake.
 *
 * A file download streams into a temporary file beside its destination,
 * hashes the bytes as they arrive, and renames the file into place only
 * after the caller has accepted the hash. Any failure, and Ctrl-C, leaves
 * nothing behind.
 */
import { LlmError } from "../errors.ts";
import { basename, dirname, join } from "../std/path.ts";

/** How far a download has got. */
export interface DownloadProgress {
  /** Bytes received so far. */
  readonly received: number;
  /** Bytes announced by the server (Content-Length), or null when unknown. */
  readonly total: number | null;
}

/** Options for `Downloader.downloadFile`. */
export interface DownloadOptions {
  /** Called when the download starts and after every chunk. */
  readonly onProgress?: (progress: DownloadProgress) => void;
  /**
   * Called with the SHA-256 (lowercase hex) of the complete body before the
   * file is put in place; throwing keeps the file out and is passed on.
   */
  readonly verify?: (sha256: string) => void;
  /** Mode of the finished file (default 0o644). */
  readonly mode?: number;
}

/** Everything `llm` downloads goes through this. */
export interface Downloader {
  /** The body of `url` as text; an HTTP error or a network failure is an `LlmError`. */
  fetchText(url: string): Promise<string>;
  /** Download `url` to `dest` atomically; see the module comment. */
  downloadFile(url: string, dest: string, options?: DownloadOptions): Promise<void>;
  /** SHA-256 (lowercase hex) of a local file, or null when it does not exist. */
  sha256File(path: string): Promise<string | null>;
}

/** Exit status for a download stopped with Ctrl-C, as a shell reports SIGINT. */
export const INTERRUPTED_EXIT = 130;

/** Options for `realDownloader`. */
export interface RealDownloaderOptions {
  /**
   * Extra CA certificates (PEM text) to trust, for networks whose proxy
   * re-signs TLS traffic (the bundle given to the launcher with `--certs`).
   */
  readonly caCerts?: readonly string[];
}

/** The real downloader, using `fetch` (which honours HTTPS_PROXY and friends). */
export function realDownloader(options: RealDownloaderOptions = {}): Downloader {
  const client = options.caCerts?.length
    ? Deno.createHttpClient({ caCerts: [...options.caCerts] })
    : undefined;
  const get = (url: string, signal?: AbortSignal) => request(url, client, signal);
  return {
    fetchText: (url) => fetchText(url, get),
    downloadFile: (url, dest, o) => downloadFile(get, url, dest, o),
    sha256File,
  };
}

type Get = (url: string, signal?: AbortSignal) => Promise<Response>;

async function request(
  url: string,
  client: Deno.HttpClient | undefined,
  signal?: AbortSignal,
): Promise<Response> {
  let response: Response;
  try {
    // Identity encoding keeps Content-Length equal to the bytes we count.
    response = await fetch(url, { headers: { "accept-encoding": "identity" }, signal, client });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new LlmError(`could not download ${url}: ${networkReason(e)}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new LlmError(
      `could not download ${url}: the server answered HTTP ${response.status}` +
        `${response.statusText ? ` ${response.statusText}` : ""}`,
    );
  }
  return response;
}

async function fetchText(url: string, get: Get): Promise<string> {
  const response = await get(url);
  try {
    return await response.text();
  } catch (e) {
    throw new LlmError(`download of ${url} broke off: ${networkReason(e)}; try again`);
  }
}

async function downloadFile(
  get: Get,
  url: string,
  dest: string,
  options: DownloadOptions = {},
): Promise<void> {
  const controller = new AbortController();
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
    controller.abort();
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  const tmp = join(dirname(dest), `.${basename(dest)}.${crypto.randomUUID()}.part`);
  let file: Deno.FsFile | undefined;
  let received = 0;
  let total: number | null = null;
  try {
    const response = await get(url, controller.signal);
    const length = Number(response.headers.get("content-length") ?? "NaN");
    total = Number.isSafeInteger(length) && length >= 0 ? length : null;
    const { createHash } = await import("node:crypto");
    const hash = createHash("sha256");
    file = await Deno.open(tmp, { write: true, createNew: true, mode: options.mode ?? 0o644 });
    options.onProgress?.({ received, total });
    if (response.body) {
      for await (const chunk of response.body) {
        hash.update(chunk);
        let off = 0;
        while (off < chunk.length) off += await file.write(chunk.subarray(off));
        received += chunk.length;
        options.onProgress?.({ received, total });
      }
    }
    if (total !== null && received !== total) {
      throw new Error(`the server sent ${received} of ${total} bytes`);
    }
    file.close();
    file = undefined;
    options.verify?.(hash.digest("hex"));
    await Deno.rename(tmp, dest);
  } catch (e) {
    if (interrupted) {
      throw new LlmError(`download of ${url} interrupted; nothing was kept`, INTERRUPTED_EXIT);
    }
    if (e instanceof LlmError) throw e;
    const of = total === null ? "" : ` of ${total}`;
    throw new LlmError(
      `download of ${url} broke off after ${received}${of} bytes (${networkReason(e)}); try again`,
    );
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
    try {
      file?.close();
    } catch { /* already closed */ }
    await Deno.remove(tmp).catch(() => {});
  }
}

async function sha256File(path: string): Promise<string | null> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  const { createHash } = await import("node:crypto");
  const hash = createHash("sha256");
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}

/**
 * The useful end of a fetch error: Deno nests the reason in `cause`, e.g.
 * "... tcp connect error: Connection refused (os error 111)".
 */
function networkReason(e: unknown): string {
  const cause = (e as { cause?: unknown })?.cause;
  const message = cause instanceof Error ? cause.message : e instanceof Error ? e.message : `${e}`;
  const last = message.split(": ").pop()?.trim();
  return last || message;
}
