/**
 * Mount specs (`HOST`, `HOST:CONTAINER`, `HOST:CONTAINER:ro`) and the rules
 * that keep a set of mounts coherent.
 */
import { LlmError, UsageError } from "../errors.ts";
import { isAbsolute, join, normalize, relative, resolve } from "../std/path.ts";
import type { HostFacts } from "./host_facts.ts";

/** A host path bound into the container. */
export interface BindMount {
  readonly kind: "bind";
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
  /** Where it came from, for messages: `--mount ~/data`, `workspace`, ... */
  readonly origin: string;
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

/** Expand a leading `~` and make `path` absolute against `cwd`. */
export function hostPath(path: string, home: string, cwd: string): string {
  if (path === "~") return home;
  if (path.startsWith("~/")) return join(home, path.slice(2));
  return resolve(cwd, path);
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

/** Resolve a spec against the host: the source must exist. */
export function resolveMountSpec(spec: string, facts: HostFacts, origin: string): BindMount {
  const parsed = parseMountSpec(spec);
  const source = trimSlash(hostPath(parsed.host, facts.home, facts.cwd));
  if (facts.stat(source) === null) {
    throw new LlmError(`${origin}: host path ${source} does not exist; create it or fix the spec`);
  }
  return {
    kind: "bind",
    source,
    target: parsed.container ?? source,
    readOnly: parsed.readOnly,
    origin,
  };
}

/** Drop a trailing slash (but keep `/`). */
export function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

/** True when `inner` is `outer` or lies below it. */
export function isWithin(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** Result of `reconcileMounts`. */
export interface ReconciledMounts {
  readonly mounts: Mount[];
  readonly warnings: string[];
}

/**
 * Collapse identical duplicates, reject two different mounts on one container
 * path, and warn when a mount hides part of another. `--ro` and `--mask`
 * targets nest inside the workspace on purpose and are not warned about.
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
    if (inner.origin.startsWith("--ro") || inner.origin.startsWith("--mask")) continue;
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
