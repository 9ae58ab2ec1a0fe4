/**
 * Time limits in Slurm's own syntax, so `--time` means the same to
 * `llm batch` locally as it does to `sbatch`.
 */
import { UsageError } from "../errors.ts";

/**
 * Seconds in a Slurm time limit: `M`, `M:S`, `H:M:S`, `D-H`, `D-H:M`,
 * `D-H:M:S`. `where` names the setting in the error.
 *
 * @example
 * ```ts
 * import { parseSlurmTime } from "./time.ts";
 * parseSlurmTime("30"); // 1800
 * parseSlurmTime("1-2:00:00"); // 93600
 * ```
 */
export function parseSlurmTime(text: string, where = "--time"): number {
  const bad = () =>
    new UsageError(
      `${where} '${text}' is not a Slurm time limit (MINUTES, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS)`,
    );
  const m = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(text.trim());
  if (!m) throw bad();
  const [, d, a, b, c] = m;
  const n = (s: string | undefined) => (s === undefined ? 0 : Number(s));
  let seconds: number;
  if (d !== undefined) {
    // D-H, D-H:M, D-H:M:S
    seconds = n(d) * 86400 + n(a) * 3600 + n(b) * 60 + n(c);
  } else if (c !== undefined) seconds = n(a) * 3600 + n(b) * 60 + n(c);
  else if (b !== undefined) seconds = n(a) * 60 + n(b);
  else seconds = n(a) * 60;
  if (seconds <= 0) throw bad();
  return seconds;
}

/**
 * A duration for tables: `45s`, `3m05s`, `2h01m`.
 *
 * @example
 * ```ts
 * import { formatDuration } from "./time.ts";
 * formatDuration(185); // "3m05s"
 * ```
 */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
