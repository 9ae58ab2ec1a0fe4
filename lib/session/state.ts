/**
 * What `llm ps` shows for a session: its stored state read against
 * whether the llm process that ran it is still there. Pure.
 */
import type { SessionManifest } from "./manifest.ts";

/**
 * `running`; `exited` with its code; `killed`: ended by SIGKILL (exit code
 * 137), or llm itself was killed before it could record the end, so the
 * manifest still says running while its process is gone.
 */
export type SessionState = "running" | "exited" | "killed";

/** The state to show, given whether the session's llm process is alive. */
export function sessionState(manifest: SessionManifest, alive: boolean): SessionState {
  if (manifest.state === "running") return alive ? "running" : "killed";
  return manifest.exitCode === 137 ? "killed" : "exited";
}

/** The liveness question for a manifest: the recorded pid, and its start time when known. */
export function isSameProcess(manifest: SessionManifest, start: string | null): boolean {
  if (start === null) return false;
  return manifest.pidStart === null || manifest.pidStart === start;
}
