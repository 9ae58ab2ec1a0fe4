/**
 * Singularity and Apptainer (one adapter, two executable names): `exec`
 * argv for a launch plan, the image a launch uses, and the SIF cache.
 *
 * Isolation: `--containall` (no host environment, /tmp or home; own PID and
 * IPC namespaces), `--no-mount bind-paths` (none of the administrator's
 * configured bind paths), and `--home <empty temporary dir>:<container
 * home>`, so credential mounts land in a fresh home and nothing else of the
 * host's home is visible. The runtime runs as the invoking user: no user
 * mapping. Variables reach the container as `SINGULARITYENV_*` /
 * `APPTAINERENV_*` in the runtime's own environment, never on its argv.
 */
import { LlmError, UsageError } from "../errors.ts";
import type { HostFacts } from "../launch/host_facts.ts";
import { CONTAINER_HOME } from "../launch/container.ts";
import { imageRef } from "../launch/image.ts";
import { hostPath } from "../launch/mounts.ts";
import type { Mount } from "../launch/mounts.ts";
import type { LaunchPlan } from "../launch/plan.ts";
import { resolveSource } from "../launch/resolve.ts";
import { basename, join } from "../std/path.ts";
import { singularityResourceArgs } from "./resources.ts";
import type { InvocationFacts, RuntimeAdapter, RuntimeCommand } from "./runtime.ts";
import {
  EGRESS_TARGET,
  HOST_PROXY_VARIABLES,
  SCRATCH_EGRESS,
  wrapForEgress,
} from "../egress/container.ts";
import {
  bindSource,
  SCRATCH_EMPTY,
  SCRATCH_EMPTY_FILE,
  SCRATCH_HOME,
  scratchPath,
} from "./scratch.ts";

/** The names this adapter answers to. */
export type SingularityName = "singularity" | "apptainer";

/** Default registry image for Singularity/Apptainer, tagged per agent like the podman one. */
export const SIF_IMAGE = "oras://ghcr.io/nichd-bspc/llm-sif";

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
    ? bindSource(mount, scratch)
    : scratchPath(scratch, mount.entry === "dir" ? SCRATCH_EMPTY : SCRATCH_EMPTY_FILE);
  const readOnly = mount.kind === "mask" || mount.readOnly;
  for (const p of [source, mount.target]) {
    if (/[:,\n\r]/.test(p)) {
      throw new LlmError(
        `cannot ${mount.kind === "mask" ? "mask" : "mount"} ${p} (${mount.origin}): ` +
          `singularity bind paths cannot contain ':', ',' or a line break; rename it or use podman`,
      );
    }
  }
  return `${source}:${mount.target}${readOnly ? ":ro" : ""}`;
}

/** The prefix that turns a runtime variable into a container variable. */
export function containerEnvPrefix(executable: string): string {
  return /apptainer[^/]*$/.test(executable) ? "APPTAINERENV_" : "SINGULARITYENV_";
}

/**
 * Host variables the runtime must not see: it would pass them into the
 * container by itself (its own `*ENV_` variables, proxies beyond the
 * documented ones, which it always forwards) or bind more host paths.
 */
export const SINGULARITY_UNSET_ENV = [
  "SINGULARITYENV_*",
  "APPTAINERENV_*",
  "SINGULARITY_BIND",
  "SINGULARITY_BINDPATH",
  "APPTAINER_BIND",
  "APPTAINER_BINDPATH",
  "ftp_proxy",
  "FTP_PROXY",
  "all_proxy",
  "ALL_PROXY",
] as const;

/** `<singularity|apptainer> exec` for a plan. */
export function singularityCommand(plan: LaunchPlan, facts: InvocationFacts): RuntimeCommand {
  const scratch = facts.scratch;
  const home = plan.env.find(([k]) => k === "HOME")?.[1] ?? CONTAINER_HOME;
  const argv = [
    facts.executable,
    "exec",
    "--containall",
    "--no-mount",
    "bind-paths",
    "--home",
    `${join(scratch, SCRATCH_HOME)}:${home}`,
    "--pwd",
    plan.workdir,
  ];
  const prefix = containerEnvPrefix(facts.executable);
  const env: Record<string, string> = {};
  // HOME comes from --home; passing it as a variable too makes singularity warn.
  for (const [k, v] of plan.env) if (k !== "HOME") env[`${prefix}${k}`] = v;
  for (const m of plan.mounts) argv.push("--bind", singularityBind(m, scratch));
  // Resources, then --runtime-arg last before the image, whatever the network.
  const extra = [
    ...singularityResourceArgs(plan.resources ?? {}, basename(facts.executable)),
    ...(plan.runtimeArgs ?? []),
  ];
  const mode = plan.network.mode;
  if (mode === "open") {
    argv.push(...extra, plan.image, ...plan.command);
    return { argv, env, unsetEnv: SINGULARITY_UNSET_ENV };
  }
  // An empty network namespace of the container's own: only loopback.
  argv.push("--net", "--network", "none");
  let command = plan.command;
  if (mode === "allow") {
    const source = scratchPath(scratch, SCRATCH_EGRESS);
    if (/[:,\n\r]/.test(source)) {
      throw new LlmError(
        `cannot bind the egress proxy's directory ${source}: singularity bind paths cannot ` +
          `contain ':' or ','; set TMPDIR to a path without them`,
      );
    }
    argv.push("--bind", `${source}:${EGRESS_TARGET}`);
    command = wrapForEgress(plan.command);
  }
  argv.push(...extra, plan.image, ...command);
  // The runtime passes the host's proxy variables in by itself; the
  // container cannot reach that proxy, and under allow has llm's.
  const unsetEnv = [...SINGULARITY_UNSET_ENV, ...HOST_PROXY_VARIABLES].filter((v, i, all) =>
    all.indexOf(v) === i
  );
  return { argv, env, unsetEnv };
}

/** The adapter, under the name it was chosen by. */
export function singularityAdapter(name: SingularityName): RuntimeAdapter {
  return { name, scratchDirs: [SCRATCH_HOME], command: singularityCommand };
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
    const named = hostPath(request.sifPath, facts.home, facts.cwd);
    // Run the image the link points to now, never one the agent re-points it to later.
    const workspace = { path: facts.cwd, real: facts.realPath(facts.cwd) ?? facts.cwd };
    const path = resolveSource(named, workspace, facts, {
      what: "--sif-path",
      fromWorkspaceFile: false,
    }) ?? named;
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
