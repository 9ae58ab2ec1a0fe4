/**
 * Singularity and Apptainer (one adapter, two executable names): `exec`
 * argv for a launch plan, the image a launch uses, and the SIF cache.
 *
 * Isolation comes from `--cleanenv` (no host environment), `--contain` (no
 * host /tmp or home) and `--home <empty temporary dir>:<container home>`,
 * so credential mounts land in a fresh home and nothing else of the host's
 * home is visible. The runtime runs as the invoking user: no user mapping.
 */
import { LlmError, UsageError } from "../errors.ts";
import type { HostFacts } from "../launch/host_facts.ts";
import { CONTAINER_HOME } from "../launch/container.ts";
import { imageRef } from "../launch/image.ts";
import { hostPath } from "../launch/mounts.ts";
import type { Mount } from "../launch/mounts.ts";
import type { LaunchPlan } from "../launch/plan.ts";
import { join } from "../std/path.ts";
import type { InvocationFacts, RuntimeAdapter, RuntimeCommand } from "./runtime.ts";

/** The names this adapter answers to. */
export type SingularityName = "singularity" | "apptainer";

/** Default registry image for Singularity/Apptainer, tagged per agent like the podman one. */
export const SIF_IMAGE = "oras://ghcr.io/nichd-bspc/llm-sif";

/** Scratch subdirectory bound as the container home. */
export const SCRATCH_HOME = "home";
/** Scratch subdirectory, left empty, bound read-only over masked directories. */
export const SCRATCH_EMPTY = "empty";

/** Shown instead of the real temporary directory on `--dry-run`. */
export const SCRATCH_PLACEHOLDER = "/tmp/llm-XXXXXX";

/**
 * The `--bind` value for one mount. Singularity splits bind specs on `:`
 * and `,`, so paths holding either cannot be expressed and are refused.
 *
 * @example
 * ```ts
 * import { singularityBind } from "./singularity.ts";
 * singularityBind(
 *   { kind: "bind", source: "/p", target: "/p", readOnly: true, origin: "workspace" },
 *   "/tmp/llm-1",
 * ); // "/p:/p:ro"
 * ```
 */
export function singularityBind(mount: Mount, scratch: string): string {
  const source = mount.kind === "bind"
    ? mount.source
    : mount.entry === "dir"
    ? join(scratch, SCRATCH_EMPTY)
    : "/dev/null";
  const readOnly = mount.kind === "mask" || mount.readOnly;
  for (const p of [source, mount.target]) {
    if (p.includes(":") || p.includes(",")) {
      throw new LlmError(
        `cannot ${mount.kind === "mask" ? "mask" : "mount"} ${p} (${mount.origin}): ` +
          `singularity bind paths cannot contain ':' or ','; rename it or use podman`,
      );
    }
  }
  return `${source}:${mount.target}${readOnly ? ":ro" : ""}`;
}

/**
 * The `--env` value for one variable. Singularity parses `--env` as
 * comma-separated CSV when the text has more than one `=`, and strips
 * double quotes around it when it has exactly one; this quotes so the value
 * arrives unchanged, and refuses the one value that cannot be expressed.
 *
 * @example
 * ```ts
 * import { singularityEnv } from "./singularity.ts";
 * singularityEnv("NO_PROXY", "a,b"); // "NO_PROXY=a,b"
 * singularityEnv("OPTS", "x=1,y=2"); // "\"OPTS=x=1,y=2\""
 * ```
 */
