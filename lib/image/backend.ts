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
  /** The backend asked for, if any. */
  readonly requested?: string;
  /**
   * Where it was asked for: `--backend`, `LLM_BACKEND` or a config file
   * (default `--backend`).
   */
  readonly origin?: string;
  readonly which: (name: string) => string | null;
  readonly dryRun: boolean;
}

const NOT_FOUND_HINT =
  "install Podman Desktop on macOS (podman-desktop.io), or podman (or docker) on Linux";

/**
 * Choose the builder. `auto` takes podman when it is on PATH, else docker.
 * Singularity and Apptainer cannot build: asked for with `--backend` that is
 * an error, but set in `LLM_BACKEND` or a config file it is a launch setting,
 * so the build falls back to `auto`.
 *
 * @example
 * ```ts
 * import { selectBuildBackend } from "./backend.ts";
 * selectBuildBackend({ which: (n) => n === "docker" ? "/usr/bin/docker" : null, dryRun: false })
 *   .executable; // "docker"
 * ```
 */
export function selectBuildBackend(input: BackendInput): BuildBackend {
  const origin = input.origin ?? "--backend";
  let requested = input.requested ?? "auto";
  let why = input.requested === undefined ? "auto" : origin;
  if (!(BUILD_BACKENDS as readonly string[]).includes(requested)) {
    if (!(BACKENDS as readonly string[]).includes(requested)) {
      throw new UsageError(
        `unknown backend '${requested}' from ${origin}: use one of ${BUILD_BACKENDS.join(", ")}`,
      );
    }
    if (origin === "--backend") {
      throw new UsageError(
        `llm build needs podman or docker, not ${requested}: build with them, then convert ` +
          `the image to a SIF (see docs/image.md)`,
      );
    }
    why = `${requested} from ${origin} cannot build, so auto`;
    requested = "auto";
  }
  if (requested === "auto") {
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
