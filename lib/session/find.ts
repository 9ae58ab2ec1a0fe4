/**
 * Finding sessions on disk: all, the running ones, or one by name or id.
 */
import { LlmError, UsageError } from "../errors.ts";
import type { System } from "../system/system.ts";
import { looksLikeId } from "./names.ts";
import { sessionState } from "./state.ts";
import { allManifests, claimedManifests, isAlive, sessionsDir } from "./store.ts";
import { newestFirst, type SessionView } from "./table.ts";

/** The sessions directory of this user. */
export function userSessionsDir(system: System): string {
  return sessionsDir(system.env, system.home);
}

/** Sessions with their state: every one (`all`), or only those running. */
export function listSessions(system: System, all: boolean): SessionView[] {
  const dir = userSessionsDir(system);
  const manifests = all ? allManifests(system, dir) : claimedManifests(system, dir);
  const views = manifests.map((manifest) => ({
    manifest,
    state: sessionState(manifest, isAlive(system, manifest)),
  }));
  return all ? views : views.filter((v) => v.state === "running");
}

/**
 * One session by name, id or id prefix (4 digits or more): a running
 * session with that name first, else the newest one of that name.
 */
export function findSession(system: System, ref: string): SessionView {
  if (ref === "") throw new UsageError("name a session: a name or id from 'llm ps'");
  const views = newestFirst(listSessions(system, true));
  const named = views.filter((v) => v.manifest.name === ref);
  const found = named.find((v) => v.state === "running") ?? named[0];
  if (found) return found;
  if (looksLikeId(ref)) {
    const byId = views.filter((v) => v.manifest.id.startsWith(ref));
    if (byId.length === 1) return byId[0];
    if (byId.length > 1) {
      throw new LlmError(
        `session id ${ref} is ambiguous (${
          byId.map((v) => v.manifest.id).join(", ")
        }); give more digits`,
      );
    }
  }
  throw new LlmError(`no session named ${ref} or with that id; see 'llm ps --all'`);
}
