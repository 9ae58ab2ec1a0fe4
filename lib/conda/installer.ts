/**
 * Which Miniforge installer to fetch, from where, and how to read its
 * published checksum. Pure.
 *
 * @example
 * ```ts
 * import { checksumUrl, installerUrl } from "./installer.ts";
 * const url = installerUrl("linux/arm64");
 * // "https://github.com/conda-forge/miniforge/releases/latest/download/Miniforge3-Linux-aarch64.sh"
 * checksumUrl(url); // the same with ".sha256" appended
 * ```
 */
import { LlmError, UsageError } from "../errors.ts";

/** conda-forge's Miniforge "latest" release downloads. */
export const MINIFORGE_RELEASE =
  "https://github.com/conda-forge/miniforge/releases/latest/download";

/** The installer a container platform needs. */
const INSTALLERS: Readonly<Record<string, string>> = {
  "linux/amd64": "Miniforge3-Linux-x86_64.sh",
  "linux/arm64": "Miniforge3-Linux-aarch64.sh",
};

/** Installer file name for a container platform (`linux/amd64` or `linux/arm64`). */
export function installerName(platform: string): string {
  const name = INSTALLERS[platform];
  if (name === undefined) {
    throw new UsageError(
      `no Miniforge installer for platform '${platform}': use ${
        Object.keys(INSTALLERS).join(" or ")
      }`,
    );
  }
  return name;
}

/**
 * The installer URL: `override` (`--installer-url`) when given, which must
 * be http or https; otherwise the latest release for `platform`.
 */
export function installerUrl(platform: string, override?: string): string {
  if (override === undefined) return `${MINIFORGE_RELEASE}/${installerName(platform)}`;
  let parsed: URL;
  try {
    parsed = new URL(override);
  } catch {
    throw new UsageError(`--installer-url '${override}' is not a URL; give an http(s) URL`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new UsageError(
      `--installer-url '${override}' uses ${parsed.protocol}; give an http(s) URL`,
    );
  }
  return parsed.href;
}

/** Where a release publishes an installer's checksum: the URL with `.sha256` appended. */
export function checksumUrl(url: string): string {
  const parsed = new URL(url);
  parsed.pathname += ".sha256";
  return parsed.href;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The file name to cache an installer under: the URL's last path segment
 * when it is a plain file name, else `fallback`.
 */
export function cacheFileName(url: string, fallback: string): string {
  const segment = decodeURIComponent(new URL(url).pathname.split("/").pop() ?? "");
  return SAFE_NAME.test(segment) ? segment : fallback;
}

const HEX64 = /^[0-9a-fA-F]{64}$/;

/**
 * Read a published `.sha256` file: `HASH` or `HASH  FILENAME` (the
 * `sha256sum` format, optionally with `*` before the name).
 */
export function parseChecksum(text: string, url: string): string {
  const first = text.trim().split(/\s+/)[0] ?? "";
  if (!HEX64.test(first)) {
    const shown = text.trim().slice(0, 40).replaceAll(/\s+/g, " ");
    throw new LlmError(
      `${url} holds no SHA-256 checksum (expected 64 hex digits, got '${shown}')`,
    );
  }
  return first.toLowerCase();
}
