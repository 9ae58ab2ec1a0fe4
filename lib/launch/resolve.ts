/**
 * Host paths named by mount specs, `--certs`, `--sif-path` and `--conda-env`,
 * resolved through their symlinks before anything is mounted.
 *
 * The agent can plant a symlink anywhere it can write, and the workspace is
 * the one place it always can. So a path whose resolution passes through the
 * workspace must end inside it, and a path named by a file in the workspace
 * (the project file) must lie inside it altogether. Every source is then
 * mounted by its resolved path: the runtime is never left to follow a link
 * that could be swapped between planning and mounting.
 */
import { LlmError } from "../errors.ts";
import { basename, dirname, isAbsolute, join, normalize } from "../std/path.ts";
import type { HostFacts } from "./host_facts.ts";
import { isWithin } from "./host_paths.ts";

/** The workspace as the user named it and as it resolves. */
export interface Workspace {
  /** The working directory as given (it may be reached through symlinks outside it). */
  readonly path: string;
  /** The same, symlinks resolved. */
  readonly real: string;
}

/** The end of a path walk and everything it went through. */
export interface Walk {
  /** The resolved path, or null when some component is missing or links loop. */
  readonly real: string | null;
  /** Every path visited, symlinks included, in order. */
  readonly visited: readonly string[];
}

const MAX_LINKS = 40;

/**
 * Resolve an absolute path one component at a time, as the kernel does
 * (`..` is taken after the symlinks before it), recording each path visited
 * so a caller can tell whether the resolution passed through a directory.
 *
 * @example
 * ```ts ignore
 * walkPath("/w/refs", facts); // { real: "/home/u/.ssh", visited: ["/w", "/w/refs", "/home", ...] }
 * ```
 */
export function walkPath(path: string, facts: HostFacts): Walk {
  const visited: string[] = [];
  let done = "/";
  const todo = normalize(path).split("/").filter((c) => c !== "");
  let links = 0;
  while (todo.length > 0) {
    const part = todo.shift() as string;
    if (part === ".") continue;
    if (part === "..") {
      done = dirname(done);
      continue;
    }
    const next = join(done, part);
    visited.push(next);
    const link = facts.readLink(next);
    if (link !== null) {
      if (++links > MAX_LINKS) return { real: null, visited };
      if (isAbsolute(link)) done = "/";
      todo.unshift(...link.split("/").filter((c) => c !== ""));
      continue;
    }
    if (facts.stat(next) === null) return { real: null, visited };
    done = next;
  }
  return { real: done, visited };
}

/** How `resolveSource` treats a path. */
export interface SourceRules {
  /** Names the path in messages: the option or the spec with its origin. */
  readonly what: string;
  /** Whether the path was named by a file in the workspace (the project file). */
  readonly fromWorkspaceFile: boolean;
  /** Where the user should put the setting instead, for a project file's path outside. */
  readonly elsewhere?: string;
}

/**
 * Resolve `path` (absolute, `~` already expanded): null when it does not
 * exist; an error when a symlink the agent could have planted leads it out
 * of the workspace, or when a project file names a path outside it.
 */
export function resolveSource(
  path: string,
  workspace: Workspace,
  facts: HostFacts,
  rules: SourceRules,
): string | null {
  const { real, visited } = walkPath(path, facts);
  if (real === null) return null;
  const inside = isWithin(real, workspace.real);
  if (rules.fromWorkspaceFile && !inside) {
    const via = real === path ? "" : ` (it resolves to ${real})`;
    throw new LlmError(
      `${rules.what}: ${path} is outside the workspace ${workspace.real}${via}; ` +
        `a project file may only name paths inside the workspace: ` +
        `put this in ${rules.elsewhere ?? "your user config or on the command line"} instead`,
    );
  }
  if (!inside && visited.some((v) => isWithin(v, workspace.real))) {
    throw new LlmError(
      `${rules.what}: ${path} resolves to ${real}, outside the workspace ${workspace.real}, ` +
        `through a symlink in the workspace (which the agent can change); ` +
        `replace the link by what it points to, or name ${real} itself`,
    );
  }
  return real;
}

/**
 * Whether an origin (`FILE:LINE SPEC`, `--mount SPEC`, a variable name)
 * names a settings file inside the workspace: the project file, or any
 * config file kept there, which the agent can edit.
 */
export function fromWorkspaceFile(origin: string, workspace: Workspace): boolean {
  const file = /^(\/[^\n]*?):\d+(?: |$)/.exec(origin)?.[1];
  if (file === undefined) return false;
  return basename(file) === ".llm.yaml" || isWithin(file, workspace.path) ||
    isWithin(file, workspace.real);
}
