/**
 * Agents from the config file: new ones, and changes to the built-in ones.
 */
import type { AgentDef } from "../launch/agents.ts";
import { splitImageRef } from "../launch/image.ts";
import type { AgentConfig } from "./schema.ts";

/**
 * Apply `configured` to `builtins`: a known name has the given fields
 * replaced, a new name becomes an agent launched like the built-in ones.
 *
 * @example
 * ```ts
 * import { BUILTIN_AGENTS } from "../launch/agents.ts";
 * import { applyAgentConfig } from "./agents.ts";
 * const agents = applyAgentConfig(BUILTIN_AGENTS, new Map([
 *   ["gemini", { command: ["gemini"], source: "config.yaml:3" }],
 * ]));
 * agents.at(-1)?.command(["-p", "hi"]); // ["gemini", "-p", "hi"]
 * ```
 */
export function applyAgentConfig(
  builtins: readonly AgentDef[],
  configured: ReadonlyMap<string, AgentConfig>,
): AgentDef[] {
  const agents = [...builtins];
  for (const [name, c] of configured) {
    const index = agents.findIndex((a) => a.name === name);
    const base = index >= 0 ? agents[index] : undefined;
    const image = c.image === undefined ? undefined : splitImageRef(c.image);
    const command = c.command;
    const agent: AgentDef = {
      name,
      summary: base ? `${base.summary} (changed in ${c.source})` : `defined in ${c.source}`,
      command: command ? (args) => [...command, ...args] : base?.command ?? ((args) => [...args]),
      credentials: c.credentials?.map((p) => p.slice(2).replace(/\/+$/, "")) ??
        base?.credentials ?? [],
      ensure: c.credentials ? [] : base?.ensure ?? [],
      envPrefixes: c.envPrefixes ?? base?.envPrefixes ?? [],
      bedrockFlags: c.bedrockFlag ? [c.bedrockFlag] : base?.bedrockFlags ?? [],
      defaultTag: c.tag ?? image?.tag ?? base?.defaultTag ?? "latest",
      defaultImage: image?.name ?? base?.defaultImage,
    };
    if (index >= 0) agents[index] = agent;
    else agents.push(agent);
  }
  return agents;
}
