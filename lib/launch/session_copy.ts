/**
 * Session copies: agent files that hold both login state and settings the
 * host acts on (Claude Code's `~/.claude.json`). The agent gets a copy in the
 * launch's temporary directory; at exit what it may change is merged back
 * into the host file (lib/launch/claude_state.ts), so it can neither plant an
 * MCP server for the host's `claude` nor lose its login.
 */
import { join } from "../std/path.ts";
import type { System } from "../system/system.ts";
import { mergeClaudeState } from "./claude_state.ts";

/** A host file the agent sees as a session copy. */
export interface SessionFile {
  /** Absolute host path. */
  readonly hostPath: string;
  /** The copy, relative to the launch's temporary directory. */
  readonly copy: string;
  /** Named so in messages, e.g. `~/.claude.json`. */
  readonly label: string;
}

/** The folder of the temporary directory that holds the copies. */
export const SESSION_DIR = "session";

/** What the agent gets where the host file is absent or unreadable. */
export const EMPTY_SESSION_FILE = "{}\n";

/** Larger files are not copied: the launch stops instead of truncating one. */
const SESSION_FILE_LIMIT = 64 << 20;

/** The session copy of `~/.claude.json` for a home. */
export function claudeStateFile(home: string): SessionFile {
  return {
    hostPath: join(home, ".claude.json"),
    copy: join(SESSION_DIR, "claude.json"),
    label: "~/.claude.json",
  };
}

/** What was copied, to merge back at exit. */
export interface CopiedFile {
  readonly file: SessionFile;
  readonly original: string;
}

async function readText(system: System, path: string, follow: boolean): Promise<string | null> {
  const read = await system.readBounded(path, SESSION_FILE_LIMIT, follow);
  return read.kind === "file" ? new TextDecoder().decode(read.bytes) : null;
}

/** Copy each file into `scratch` (mode 0600); an absent or unreadable host file copies as `{}`. */
export async function copyIn(
  files: readonly SessionFile[],
  scratch: string,
  system: System,
): Promise<CopiedFile[]> {
  if (files.length === 0) return [];
  system.mkdir(join(scratch, SESSION_DIR), 0o700);
  const copied: CopiedFile[] = [];
  for (const file of files) {
    const original = (await readText(system, file.hostPath, true)) ?? EMPTY_SESSION_FILE;
    // In the launch's temporary directory, gone at exit: no fsync to wait for.
    system.writeFileAtomic(join(scratch, file.copy), original, 0o600, false);
    copied.push({ file, original });
  }
  return copied;
}

/**
 * Merge each copy back into its host file, which may have changed meanwhile
 * (another session): only what this session changed is applied. Returns
 * warnings; a host file is written only when something changed.
 */
export async function copyBack(
  copied: readonly CopiedFile[],
  scratch: string,
  system: System,
): Promise<string[]> {
  const warnings: string[] = [];
  for (const { file, original } of copied) {
    // Not followed: a link planted in place of the copy must not be read.
    const session = await readText(system, join(scratch, file.copy), false);
    if (session === null) {
      warnings.push(`the session copy of ${file.label} is gone; nothing was written back`);
      continue;
    }
    const current = (await readText(system, file.hostPath, true)) ?? original;
    const merged = mergeClaudeState(original, session, current);
    if (merged.broken) {
      warnings.push(
        `the session copy of ${file.label} is not a JSON object; nothing was written back`,
      );
    }
    if (merged.refused.length) {
      warnings.push(
        `the agent changed ${merged.refused.join(", ")} in ${file.label}; not written back, as ` +
          `the host's claude would act on it (change it with claude on the host)`,
      );
    }
    if (merged.text !== null && merged.text !== current) {
      // Through a symlink the user made (dotfiles): the agent never saw the host file.
      system.writeFileAtomic(system.realPath(file.hostPath) ?? file.hostPath, merged.text, 0o600);
    }
  }
  return warnings;
}
