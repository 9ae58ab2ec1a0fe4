/**
 * Which program builds the image: podman, else docker.
 */
import { LlmError, UsageError } from "../errors.ts";
import { BACKENDS } from "../cli/options.ts";
import { BUILD_BACKENDS } from "./spec.ts";

/** The builder chosen, and why. */
export interface BuildBackend {
  /** `podman` or `docker`. */
  readonly executable: string;
  /** For `--verbose`. */
  readonly reason: string;
  /** False when it is not on PATH (tolerated on `--dry-run` only). */
  readonly found: boolean;
}

/** Inputs of `selectBuildBackend`. */
export interface BackendInput {
  /** `--backend`, when given. */
  readonly flag?: string;
  /** `LLM_BACKEND`, when set. */
  readonly env?: string;
  readonly which: (name: string) => string | null;
  readonly dryRun: boolean;
}

const NOT_FOUND_HINT =
  "install Podman Desktop on macOS (podman-desktop.io), or podman (or docker) on Linux";

/**
 * Choose the builder. `auto` takes podman when it is on PATH, else docker.
 * `LLM_BACKEND=singularity` (or apptainer) is a launch setting that cannot
 * build, so `llm build` falls back to `auto` for it; `--backend singularity`
 * is an error.
 *
 * @example
 * ```ts
 * import { selectBuildBackend } from "./backend.ts";
 * selectBuildBackend({ which: (n) => n === "docker" ? "/usr/bin/docker" : null, dryRun: false })
 *   .executable; // "docker"
 * ```
 */
export function selectBuildBackend(input: BackendInput): BuildBackend {
  const buildable = BUILD_BACKENDS as readonly string[];
  let requested = input.flag ?? input.env ?? "auto";
  let origin = input.flag !== undefined ? "--backend" : "LLM_BACKEND";
  if (!buildable.includes(requested)) {
    if (!(BACKENDS as readonly string[]).includes(requested)) {
      throw new UsageError(
        `unknown backend '${requested}' for ${origin}: use one of ${BUILD_BACKENDS.join(", ")}`,
      );
    }
    if (input.flag !== undefined) {
      throw new UsageError(
        `llm build needs podman or docker, not ${requested}: build with them, then convert ` +
          `the image to a SIF (see docs/image.md)`,
      );
    }
    origin = `LLM_BACKEND=${requested} cannot build, so auto`;
    requested = "auto";
  }
  if (requested === "auto") {
    const why = input.flag === undefined && input.env === undefined ? "auto" : origin;
    for (const name of ["podman", "docker"]) {
      if (input.which(name) !== null) {
        return { executable: name, reason: `${name}: found on PATH (${why})`, found: true };
      }
    }
    if (!input.dryRun) {
      throw new LlmError(`neither podman nor docker is on PATH; ${NOT_FOUND_HINT}`);
    }
    return {
      executable: "podman",
      reason: `podman: the default (not found on PATH)`,
      found: false,
    };
  }
  const found = input.which(requested) !== null;
  if (!found && !input.dryRun) {
    throw new LlmError(`${requested} (from ${origin}) was not found on PATH; ${NOT_FOUND_HINT}`);
  }
  return { executable: requested, reason: `${requested}: requested with ${origin}`, found };
}
