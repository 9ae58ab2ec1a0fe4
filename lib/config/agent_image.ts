/**
 * Precedence of image settings within one config file: an agent's own
 * `image:`/`tag:` is more specific than the file's top-level `image:`/`tag:`,
 * so it wins over them. The command line (`--image-name`, `--tag`) still wins
 * over both, as it wins over every file.
 *
 * The top-level settings are one options layer shared by all agents, so the
 * override is applied per agent, when the agent is known.
 */
import type { ParsedOptions } from "../cli/parse.ts";
import { sourceOf } from "../cli/parse.ts";
import type { AgentDef } from "../launch/agents.ts";
import type { AgentConfig } from "./schema.ts";

/**
 * `options` for launching `agent`, whose config entry is `configured`: a
 * top-level `image`/`tag` from the same file as the entry gives way to the
 * agent's own (its defaults, set by `applyAgentConfig`, then apply). An
 * agent's tag goes with the file's top-level image when the agent names no
 * image of its own. Settings from the command line are left alone.
 *
 * @example
 * ```ts
 * import { agentImageOptions } from "./agent_image.ts";
 * import { BUILTIN_AGENTS } from "../launch/agents.ts";
 * const options = {
 *   flags: new Set<string>(),
 *   values: new Map([["tag", "general"]]),
 *   lists: new Map(),
 *   sources: new Map([["tag", ["/c.yaml:1"]]]),
 * };
 * const codex = { ...BUILTIN_AGENTS[0], defaultTag: "codex-0.9" };
 * agentImageOptions(options, codex, { tag: "codex-0.9", source: "/c.yaml:3" })
 *   .values.get("tag"); // undefined: the agent's own tag (its default) applies
 * ```
 */
export function agentImageOptions(
  options: ParsedOptions,
  agent: AgentDef,
  configured: AgentConfig | undefined,
): ParsedOptions {
  if (configured === undefined) return options;
  if (configured.image === undefined && configured.tag === undefined) return options;
  const values = new Map(options.values);
  const sources = new Map(options.sources ?? []);
  const file = fileOf(configured.source);
  const sameFile = (name: string) =>
    values.has(name) && !sourceOf(options, name).startsWith("--") &&
    fileOf(sourceOf(options, name)) === file;
  const drop = (name: string) => {
    values.delete(name);
    sources.delete(name);
  };
  if (configured.image !== undefined && sameFile("image-name")) drop("image-name");
  if (
    configured.tag !== undefined && sameFile("image-name") &&
    (!values.has("tag") || sameFile("tag"))
  ) {
    // The file's general image, with this agent's tag (its default tag, set from it).
    values.set("tag", agent.defaultTag);
    sources.set("tag", [configured.source]);
  } else if (sameFile("tag")) {
    // The agent's own image or default tag applies, as if the general tag were not there.
    drop("tag");
  }
  return { ...options, values, sources };
}

/** `FILE` of a `FILE:LINE` source. */
function fileOf(source: string): string {
  return source.replace(/:\d+$/, "");
}
