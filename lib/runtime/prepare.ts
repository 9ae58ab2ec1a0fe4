/**
 * The runtime-specific steps around a launch that need the host: choosing a
 * Singularity image, asking docker whether it is rootless, and the temporary
 * directory some runtimes need for the duration of the launch.
 */
import type { ParsedOptions } from "../cli/parse.ts";
import type { AgentDef } from "../launch/agents.ts";
import { CONTAINER_HOME } from "../launch/container.ts";
import type { HostFacts } from "../launch/host_facts.ts";
import { isWithin } from "../launch/mounts.ts";
import type { LaunchPlan } from "../launch/plan.ts";
import { dirname, join, relative } from "../std/path.ts";
import type { System } from "../system/system.ts";
import type { RuntimeAdapter } from "./runtime.ts";
import { SCRATCH_EGRESS } from "../egress/container.ts";
import type { RuntimeChoice } from "./select.ts";
import {
  SCRATCH_EMPTY,
  SCRATCH_EMPTY_FILE,
  SCRATCH_HOME,
  SCRATCH_PLACEHOLDER,
  type ScratchEntry,
} from "./scratch.ts";
import { EMPTY_SESSION_FILE, SESSION_DIR } from "../launch/session_copy.ts";

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
  if (isSingularity(runtime.name)) {
    const { chooseSifImage } = await import("./singularity.ts");
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
      : [`--arch is ignored by ${runtime.name}: it runs the image's own architecture`];
    return {
      plan: { ...plan, image: choice.image },
      notes: [`image source: ${how}`],
      warnings: [...choice.warnings, ...arch],
    };
  }
  const warnings = sifPath === undefined
    ? []
    : [`--sif-path is ignored by ${runtime.name} (it is for singularity and apptainer)`];
  if (runtime.name === "docker" && runtime.found && system.os === "linux") {
    const { dockerInfoArgv, isRootlessDockerInfo } = await import("./docker.ts");
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
 * Run `fn` with the launch's temporary directory (mode 0700, symlinks
 * resolved so a podman machine or Docker Desktop finds it through its shared
 * folders), its subdirectories and mask sources made, and remove it
 * afterwards whatever happens. `fn` runs the container through
 * `System.interactive`, which forwards SIGTERM/SIGHUP to it and outlives
 * SIGINT, so signals then end here too; one that comes before or after the
 * container's run (copying session files in, starting the proxy) would end
 * the process before `finally`, so it removes the directory itself.
 */
export async function withScratch<T>(
  adapter: RuntimeAdapter,
  plan: LaunchPlan,
  system: System,
  fn: (scratch: string) => Promise<T>,
): Promise<T> {
  const made = system.makeTempDir("llm-");
  const release = system.cleanupOnSignal(() => system.remove(made));
  try {
    const scratch = system.realPath(made) ?? made;
    for (const entry of scratchLayout(adapter, plan, system)) {
      const path = join(scratch, entry.path);
      // Session copies are made by copyIn(), which keeps the original to merge back.
      if (entry.kind === "dir") system.mkdir(path, entry.mode);
      else if (entry.kind === "file") system.createFileIfAbsent(path, "", entry.mode);
    }
    return await fn(scratch);
  } finally {
    release();
    system.remove(made);
  }
}

/**
 * What a launch makes in its temporary directory, in order: the mask
 * sources, the adapter's subdirectories with the mount points inside the
 * temporary home, and the session copies of agent files.
 */
export function scratchLayout(
  adapter: RuntimeAdapter,
  plan: LaunchPlan,
  facts: HostFacts,
): ScratchEntry[] {
  const entries: ScratchEntry[] = [
    { kind: "dir", path: SCRATCH_EMPTY, mode: 0o500 },
    { kind: "file", path: SCRATCH_EMPTY_FILE, mode: 0o444 },
  ];
  const dirs = new Set<string>();
  const dir = (path: string) => {
    if (dirs.has(path)) return;
    dirs.add(path);
    entries.push({ kind: "dir", path, mode: 0o700 });
  };
  adapter.scratchDirs.forEach(dir);
  if (adapter.scratchDirs.includes(SCRATCH_HOME)) {
    for (const p of homeMountPoints(plan, facts)) {
      const path = join(SCRATCH_HOME, p.path);
      if (p.kind === "dir") dir(path);
      else {
        dir(dirname(path));
        entries.push({ kind: "file", path, mode: 0o600 });
      }
    }
  }
  // The proxy's socket goes here (lib/egress/session.ts); a pasted --dry-run
  // line gets the directory alone, with no proxy in it.
  if (plan.network.mode === "allow") dir(SCRATCH_EGRESS);
  if (plan.sessionFiles.length > 0) {
    dir(SESSION_DIR);
    for (const f of plan.sessionFiles) {
      entries.push({ kind: "copy", path: f.copy, from: f.hostPath, fallback: EMPTY_SESSION_FILE });
    }
  }
  return entries;
}

/** A mount point to make inside the temporary home, relative to it. */
export interface MountPoint {
  readonly path: string;
  readonly kind: "dir" | "file";
}

/**
 * Mount points for the plan's mounts that land inside the container home.
 * The home is an empty host directory, so they are made there before the
 * launch rather than left to the runtime, which can only create missing
 * mount points where its overlay or underlay reaches.
 */
export function homeMountPoints(plan: LaunchPlan, facts: HostFacts): MountPoint[] {
  const home = plan.env.find(([k]) => k === "HOME")?.[1] ?? CONTAINER_HOME;
  const points: MountPoint[] = [];
  for (const m of plan.mounts) {
    if (m.target === home || !isWithin(m.target, home)) continue;
    // A source the launch creates first (a fresh ~/.codex) may not exist yet on --dry-run.
    const kind = m.kind === "mask"
      ? m.entry
      : m.inScratch
      ? "file"
      : (facts.stat(m.source) ?? plan.ensure.find((e) => e.hostPath === m.source)?.kind) ===
          "dir"
      ? "dir"
      : "file";
    points.push({ path: relative(home, m.target), kind });
  }
  return points;
}

/** The scratch path shown on `--dry-run`, where nothing is created. */
export const DRY_RUN_SCRATCH = SCRATCH_PLACEHOLDER;

/**
 * What to add after Singularity/Apptainer failed on its own (its messages
 * start with `FATAL:`), or null when the agent itself exited non-zero.
 */
export function singularityFailureHint(image: string, stderrTail: string): string | null {
  if (!/^FATAL:/m.test(stderrTail)) return null;
  return image.includes("://")
    ? `could not start ${image} (see above); where the registry is not reachable (a compute ` +
      `node), run 'llm pull' where it is, or give a local image with --sif-path`
    : `could not start ${image} (see above)`;
}
