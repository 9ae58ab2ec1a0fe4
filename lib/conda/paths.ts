/**
 * Where the Miniforge install, its installer cache and the container's conda
 * directories live on the host, and the checks that keep them usable. Pure:
 * reads the host only through `HostFacts`.
 */
import { LlmError, UsageError } from "../errors.ts";
import { CONTAINER_HOME } from "../launch/container.ts";
import type { HostFacts } from "../launch/host_facts.ts";
import { hostPath, trimSlash } from "../launch/mounts.ts";
import { dirname, isAbsolute, join } from "../std/path.ts";

/** The default prefix on macOS: the case-sensitive volume from `llm setup-macos-volume`. */
export const MACOS_DEFAULT_PREFIX = "/Volumes/devel/miniforge";

/**
 * Host directories mounted over the container's conda config and cache, so
 * the Linux conda never writes into the host's own `~/.conda` or `~/.cache`.
 */
export const CONTAINER_STATE_DIRS: readonly { host: string; target: string }[] = [
  { host: ".devcontainer/.conda", target: join(CONTAINER_HOME, ".conda") },
  { host: ".devcontainer/.cache", target: join(CONTAINER_HOME, ".cache") },
];

/** An XDG base directory: the variable when it holds an absolute path, else `home/fallback`. */
function xdgDir(
  env: Readonly<Record<string, string>>,
  name: string,
  home: string,
  fallback: string,
): string {
  const value = env[name];
  // The XDG spec says relative values are invalid and must be ignored.
  return value && isAbsolute(value) ? trimSlash(value) : join(home, fallback);
}

/**
 * The default install prefix: `/Volumes/devel/miniforge` on macOS, else
 * `$XDG_DATA_HOME/llm/miniforge` (`~/.local/share/llm/miniforge`).
 *
 * @example
 * ```ts
 * import { defaultPrefix } from "./paths.ts";
 * defaultPrefix({ os: "linux", env: {}, home: "/home/ada" });
 * // "/home/ada/.local/share/llm/miniforge"
 * ```
 */
export function defaultPrefix(facts: Pick<HostFacts, "os" | "env" | "home">): string {
  if (facts.os === "darwin") return MACOS_DEFAULT_PREFIX;
  return join(xdgDir(facts.env, "XDG_DATA_HOME", facts.home, ".local/share"), "llm", "miniforge");
}

/** Where verified installers are cached: `$XDG_CACHE_HOME/llm` (`~/.cache/llm`). */
export function installerCacheDir(facts: Pick<HostFacts, "env" | "home">): string {
  return join(xdgDir(facts.env, "XDG_CACHE_HOME", facts.home, ".cache"), "llm");
}

/** The install prefix chosen, and how it was chosen (for messages). */
export interface Prefix {
  readonly path: string;
  /** True when `--prefix` gave it. */
  readonly explicit: boolean;
}

/**
 * The prefix to use: `--prefix` (with `~` expanded, relative to the working
 * directory) or the default. Rejects paths the installer or the container
 * runtime cannot handle.
 */
export function resolvePrefix(given: string | undefined, facts: HostFacts): Prefix {
  if (given !== undefined && given.trim() === "") {
    throw new UsageError("--prefix needs a directory");
  }
  const path = given === undefined
    ? defaultPrefix(facts)
    : trimSlash(hostPath(given, facts.home, facts.cwd));
  const shown = given ?? path;
  if (/\s/.test(path)) {
    throw new UsageError(
      `prefix '${shown}' contains white space, which the Miniforge installer refuses; ` +
        `choose a path without spaces`,
    );
  }
  if (path.includes(":")) {
    throw new UsageError(
      `prefix '${shown}' contains ':', which container mounts cannot carry; choose another path`,
    );
  }
  if (dirname(path) === "/") {
    throw new UsageError(
      `prefix '${shown}' is directly under /, which would be mounted whole; ` +
        `choose a directory at least two levels deep`,
    );
  }
  return { path, explicit: given !== undefined };
}

/** The macOS volume (`/Volumes/NAME`) a path lies on, or null. */
export function macosVolume(path: string): string | null {
  const match = /^\/Volumes\/[^/]+/.exec(path);
  return match ? match[0] : null;
}

/**
 * Check the prefix against the host. On macOS, stop when the prefix's volume
 * is not mounted, and warn when the prefix is not on a separate volume (the
 * default file system is case-insensitive, which breaks many conda
 * packages). Everywhere, warn when the parent, which `llm conda` mounts, is
 * the home itself.
 * Returns the warnings.
 */
export function checkPrefixHost(prefix: string, facts: HostFacts): string[] {
  const warnings: string[] = [];
  if (dirname(prefix) === trimSlash(facts.home)) {
    warnings.push(
      `the prefix's parent is your home ${facts.home}, which 'llm conda' will mount whole into ` +
        `the container; a prefix one level deeper (e.g. ~/conda/miniforge) keeps the rest out`,
    );
  }
  if (facts.os !== "darwin") return warnings;
  const volume = macosVolume(prefix);
  if (volume === null) {
    return [
      ...warnings,
      `prefix ${prefix} is not on a separate volume; macOS's default file system is ` +
      `case-insensitive and many conda packages will not install there ` +
      `(make a case-sensitive volume with 'llm setup-macos-volume')`,
    ];
  }
  if (facts.stat(volume) !== "dir") {
    throw new LlmError(
      `volume ${volume} for the prefix ${prefix} is not mounted; create it with ` +
        `'llm setup-macos-volume', or choose another place with --prefix`,
    );
  }
  return warnings;
}

/** The conda executable of an install. */
export function condaExecutable(prefix: string): string {
  return join(prefix, "bin", "conda");
}
