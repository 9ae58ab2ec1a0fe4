/**
 * Where sessions are kept: `$XDG_STATE_HOME/llm/sessions/` (default
 * `~/.local/state/llm/sessions/`, mode 0700), one `ID.json` manifest a
 * session (mode 0600, written atomically), and `running/NAME` holding the
 * id of the session that has the name while it runs. The claim files make a
 * name unique without reading every manifest, and let `llm ps` read only
 * the running sessions.
 */
import { join } from "../std/path.ts";
import type { System } from "../system/system.ts";
import { manifestText, parseManifest, type SessionManifest } from "./manifest.ts";
import { isSessionId } from "./names.ts";
import { isSameProcess } from "./state.ts";

/** The state directory of llm: `$XDG_STATE_HOME/llm` or `~/.local/state/llm`. */
export function stateDir(env: Readonly<Record<string, string>>, home: string): string {
  const xdg = env.XDG_STATE_HOME;
  return join(xdg && xdg.startsWith("/") ? xdg : join(home, ".local", "state"), "llm");
}

/** The sessions directory. */
export function sessionsDir(env: Readonly<Record<string, string>>, home: string): string {
  return join(stateDir(env, home), "sessions");
}

const RUNNING = "running";

/** The sessions directory and its claims directory, made 0700 when missing. */
export function ensureSessionsDir(system: System, dir: string): void {
  if (system.stat(join(dir, RUNNING)) === null) system.mkdir(join(dir, RUNNING), 0o700);
}

/**
 * Write a manifest (atomically, 0600). Not synced to disk: it is rewritten
 * a few times per launch, and a manifest torn by a crash is skipped.
 */
export function writeManifest(system: System, dir: string, manifest: SessionManifest): void {
  system.writeFileAtomic(manifestPath(dir, manifest.id), manifestText(manifest), 0o600, false);
}

/** Where the manifest of session `id` is kept in sessions directory `dir`. */
export function manifestPath(dir: string, id: string): string {
  return join(dir, `${id}.json`);
}

/** One manifest by id, or null. */
export function readManifest(system: System, dir: string, id: string): SessionManifest | null {
  if (!isSessionId(id)) return null;
  const text = system.readText(manifestPath(dir, id));
  return text === null ? null : parseManifest(text);
}

/** Every manifest in the directory (unreadable or foreign files skipped). */
export function allManifests(system: System, dir: string): SessionManifest[] {
  const out: SessionManifest[] = [];
  for (const entry of system.listDir(dir) ?? []) {
    if (!/^[0-9a-f]{12}\.json$/.test(entry)) continue;
    const m = readManifest(system, dir, entry.slice(0, 12));
    if (m !== null) out.push(m);
  }
  return out;
}

/** The manifests of sessions holding a name claim: the running ones (and any llm killed). */
export function claimedManifests(system: System, dir: string): SessionManifest[] {
  const out: SessionManifest[] = [];
  for (const name of system.listDir(join(dir, RUNNING)) ?? []) {
    const id = system.readText(join(dir, RUNNING, name))?.trim();
    const m = id === undefined ? null : readManifest(system, dir, id);
    if (m !== null && m.name === name) out.push(m);
  }
  return out;
}

/** Whether the llm process that runs `manifest` is still the one alive under its pid. */
export function isAlive(system: System, manifest: SessionManifest): boolean {
  return manifest.state === "running" &&
    isSameProcess(manifest, system.processStart(manifest.pid));
}

/**
 * Take `name` for session `id`: true when it is now ours, false when a live
 * session has it. A claim left by a session whose llm was killed is taken
 * over. (Two launches taking over the same stale claim at the same instant
 * could both succeed; the runtime then refuses the second container name.)
 */
export function claimName(system: System, dir: string, name: string, id: string): boolean {
  const path = join(dir, RUNNING, name);
  for (let attempt = 0; attempt < 2; attempt++) {
    if (system.createExclusive(path, `${id}\n`, 0o600)) return true;
    const holder = system.readText(path)?.trim() ?? "";
    const m = readManifest(system, dir, holder);
    if (m !== null && isAlive(system, m)) return false;
    system.remove(path);
  }
  return false;
}

/** Give `name` back, if `id` still holds it. */
export function releaseName(system: System, dir: string, name: string, id: string): void {
  const path = join(dir, RUNNING, name);
  if (system.readText(path)?.trim() === id) system.remove(path);
}

/** A small JSON cache file in the state directory (`runtime-versions.json`...). */
export function readCache(system: System, path: string): Record<string, string> {
  try {
    const value = JSON.parse(system.readText(path) ?? "{}");
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

/** Add one entry to a cache file (kept to its newest 100 entries). */
export function writeCache(system: System, path: string, key: string, value: string): void {
  const cache = readCache(system, path);
  delete cache[key];
  cache[key] = value;
  const entries = Object.entries(cache).slice(-100);
  system.writeFileAtomic(path, JSON.stringify(Object.fromEntries(entries), null, 2) + "\n", 0o600);
}
