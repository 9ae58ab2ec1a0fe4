/**
 * What `llm pull` does, as data: for each image, the argv that fetches it
 * and, for Singularity/Apptainer, where the SIF is cached.
 */
import { UsageError } from "../errors.ts";
import type { AgentDef } from "../launch/agents.ts";
import { DEFAULT_IMAGE } from "../launch/container.ts";
import { imageRef } from "../launch/image.ts";
import { basename, dirname, join } from "../std/path.ts";
import { closest } from "../text/suggest.ts";
import { sifCacheDir, sifCacheFile, singularityRef } from "./singularity.ts";

/** One image to fetch. */
export interface PullStep {
  /** The registry reference. */
  readonly ref: string;
  /** Runs the pull. */
  readonly argv: readonly string[];
  /**
   * Singularity only: the pull writes `partial`, which replaces `cacheFile`
   * only after it succeeded, so a failed pull keeps the previous image.
   */
  readonly cache?: { readonly partial: string; readonly cacheFile: string };
}

/** What `planPull` needs. */
export interface PullRequest {
  /** Adapter name: podman, docker, singularity or apptainer. */
  readonly runtime: string;
  readonly executable: string;
  /** Agent names given on the command line; none means every agent. */
  readonly names: readonly string[];
  readonly agents: readonly AgentDef[];
  readonly imageName?: string;
  readonly tag?: string;
  /** Container platform (podman and docker). */
  readonly platform: string;
  /** Show progress: false adds the runtime's quiet flag. */
  readonly progress: boolean;
  readonly env: Readonly<Record<string, string>>;
  readonly home: string;
  /** Makes partial file names unique to this run. */
  readonly unique: string;
}

/**
 * Plan `llm pull`: one step per distinct image, in agent order.
 *
 * @example
 * ```ts ignore
 * planPull({ runtime: "podman", executable: "podman", names: ["pi"], ... })[0].argv;
 * // ["podman", "pull", "--platform=linux/amd64", "ghcr.io/nichd-bspc/llm:pi-latest"]
 * ```
 */
export function planPull(request: PullRequest): PullStep[] {
  const agents = request.names.length === 0
    ? request.agents
    : request.names.map((n) => findAgentOrFail(n, request.agents));
  const singularity = request.runtime === "singularity" || request.runtime === "apptainer";
  const steps: PullStep[] = [];
  for (const agent of agents) {
    const options = { imageName: request.imageName, tag: request.tag };
    if (singularity) {
      const ref = singularityRef({ ...options, defaultTag: agent.defaultTag });
      if (steps.some((s) => s.ref === ref)) continue;
      const cacheFile = sifCacheFile(sifCacheDir(request.env, request.home), ref);
      const partial = join(
        dirname(cacheFile),
        `.${basename(cacheFile, ".sif")}.${request.unique}.partial.sif`,
      );
      const quiet = request.progress ? [] : ["--quiet"];
      steps.push({
        ref,
        argv: [request.executable, ...quiet, "pull", partial, ref],
        cache: { partial, cacheFile },
      });
    } else {
      const ref = imageRef({
        name: request.imageName,
        tag: request.tag,
        defaultName: agent.defaultImage ?? DEFAULT_IMAGE,
        defaultTag: agent.defaultTag,
      });
      if (steps.some((s) => s.ref === ref)) continue;
      const quiet = request.progress ? [] : ["--quiet"];
      steps.push({
        ref,
        argv: [request.executable, "pull", ...quiet, `--platform=${request.platform}`, ref],
      });
    }
  }
  return steps;
}

function findAgentOrFail(name: string, agents: readonly AgentDef[]): AgentDef {
  const agent = agents.find((a) => a.name === name);
  if (agent) return agent;
  const names = agents.map((a) => a.name);
  const near = closest(name, names);
  throw new UsageError(
    `unknown agent '${name}' to pull: ${near ? `did you mean '${near}'? ` : ""}expected any of ${
      names.join(", ")
    }`,
  );
}
