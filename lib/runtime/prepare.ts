/**
 * The runtime-specific steps around a launch that need the host: choosing a
 * Singularity image, asking docker whether it is rootless, and the temporary
 * directory some runtimes need for the duration of the launch.
 */
import type { ParsedOptions } from "../cli/parse.ts";
import type { AgentDef } from "../launch/agents.ts";
import type { LaunchPlan } from "../launch/plan.ts";
import type { System } from "../system/system.ts";
import { dockerInfoArgv, isRootlessDockerInfo } from "./docker.ts";
import type { RuntimeAdapter } from "./runtime.ts";
import type { RuntimeChoice } from "./select.ts";
import { chooseSifImage, SCRATCH_PLACEHOLDER } from "./singularity.ts";

/** The plan as the runtime will run it, and what to tell the user. */
export interface RuntimeSetup {
  readonly plan: LaunchPlan;
  /** Docker only: the engine is rootless. */
  readonly rootless?: boolean;
  /** For `--verbose`. */
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
}

/** True for the adapter serving singularity and apptainer. */
export function isSingularity(name: string): boolean {
  return name === "singularity" || name === "apptainer";
}

/**
 * Adjust a plan for the chosen runtime: Singularity's image (`--sif-path`,
 * a cached SIF, or the SIF registry image) and docker's rootless mode.
 */
export async function setUpRuntime(
  runtime: RuntimeChoice,
  plan: LaunchPlan,
  agent: AgentDef,
  options: ParsedOptions,
  system: System,
): Promise<RuntimeSetup> {
  const sifPath = options.values.get("sif-path");
  if (isSingularity(runtime.adapter.name)) {
    const choice = chooseSifImage({
      sifPath,
      imageName: options.values.get("image-name"),
      tag: options.values.get("tag"),
      defaultTag: agent.defaultTag,
    }, system);
    const how = choice.source === "sif-path"
      ? "--sif-path"
      : choice.source === "cache"
      ? "cached by 'llm pull'"
      : "registry; 'llm pull' caches it for faster starts";
    const arch = options.values.get("arch") === undefined
      ? []
      : [`--arch is ignored by ${runtime.adapter.name}: it runs the image's own architecture`];
    return {
      plan: { ...plan, image: choice.image },
      notes: [`image source: ${how}`],
      warnings: [...choice.warnings, ...arch],
    };
  }
  const warnings = sifPath === undefined
    ? []
    : [`--sif-path is ignored by ${runtime.adapter.name} (it is for singularity and apptainer)`];
  if (runtime.adapter.name === "docker" && runtime.found && system.os === "linux") {
    const info = await system.output(dockerInfoArgv(runtime.executable));
    const rootless = info.code === 0 && isRootlessDockerInfo(info.stdout);
    const mode = info.code !== 0
      ? "rootful assumed: 'docker info' failed"
      : rootless
      ? "rootless: the agent runs as container root, which is you on the host"
      : "rootful: the agent runs as your uid and gid";
    return { plan, rootless, notes: [`docker ${mode}`], warnings };
  }
  return { plan, notes: [], warnings };
}

/**
 * Run `fn` with the temporary directory `adapter` needs (none: undefined),
 * its subdirectories created, and remove it afterwards whatever happens.
 * `fn` runs the container through `System.interactive`, which forwards
 * SIGTERM/SIGHUP to it and outlives SIGINT, so signals end here too.
 */
export async function withScratch<T>(
  adapter: RuntimeAdapter,
  system: System,
  fn: (scratch: string | undefined) => Promise<T>,
): Promise<T> {
  if (!adapter.scratchDirs) return await fn(undefined);
  const scratch = system.makeTempDir("llm-");
  try {
    for (const dir of adapter.scratchDirs) system.mkdir(`${scratch}/${dir}`, 0o700);
    return await fn(scratch);
  } finally {
    system.remove(scratch);
  }
}

/** The scratch path shown on `--dry-run`, where nothing is created. */
export function dryRunScratch(adapter: RuntimeAdapter): string | undefined {
  return adapter.scratchDirs ? SCRATCH_PLACEHOLDER : undefined;
}
