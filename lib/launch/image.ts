/**
 * Image references: which image and tag a launch uses.
 */
import { UsageError } from "../errors.ts";
import { ARCHES } from "../cli/options.ts";

/**
 * Split a reference into name and tag. Only a `:` in the last path segment
 * is a tag, so `localhost:5000/x` has none; a digest (`@sha256:...`) is kept
 * in the name.
 */
export function splitImageRef(ref: string): { name: string; tag?: string } {
  if (ref.includes("@")) return { name: ref };
  const slash = ref.lastIndexOf("/");
  const colon = ref.lastIndexOf(":");
  if (colon > slash) return { name: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { name: ref };
}

/**
 * The image a launch runs: `--tag` replaces any tag; a custom `--image-name`
 * is used as given otherwise; the default image gets the per-agent tag.
 *
 * @example
 * ```ts
 * import { imageRef } from "./image.ts";
 * imageRef({ defaultName: "ghcr.io/nichd-bspc/llm", defaultTag: "codex-latest" });
 * // "ghcr.io/nichd-bspc/llm:codex-latest"
 * ```
 */
export function imageRef(
  options: { name?: string; tag?: string; defaultName: string; defaultTag: string },
): string {
  if (options.tag !== undefined && options.tag.trim() === "") {
    throw new UsageError("--tag needs a non-empty tag");
  }
  if (options.name !== undefined && options.name.trim() === "") {
    throw new UsageError("--image-name needs a non-empty image reference");
  }
  if (options.name !== undefined) {
    if (options.tag === undefined) return options.name;
    const { name } = splitImageRef(options.name);
    return `${name.split("@")[0]}:${options.tag}`;
  }
  return `${options.defaultName}:${options.tag ?? options.defaultTag}`;
}

/** The container platform: `--arch` if given, else the host's architecture. */
export function containerPlatform(arch: string | undefined, hostArch: string): string {
  if (arch !== undefined) {
    if (!(ARCHES as readonly string[]).includes(arch)) {
      throw new UsageError(`--arch '${arch}' is not supported: use ${ARCHES.join(" or ")}`);
    }
    return arch;
  }
  return hostArch === "aarch64" || hostArch === "arm64" ? "linux/arm64" : "linux/amd64";
}
