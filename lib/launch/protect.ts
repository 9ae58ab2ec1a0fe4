/**
 * `--ro` and `--mask`: protections of paths inside the workspace that hold
 * across launches, although the agent may change anything else there.
 *
 * A protected path is a mount point in the container, so the agent cannot
 * rename or remove it (EBUSY). Its parent directories are not, and renaming
 * one would carry the protected content away under a new name, leaving an
 * empty look-alike for the next launch to protect. So every directory between
 * the workspace and a protected path is pinned: bound onto itself, which
 * makes it a mount point too. Pins are plain bind mounts, so every runtime
 * expresses them; their origin says what they hold in place.
 *
 * A protected path must be named without symlinks inside the workspace: the
 * agent can re-point a link, and the next launch would protect wherever it
 * then leads.
 */
import { LlmError } from "../errors.ts";
import { dirname, join, relative, resolve } from "../std/path.ts";
import { quoteWord } from "../text/shell_words.ts";
import { type HostFacts, missing } from "./host_facts.ts";
import { isWithin } from "./host_paths.ts";
import { isProtection, type Mount, PIN_ORIGIN } from "./mounts.ts";
import type { Workspace } from "./resolve.ts";

/** What to protect and where the workspace is. */
export interface ProtectRequest {
  /** `--ro` paths as given (relative to the working directory or absolute). */
  readonly ro: readonly string[];
  /** `--mask` paths as given. */
  readonly mask: readonly string[];
  /** `ro` and `mask` entries that apply only where the path exists (the user config's). */
  readonly roIfPresent?: readonly string[];
  readonly maskIfPresent?: readonly string[];
  readonly workspace: Workspace;
  /** The workspace's container path. */
  readonly workdir: string;
  /** Whether the whole workspace is read-only (pins must not make parts writable). */
  readonly readOnly: boolean;
}

/** Mounts for the protections and their pins, parents first, warnings, and notes for --verbose. */
export interface Protections {
  readonly mounts: Mount[];
  readonly warnings: string[];
  readonly notes: string[];
  /** What is protected, by host path, for mounts that show it elsewhere. */
  readonly targets: readonly Target[];
}

/** One protected path. */
export interface Target {
  readonly option: "--ro" | "--mask";
  readonly path: string;
  readonly real: string;
  readonly entry: "file" | "dir";
}

/**
 * Plan the `--ro` and `--mask` mounts and the pins that keep them in place.
 *
 * @example
 * ```ts ignore
 * protectPaths({ ro: [], mask: ["a/secrets"], workspace, workdir: "/w", readOnly: false }, facts);
 * // mounts: pin /w/a (bind /w/a onto itself), mask /w/a/secrets
 * ```
 */
export function protectPaths(request: ProtectRequest, facts: HostFacts): Protections {
  const { workspace } = request;
  const warnings: string[] = [];
  const notes: string[] = [];
  const all: Target[] = [];
  const present = (option: string, paths: readonly string[] = []) =>
    paths.filter((path) => {
      if (facts.realPath(resolve(facts.cwd, path)) !== null) return true;
      notes.push(`${option} ${path} (your user config) is skipped: it does not exist here`);
      return false;
    });
  for (
    const [option, paths] of [
      ["--ro", [...request.ro, ...present("--ro", request.roIfPresent)]],
      ["--mask", [...request.mask, ...present("--mask", request.maskIfPresent)]],
    ] as const
  ) {
    for (const path of paths) {
      const real = protectedPath(option, path, facts, workspace);
      all.push({ option, path, real, entry: facts.stat(real) === "dir" ? "dir" : "file" });
    }
  }
  const maskedDirs = all.filter((t) => t.option === "--mask" && t.entry === "dir");
  const targets = all.filter((t) => {
    const outer = maskedDirs.find((m) => m.real !== t.real && isWithin(t.real, m.real));
    if (outer) {
      warnings.push(`${t.option} ${t.path} is inside --mask ${outer.path}, which hides it already`);
    }
    return outer === undefined;
  });
  for (const t of targets) {
    const links = t.entry === "file" ? facts.linkCount(t.real) ?? 1 : 1;
    if (links > 1) warnings.push(hardLinkWarning(t, links - 1, workspace.real));
  }

  const toContainer = (real: string) => join(request.workdir, relative(workspace.real, real));
  const mounts: Mount[] = [];
  const pinned = new Set<string>();
  for (const t of targets) {
    for (const dir of parentsBelow(t.real, workspace.real)) {
      if (pinned.has(dir) || targets.some((o) => o.real === dir)) continue;
      pinned.add(dir);
      const underRo = targets.some((o) => o.option === "--ro" && isWithin(dir, o.real));
      mounts.push({
        kind: "bind",
        source: dir,
        target: toContainer(dir),
        readOnly: request.readOnly || underRo,
        origin: `${PIN_ORIGIN}${relative(workspace.real, dir)} for ${t.option} ${t.path}`,
      });
    }
    mounts.push(
      t.option === "--ro"
        ? {
          kind: "bind",
          source: t.real,
          target: toContainer(t.real),
          readOnly: true,
          origin: `--ro ${t.path}`,
        }
        : { kind: "mask", target: toContainer(t.real), entry: t.entry, origin: `--mask ${t.path}` },
    );
  }
  // Parents before children: a runtime that mounts in the order given
  // (Singularity) would otherwise cover a protection with its pin.
  const depth = (m: Mount) => m.target.split("/").length;
  mounts.sort((a, b) => depth(a) - depth(b));
  return { mounts, warnings, notes, targets };
}

