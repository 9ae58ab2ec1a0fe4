/**
 * The per-task manifest (`manifest.json` in each task's result directory):
 * written atomically, mode 0600, when the task starts and again when it
 * ends: the task's side (attempt, host, Slurm job, exit, duration, git
 * changes). The launch's own session manifest (mounts, image digest, agent
 * version, variable names) is kept beside it as `session.json`. Neither
 * records a secret value (`--env` carries names only; older plans' values
 * are redacted).
 */

/** Version of the manifest layout. */
export const MANIFEST_VERSION = 1;

/** What one task's manifest holds. */
export interface TaskManifest {
  readonly version: number;
  readonly batch: string;
  readonly task: {
    readonly index: number;
    readonly name: string;
    readonly tags: readonly string[];
    readonly source: string;
  };
  /** 1 for the first run, one more for each retry. */
  readonly attempt: number;
  readonly agent: string;
  /** The image asked for, or null for the agent's default image. */
  readonly image: string | null;
  readonly workspace: string;
  /** The launch argv (`--env` names only; an older plan's values replaced by `<redacted>`). */
  readonly argv: readonly string[];
  readonly host: string;
  /** The task's own process (the `llm` launch). */
  readonly pid?: number;
  readonly slurm?: {
    readonly jobId: string;
    readonly arrayJobId: string;
    readonly arrayTaskId: string;
  };
  /** The launch's session: its id, and its manifest's file in the result directory. */
  readonly session?: { readonly id: string; readonly manifest?: string };
  readonly start: string;
  readonly end?: string;
  readonly durationSeconds?: number;
  readonly exit?: number;
  /** The signal that ended the launch, when one did (`SIGTERM`). */
  readonly signal?: string;
  /** Ended by llm at the batch's time limit. */
  readonly timedOut?: boolean;
  /** Ended because the batch was cancelled (Ctrl-C, `llm batch cancel`, `scancel`). */
  readonly cancelled?: boolean;
  /**
   * When the workspace is a git repository: the commit at start and the
   * change files, or why the changes were not recorded.
   */
  readonly git?: {
    readonly startCommit?: string;
    readonly diff?: string;
    readonly untracked?: string;
    readonly notRecorded?: string;
  };
}

/**
 * Parse a manifest's text, or null when it is not one (a half-written file
 * cannot exist, as it is renamed into place; this guards hand edits).
 */
export function parseManifest(text: string | null): TaskManifest | null {
  if (text === null) return null;
  try {
    const m = JSON.parse(text);
    return typeof m === "object" && m !== null && typeof m.start === "string" ? m : null;
  } catch {
    return null;
  }
}
