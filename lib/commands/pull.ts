/**
 * `llm pull [agent...]`: fetch the newest images with the chosen runtime.
 * Singularity/Apptainer SIFs go to the cache that launches then use.
 */
import { LlmError } from "../errors.ts";
import type { CommandContext } from "../cli/command.ts";
import { agentImageOptions } from "../config/agent_image.ts";
import { loadConfig } from "../config/load.ts";
import { findAgent } from "../launch/agents.ts";
import { containerPlatform } from "../launch/image.ts";
import { planPull, type PullStep } from "../runtime/pull.ts";
import { engineCheck, selectRuntime } from "../runtime/select.ts";
import { sifCacheDir } from "../runtime/singularity.ts";
import type { System } from "../system/system.ts";
import { problemLine } from "../text/colour.ts";
import { quoteArgv } from "../text/shell_words.ts";

/** Run `llm pull`; resolves to the exit code. */
export async function run({ options, args, system }: CommandContext): Promise<number> {
  const dryRun = options.flags.has("dry-run");
  const runtime = selectRuntime(
    options.values.get("backend") ?? system.env.LLM_BACKEND,
    (name) => system.which(name),
    dryRun,
    system.os,
    engineCheck(system),
  );
  if (options.flags.has("verbose")) system.stderr(`llm: runtime ${runtime.reason}\n`);
  if (!runtime.found) {
    const message = `${runtime.executable} not found; showing its commands anyway`;
    system.stderr(await problemLine(system, "warning", message));
  }
  // The config's agents too: doctor advises 'llm pull NAME' for each agent it knows.
  const config = await loadConfig(system, options.values.get("config"));
  const names = args.length > 0 ? args : config.agents.map((a) => a.name);
  const unique = crypto.randomUUID().slice(0, 8);
  const steps: PullStep[] = [];
  for (const name of names) {
    const agent = findAgent(name, config.agents);
    // The image a launch of this agent runs: its own image and tag win over the file's general ones.
    const own = agent
      ? agentImageOptions(options, agent, config.configuredAgents.get(name))
      : options;
    const planned = planPull({
      runtime: runtime.name,
      executable: runtime.executable,
      names: [name],
      agents: config.agents,
      imageName: own.values.get("image-name"),
      tag: own.values.get("tag"),
      platform: containerPlatform(options.values.get("arch"), system.arch),
      progress: system.isTerminal(),
      env: system.env,
      home: system.home,
      unique,
    });
    for (const step of planned) if (!steps.some((s) => s.ref === step.ref)) steps.push(step);
  }
  if (dryRun) {
    for (const step of steps) {
      system.stdout(quoteArgv(step.argv) + "\n");
      if (step.cache) system.stdout(quoteArgv(moveArgv(step.cache)) + "\n");
    }
    return 0;
  }
  if (steps.some((s) => s.cache)) system.mkdir(sifCacheDir(system.env, system.home), 0o700);
  const failed: string[] = [];
  for (const step of steps) {
    if (await pullOne(step, system)) {
      system.stdout(step.cache ? `${step.ref} -> ${step.cache.cacheFile}\n` : `${step.ref}\n`);
    } else {
      failed.push(step.ref);
    }
  }
  if (failed.length > 0) {
    throw new LlmError(
      `could not pull ${failed.join(", ")} (see above)` +
        (steps.some((s) => s.cache) ? "; the previously cached images are unchanged" : ""),
    );
  }
  return 0;
}

/** `mv` within the cache directory: a rename, so the cached SIF is replaced whole. */
function moveArgv(cache: { partial: string; cacheFile: string }): string[] {
  return ["mv", "-f", "--", cache.partial, cache.cacheFile];
}

async function pullOne(step: PullStep, system: System): Promise<boolean> {
  if (!step.cache) return (await system.interactive(step.argv)).code === 0;
  try {
    if ((await system.interactive(step.argv)).code !== 0) return false;
    const moved = await system.output(moveArgv(step.cache));
    if (moved.code !== 0) {
      const message = `could not move the new image into place: ${moved.stderr.trim()}`;
      system.stderr(await problemLine(system, "error", message));
      return false;
    }
    return true;
  } finally {
    // Gone after a successful move; after a failure, whatever the pull left.
    system.remove(step.cache.partial);
  }
}