/**
 * Resolve a `--ro`/`--mask` path: an existing strict subpath of the
 * workspace, named without symlinks below the workspace.
 */
function protectedPath(
  option: string,
  path: string,
  facts: HostFacts,
  workspace: Workspace,
): string {
  const named = resolve(facts.cwd, path);
  const real = facts.realPath(named);
  if (real === null) {
    throw new LlmError(`${option} ${path} ${missing(facts, named)}; give an existing path`);
  }
  if (real === workspace.real) {
    throw new LlmError(
      `${option} ${path} is the workspace itself; use --global-read-only for the whole workspace`,
    );
  }
  if (!isWithin(real, workspace.real)) {
    throw new LlmError(
      `${option} ${path} is outside the workspace ${workspace.real}; it must be a path inside it`,
    );
  }
  const base = [workspace.path, workspace.real].find((b) => isWithin(named, b));
  if (base === undefined || relative(base, named) !== relative(workspace.real, real)) {
    const inside = relative(workspace.real, real);
    throw new LlmError(
      `${option} ${path} goes through a symlink (it resolves to ${inside} in the workspace); ` +
        `the agent could re-point the link before the next launch, so give the real path: ` +
        `${option} ${quoteWord(inside)}`,
    );
  }
  return real;
}

/** Directories strictly between `top` and `path`, outermost first. */
function parentsBelow(path: string, top: string): string[] {
  const dirs: string[] = [];
  for (let d = dirname(path); d !== top && isWithin(d, top); d = dirname(d)) dirs.unshift(d);
  return dirs;
}

/**
 * Protections for the other mounts that show protected content again: a
 * trusted `mounts: [".:/src"]` or `--mount ~/proj:/p` from inside `~/proj`
 * would otherwise hold the masked files unmasked. A mount that contains a
 * protected path gets the same protection at the same place inside it (the
 * pins need no copy: a pinned directory cannot be renamed through any of its
 * mounts); a mount inside a masked path, or a writable one inside a
 * read-only path, is refused.
 */
export function inheritProtections(
  mounts: readonly Mount[],
  targets: readonly Target[],
  facts: HostFacts,
): Mount[] {
  const added: Mount[] = [];
  for (const m of mounts) {
    if (m.kind !== "bind" || m.inScratch || m.origin === "workspace" || isProtection(m.origin)) {
      continue;
    }
    const source = facts.realPath(m.source) ?? m.source;
    for (const t of targets) {
      if (isWithin(source, t.real)) {
        if (t.option === "--mask" || !m.readOnly) {
          throw new LlmError(
            `${m.origin} is inside ${t.option} ${t.path}, so it would show what that protects; ` +
              `drop one of them${t.option === "--ro" ? `, or add :ro to the mount` : ""}`,
          );
        }
        continue;
      }
      if (!isWithin(t.real, source)) continue;
      const target = join(m.target, relative(source, t.real));
      const origin = `${t.option} ${t.path} (again under ${m.origin})`;
      added.push(
        t.option === "--ro"
          ? { kind: "bind", source: t.real, target, readOnly: true, origin }
          : { kind: "mask", target, entry: t.entry, origin },
      );
    }
  }
  return added;
}

function hardLinkWarning(t: Target, others: number, workspace: string): string {
  const effect = t.option === "--mask" ? "which the mask does not hide" : "which stay writable";
  const find = ["find", workspace, "-samefile", t.real].map(quoteWord).join(" ");
  return `${t.option} ${t.path}: the file has ${others} other hard link${
    others === 1 ? "" : "s"
  } (the same content under another name), ${effect}; list them with: ${find}`;
}
