/**
 * Variables a project file may not set: those with which `llm` decides what
 * of the host to hand the container. A project file may only tighten what
 * the user set, and these would widen it (mount ~/.aws, pick AWS credentials).
 */
import { LlmError } from "../errors.ts";
import type { ParsedOptions } from "../cli/parse.ts";
import type { AgentDef } from "../launch/agents.ts";

/** Throw for the first `env` entry of a project file's `options` that a project may not set. */
export function checkProjectEnv(options: ParsedOptions, agents: readonly AgentDef[]): void {
  const bedrockFlags = new Set(agents.flatMap((a) => a.bedrockFlags));
  const sources = options.sources?.get("env") ?? [];
  (options.lists.get("env") ?? []).forEach((pair, i) => {
    const name = pair.slice(0, pair.indexOf("="));
    const reason = bedrockFlags.has(name)
      ? "it turns on Bedrock, which mounts your ~/.aws into the container"
      : name.startsWith("AWS_")
      ? "AWS_ variables choose which AWS credentials a launch passes on"
      : undefined;
    if (reason !== undefined) {
      throw new LlmError(
        `${sources[i]}: env.${name}: not allowed in a project file: ${reason}; ` +
          `set it in your user config or with --env`,
      );
    }
  });
}
