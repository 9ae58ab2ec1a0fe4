/**
 * Old manifests go: those of sessions that ended more than the retention
 * period ago (`LLM_SESSION_RETENTION_DAYS`, default 90; 0 keeps them all).
 * Checked at most once a day, at the end of a launch, so neither `llm ps`
 * nor the start of a launch pays for it.
 */
import { LlmError } from "../errors.ts";
import { join } from "../std/path.ts";
import type { System } from "../system/system.ts";
import type { SessionManifest } from "./manifest.ts";
import { allManifests } from "./store.ts";

/** Default retention, in days. */
export const DEFAULT_RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;
/** Holds the time of the last pruning. */
const STAMP = ".pruned";

/** The retention in days from the environment; 0 means keep everything. */
export function retentionDays(env: Readonly<Record<string, string>>): number {
  const value = env.LLM_SESSION_RETENTION_DAYS;
  if (value === undefined || value === "") return DEFAULT_RETENTION_DAYS;
  if (!/^\d+$/.test(value)) {
    throw new LlmError(
      `LLM_SESSION_RETENTION_DAYS='${value}' is not a whole number of days (0 keeps every manifest)`,
    );
  }
  return Number(value);
}

/** The manifests to remove: ended before `now - days`. Running ones are never pruned. */
export function expired(
  manifests: readonly SessionManifest[],
  days: number,
  now: number,
): SessionManifest[] {
  if (days === 0) return [];
  return manifests.filter((m) =>
    m.state === "exited" && m.ended !== null && Date.parse(m.ended) < now - days * DAY_MS
  );
}

/** Prune the sessions directory when the last pruning is a day old; the ids removed. */
export function pruneSessions(system: System, dir: string): string[] {
  const days = retentionDays(system.env);
  const now = system.now();
  const last = Number(system.readText(join(dir, STAMP))?.trim() ?? "0");
  if (days === 0 || (Number.isFinite(last) && now - last < DAY_MS)) return [];
  const gone = expired(allManifests(system, dir), days, now).map((m) => m.id);
  for (const id of gone) system.remove(join(dir, `${id}.json`));
  system.writeFileAtomic(join(dir, STAMP), `${now}\n`, 0o600);
  return gone;
}
