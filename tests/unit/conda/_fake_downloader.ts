/**
 * An in-memory `Downloader` for unit tests: serves fixed bodies by URL and
 * writes finished downloads into a fake system's files, the way the real one
 * does (verify first, then put in place).
 */
import { LlmError } from "../../../lib/errors.ts";
import type { Downloader, DownloadOptions } from "../../../lib/system/download.ts";
import type { FakeSystem } from "../../_fake_system.ts";

/** A fake downloader plus a record of what it was asked. */
export interface FakeDownloader extends Downloader {
  /** `text URL`, `file URL -> DEST` and `hash PATH`, in order. */
  readonly calls: string[];
}

/** SHA-256 of text, lowercase hex. */
export async function sha256(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Bodies by URL; an `Error` value is thrown for that URL; a missing URL answers 404. */
export function fakeDownloader(
  system: FakeSystem,
  bodies: Record<string, string | Error>,
): FakeDownloader {
  const calls: string[] = [];
  const body = (url: string): string => {
    const b = bodies[url];
    if (b instanceof Error) throw b;
    if (b === undefined) {
      throw new LlmError(`could not download ${url}: the server answered HTTP 404 Not Found`);
    }
    return b;
  };
  return {
    calls,
    fetchText(url: string): Promise<string> {
      calls.push(`text ${url}`);
      return Promise.resolve().then(() => body(url));
    },
    async downloadFile(url: string, dest: string, options: DownloadOptions = {}): Promise<void> {
      calls.push(`file ${url} -> ${dest}`);
      const content = body(url);
      const total = new TextEncoder().encode(content).length;
      options.onProgress?.({ received: 0, total });
      options.onProgress?.({ received: total, total });
      options.verify?.(await sha256(content));
      system.writeFileAtomic(dest, content, options.mode ?? 0o644);
    },
    async sha256File(path: string): Promise<string | null> {
      calls.push(`hash ${path}`);
      const f = system.files.get(path);
      return f?.kind === "file" ? await sha256(f.content ?? new Uint8Array()) : null;
    },
  };
}