export function singularityEnv(key: string, value: string): string {
  const text = `${key}=${value}`;
  const equals = text.split("=").length - 1;
  if (equals === 1) {
    if (value.endsWith('"') || key.startsWith('"')) {
      throw new LlmError(
        `cannot pass ${key} to singularity: its --env strips a '"' at the end of a value`,
      );
    }
    return text;
  }
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** `<singularity|apptainer> exec` for a plan; `facts.scratch` must be set. */
export function singularityCommand(plan: LaunchPlan, facts: InvocationFacts): RuntimeCommand {
  const scratch = facts.scratch;
  if (scratch === undefined) throw new Error("singularity launch needs a scratch directory");
  const home = plan.env.find(([k]) => k === "HOME")?.[1] ?? CONTAINER_HOME;
  const argv = [
    facts.executable,
    "exec",
    "--cleanenv",
    "--contain",
    "--home",
    `${join(scratch, SCRATCH_HOME)}:${home}`,
    "--pwd",
    plan.workdir,
  ];
  // HOME comes from --home; passing it with --env too makes singularity warn.
  for (const [k, v] of plan.env) if (k !== "HOME") argv.push("--env", singularityEnv(k, v));
  for (const m of plan.mounts) argv.push("--bind", singularityBind(m, scratch));
  argv.push(plan.image, ...plan.command);
  return { argv };
}

/** The adapter, under the name it was chosen by. */
export function singularityAdapter(name: SingularityName): RuntimeAdapter {
  return { name, scratchDirs: [SCRATCH_HOME, SCRATCH_EMPTY], command: singularityCommand };
}

/** `$XDG_CACHE_HOME/llm`, or `~/.cache/llm`. */
export function sifCacheDir(env: Readonly<Record<string, string>>, home: string): string {
  const xdg = env.XDG_CACHE_HOME;
  return xdg && xdg.startsWith("/") ? join(xdg, "llm") : join(home, ".cache", "llm");
}

/**
 * Cache file for a registry reference: the reference without its scheme,
 * every character outside `[A-Za-z0-9._-]` turned into `_`.
 *
 * @example
 * ```ts
 * import { sifCacheFile } from "./singularity.ts";
 * sifCacheFile("/c", "oras://ghcr.io/nichd-bspc/llm-sif:pi-latest");
 * // "/c/ghcr.io_nichd-bspc_llm-sif_pi-latest.sif"
 * ```
 */
export function sifCacheFile(cacheDir: string, ref: string): string {
  const bare = ref.replace(/^[a-z]+:\/\//, "").replace(/[^A-Za-z0-9._-]/g, "_");
  return join(cacheDir, `${bare}.sif`);
}

/**
 * The registry reference for Singularity: the default SIF image with the
 * agent's tag, or `--image-name` (given a `docker://` scheme unless it has one).
 */
export function singularityRef(
  options: { imageName?: string; tag?: string; defaultTag: string },
): string {
  const ref = imageRef({
    name: options.imageName,
    tag: options.tag,
    defaultName: SIF_IMAGE,
    defaultTag: options.defaultTag,
  });
  return /^[a-z]+:\/\//.test(ref) ? ref : `docker://${ref}`;
}

/** Where a Singularity launch's image comes from. */
export interface SifChoice {
  /** What goes on the command line: a local file or a registry reference. */
  readonly image: string;
  readonly source: "sif-path" | "cache" | "registry";
  readonly warnings: readonly string[];
}

/** What `chooseSifImage` needs. */
export interface SifRequest {
  /** `--sif-path` as given. */
  readonly sifPath?: string;
  readonly imageName?: string;
  readonly tag?: string;
  /** The agent's default tag. */
  readonly defaultTag: string;
}

/**
 * The image a Singularity launch runs: `--sif-path` (relative to the working
 * directory; must be an existing file; never re-tagged), else the cached SIF
 * of the registry reference when `llm pull` left one, else the reference.
 */
export function chooseSifImage(request: SifRequest, facts: HostFacts): SifChoice {
  if (request.sifPath !== undefined) {
    if (request.sifPath.trim() === "") throw new UsageError("--sif-path needs a file path");
    const path = hostPath(request.sifPath, facts.home, facts.cwd);
    const kind = facts.stat(path);
    if (kind !== "file") {
      throw new LlmError(
        `--sif-path ${path} ${
          kind === null ? "does not exist" : "is not a file"
        }; give a local .sif image file`,
      );
    }
    const ignored = [["--tag", request.tag], ["--image-name", request.imageName]]
      .filter(([, v]) => v !== undefined)
      .map(([name]) => `${name} is ignored with --sif-path (a local image is used as it is)`);
    return { image: path, source: "sif-path", warnings: ignored };
  }
  const ref = singularityRef(request);
  const cached = sifCacheFile(sifCacheDir(facts.env, facts.home), ref);
  if (facts.stat(cached) === "file") return { image: cached, source: "cache", warnings: [] };
  return { image: ref, source: "registry", warnings: [] };
}
