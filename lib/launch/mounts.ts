/**
 * Mount specs (`HOST`, `HOST:CONTAINER`, `HOST:CONTAINER:ro`) and the rules
 * that keep a set of mounts coherent.
 */
import { LlmError, UsageError } from "../errors.ts";
import { normalize } from "../std/path.ts";
import type { HostFacts } from "./host_facts.ts";
import { hostPath, isWithin, trimSlash } from "./host_paths.ts";
import { fromWorkspaceFile, resolveSource, type Workspace } from "./resolve.ts";

/** A host path bound into the container. */
export interface BindMount {
  readonly kind: "bind";
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
  /** Where it came from, for messages: `--mount ~/data`, `workspace`, ... */
  readonly origin: string;
  /**
   * The source is a path relative to the launch's temporary directory (a
   * session copy made at launch), which the plan cannot know yet.
   */
  readonly inScratch?: boolean;
}

/** A container path that must appear empty and read-only. */
export interface MaskMount {
  readonly kind: "mask";
  readonly target: string;
  /** Masked file or directory: they are hidden differently. */
  readonly entry: "file" | "dir";
  readonly origin: string;
}

export type Mount = BindMount | MaskMount;

export { hostPath, isWithin, trimSlash };

/** Origins of the bind mounts that hold `--ro`/`--mask` paths in place (protect.ts) start so. */
export const PIN_ORIGIN = "pin ";

/** Whether a mount is a `--ro`/`--mask` protection or one of their pins. */
export function isProtection(origin: string): boolean {
  return origin.startsWith("--ro ") || origin.startsWith("--mask ") ||
    origin.startsWith(PIN_ORIGIN) || origin.startsWith("agent config ");
}

/** A parsed mount spec, before checking the host. */
export interface MountSpec {
  readonly host: string;
  readonly container?: string;
  readonly readOnly: boolean;
}

/**
 * Parse a `--mount` spec. Syntax errors are usage errors.
 *
 * @example
 * ```ts
 * import { parseMountSpec } from "./mounts.ts";
 * parseMountSpec("~/data:/data:ro"); // { host: "~/data", container: "/data", readOnly: true }
 * ```
 */
export function parseMountSpec(spec: string): MountSpec {
  if (spec.trim() === "") throw new UsageError("empty mount spec: expected HOST[:CONTAINER[:ro]]");
  const parts = spec.split(":");
  if (parts.length > 3) {
    throw new UsageError(
      `mount spec '${spec}' has too many ':': expected HOST, HOST:CONTAINER or HOST:CONTAINER:ro`,
    );
  }
  const [host, container, mode] = parts;
  if (host === "") throw new UsageError(`mount spec '${spec}' has an empty host path`);
  if (container !== undefined) {
    if (container === "") throw new UsageError(`mount spec '${spec}' has an empty container path`);
    if (!container.startsWith("/")) {
      throw new UsageError(
        `mount spec '${spec}': container path '${container}' must be absolute (start with /)`,
      );
    }
  }
  if (mode !== undefined && mode !== "ro" && mode !== "rw") {
    throw new UsageError(`mount spec '${spec}': mode '${mode}' must be ro or rw`);
  }
  return {
    host,
    container: container === undefined ? undefined : trimSlash(normalize(container)),
    readOnly: mode === "ro",
  };
}

/**
 * Resolve a spec against the host: the source must exist, and is mounted by
 * its resolved path (see resolve.ts for where symlinks may lead). Without a
 * container path the mount appears where the user named it.
 */
export function resolveMountSpec(
  spec: string,
  facts: HostFacts,
  origin: string,
  workspace: Workspace,
): BindMount {
  const parsed = parseMountSpec(spec);
  const named = trimSlash(hostPath(parsed.host, facts.home, facts.cwd));
  const source = resolveSource(named, workspace, facts, {
    what: origin,
    fromWorkspaceFile: fromWorkspaceFile(origin, workspace),
  });
  if (source === null) {
    throw new LlmError(
      facts.denied(named)
        ? `${origin}: host path ${named} cannot be read (permission denied); fix its ` +
          `permissions, or run llm as a user who can read it`
        : `${origin}: host path ${named} does not exist; create it or fix the spec`,
    );
  }
  return {
    kind: "bind",
    source,
    target: parsed.container ?? named,
    readOnly: parsed.readOnly,
    origin,
  };
}

/** Result of `reconcileMounts`. */
export interface ReconciledMounts {
  readonly mounts: Mount[];
  readonly warnings: string[];
}

/**
 * Collapse identical duplicates, reject two different mounts on one container
 * path, and warn when a mount hides part of another. `--ro` and `--mask`
 * targets and their pins nest inside the workspace on purpose and are not
 * warned about.
 */
export function reconcileMounts(mounts: readonly Mount[]): ReconciledMounts {
  const kept: Mount[] = [];
  for (const m of mounts) {
    const same = kept.find((k) => k.target === m.target);
    if (!same) {
      kept.push(m);
      continue;
    }
    if (sameMount(same, m)) continue;
    throw new LlmError(
      `two mounts for container path ${m.target}: ${describe(same)} and ${describe(m)}; ` +
        `remove one or give one another container path`,
    );
  }
  const warnings: string[] = [];
  for (const inner of kept) {
    if (isProtection(inner.origin)) continue;
    for (const outer of kept) {
      if (outer === inner || outer.kind !== "bind") continue;
      if (isWithin(inner.target, outer.target)) {
        warnings.push(
          `${inner.origin} (${inner.target}) is inside ${outer.origin} (${outer.target}) ` +
            `and hides that part of it`,
        );
      }
    }
  }
  return { mounts: kept, warnings };
}

function sameMount(a: Mount, b: Mount): boolean {
  if (a.kind === "bind" && b.kind === "bind") {
    return a.source === b.source && a.readOnly === b.readOnly;
  }
  return a.kind === "mask" && b.kind === "mask";
}

function describe(m: Mount): string {
  return m.kind === "bind"
    ? `${m.origin} from ${m.source}${m.readOnly ? " (read-only)" : ""}`
    : `${m.origin} (masked)`;
}
