/**
 * Download progress for people: a bar redrawn in place on a terminal, one
 * plain line at the start and at the end otherwise.
 */
import type { DownloadProgress } from "../system/download.ts";

const UNITS = ["B", "KB", "MB", "GB"] as const;

/**
 * Bytes in decimal units with one decimal.
 *
 * @example
 * ```ts
 * import { formatBytes } from "./progress.ts";
 * formatBytes(83_100_000); // "83.1 MB"
 * ```
 */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** Bytes per second over `elapsedMs`, formatted; `-` before any time has passed. */
export function formatRate(bytes: number, elapsedMs: number): string {
  return elapsedMs <= 0 ? "-" : `${formatBytes(Math.round(bytes / (elapsedMs / 1000)))}/s`;
}

/**
 * One frame of the terminal progress bar.
 *
 * @example
 * ```ts
 * import { progressBar } from "./progress.ts";
 * progressBar({ received: 50, total: 100 }, 1000, 10);
 * // "[=====     ]  50 B / 100 B  50 B/s"
 * ```
 */
export function progressBar(progress: DownloadProgress, elapsedMs: number, width = 30): string {
  const rate = formatRate(progress.received, elapsedMs);
  if (progress.total === null || progress.total === 0) {
    return `${formatBytes(progress.received)}  ${rate}`;
  }
  const fraction = Math.min(1, progress.received / progress.total);
  const filled = Math.round(fraction * width);
  const bar = `[${"=".repeat(filled)}${" ".repeat(width - filled)}]`;
  return `${bar}  ${formatBytes(progress.received)} / ${formatBytes(progress.total)}  ${rate}`;
}

/** Where a progress reporter writes, and its clock. */
export interface ProgressSink {
  readonly write: (text: string) => void;
  /** Milliseconds from any fixed origin. */
  readonly now: () => number;
  /** Redraw a bar in place (a terminal) or print plain lines. */
  readonly terminal: boolean;
}

/** A progress reporter: feed it `update`s, then call `done` once the download succeeded. */
export interface ProgressReporter {
  update(progress: DownloadProgress): void;
  /** Finish the bar or print the summary line. */
  done(): void;
  /** End a bar that was drawn, so an error starts on a fresh line. */
  abandon(): void;
}

/** Minimum time between two redraws of the bar. */
const REDRAW_MS = 100;

/** Report the download of `label` to `sink`. */
export function progressReporter(label: string, sink: ProgressSink): ProgressReporter {
  const start = sink.now();
  let last: DownloadProgress = { received: 0, total: null };
  let lastDraw = -Infinity;
  let drawn = false;
  const draw = () => {
    sink.write(`\r${progressBar(last, sink.now() - start)}\x1b[K`);
    drawn = true;
  };
  sink.write(`llm: downloading ${label}\n`);
  return {
    update(progress) {
      last = progress;
      if (!sink.terminal) return;
      const now = sink.now();
      if (now - lastDraw < REDRAW_MS && progress.received !== progress.total) return;
      lastDraw = now;
      draw();
    },
    done() {
      const elapsed = sink.now() - start;
      if (sink.terminal) {
        draw();
        sink.write("\n");
      } else {
        sink.write(
          `llm: downloaded ${formatBytes(last.received)} in ${(elapsed / 1000).toFixed(1)} s ` +
            `(${formatRate(last.received, elapsed)})\n`,
        );
      }
    },
    abandon() {
      if (drawn) sink.write("\n");
    },
  };
}
