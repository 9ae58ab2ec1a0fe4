/**
 * Help text, generated from the option and command tables.
 */
import type { AgentDef } from "../launch/agents.ts";
import { DEFAULT_IMAGE } from "../launch/container.ts";
import { imageRef } from "../launch/image.ts";
import { quoteArgv } from "../text/shell_words.ts";
import type { CommandSpec } from "./command.ts";
import type { OptionDef } from "./options.ts";
import { type ParsedOptions, sourceOf } from "./parse.ts";

/** How an option is written: `--name`, `--name VALUE` or `--name[=VALUE]`. */
export function longOption(d: OptionDef): string {
  return `--${d.name}${
    d.kind === "flag"
      ? ""
      : d.optionalValue
      ? `[=${d.placeholder ?? "VALUE"}]`
      : ` ${d.placeholder ?? "VALUE"}`
  }`;
}

/** One line per option, aligned. */
export function formatOptions(defs: readonly OptionDef[]): string {
  const heads = defs.map((d) => {
    const long = longOption(d);
    return d.short ? `-${d.short}, ${long}` : `    ${long}`;
  });
  const width = Math.max(...heads.map((h) => h.length)) + 2;
  return defs.map((d, i) => {
    const env = d.env ? ` [env: ${d.env}]` : "";
    return `  ${heads[i].padEnd(width)}${d.help}${env}`;
  }).join("\n");
}

/** `llm --help`. */
export function mainHelp(
  agents: readonly AgentDef[],
  commands: readonly CommandSpec[],
  globals: readonly OptionDef[],
): string {
  const agentWidth = Math.max(...agents.map((a) => a.name.length)) + 2;
  const commandWidth = Math.max(0, ...commands.map((c) => c.name.length)) + 2;
  const lines = [
    "llm: run AI coding agents in containers that see only your project and their credentials.",
    "",
    "Usage: llm [options] <agent> [agent args...]",
    "       llm [options] <command> [command options]",
    "",
    "Agents (arguments after the agent name go to the agent untouched):",
    ...agents.map((a) => `  ${a.name.padEnd(agentWidth)}${a.summary}`),
  ];
  if (commands.length > 0) {
    lines.push("", "Commands (llm help <command> for details):");
    lines.push(...commands.map((c) => `  ${c.name.padEnd(commandWidth)}${c.summary}`));
  }
  lines.push(
    "",
    "Options:",
    formatOptions(globals),
    "",
    "Examples:",
    "  llm codex",
    "  llm --mount ~/data:/data:ro --mask .env claude",
    "  llm --dry-run shell -- ls -la",
    "",
    "Exit status: the agent's own; 1 on an error; 2 on a bad command line.",
  );
  return lines.join("\n") + "\n";
}

/** `llm help <command>` and `llm <command> --help`. */
export function commandHelp(spec: CommandSpec, common: readonly OptionDef[]): string {
  const lines = [`llm ${spec.name}: ${spec.summary}`, "", `Usage: llm ${spec.usage}`];
  const defs = [...spec.options, ...common];
  if (defs.length > 0) lines.push("", "Options:", formatOptions(defs));
  if (spec.examples.length > 0) {
    lines.push("", "Examples:", ...spec.examples.map((e) => `  ${e}`));
  }
  return lines.join("\n") + "\n";
}

/** Stands for the user's arguments in `agentHelp`. */
const ARGS = "ARGS...";

/**
 * `llm help <agent>`: what `llm <agent>` runs in the container, with which
 * image (as `options`, the effective settings, choose it) and credentials,
 * and the options that shape a launch.
 *
 * @example
 * ```ts
 * import { agentHelp } from "./help.ts";
 * import { BUILTIN_AGENTS } from "../launch/agents.ts";
 * import { emptyOptions } from "./parse.ts";
 * agentHelp(BUILTIN_AGENTS[0], [], emptyOptions()).includes("codex --sandbox"); // true
 * ```
 */
export function agentHelp(
  agent: AgentDef,
  launchOptions: readonly OptionDef[],
  options: ParsedOptions,
): string {
  const name = agent.name;
  const credentials = agent.credentials.map((c) => `~/${c}`).join(", ") || "none";
  const lines = [
    `llm ${name}: ${agent.summary}`,
    "",
    `Usage: llm [options] ${name} [${name} args...]`,
    "",
    `In the container, 'llm ${name}' runs:`,
    `  ${quoteArgv(agent.command([]))}`,
    `and 'llm ${name} ${ARGS}' runs:`,
    `  ${quoteArgv(agent.command([ARGS]))}`,
    `Image: ${agentImage(agent, options)}`,
    `Credentials mounted from your home: ${credentials}`,
    "",
    `Arguments after '${name}' go to ${name} untouched, so 'llm ${name} --help' is ${name}'s`,
    `own help; llm's options go before the agent name.`,
  ];
  if (launchOptions.length > 0) {
    lines.push("", `Options (before '${name}'):`, formatOptions(launchOptions));
  }
  lines.push(
    "",
    "Examples:",
    `  llm ${name}`,
    `  llm --dry-run ${name}           # print the container command instead of running it`,
    `  llm --mount ~/data:/data:ro ${name}`,
    `  llm ${name} --help              # ${name}'s own help`,
  );
  return lines.join("\n") + "\n";
}

/** The image a launch of `agent` uses under `options`, and what chose it. */
function agentImage(agent: AgentDef, options: ParsedOptions): string {
  const chosen = ["image-name", "tag"].filter((o) => options.values.has(o));
  const defaults = {
    defaultName: agent.defaultImage ?? DEFAULT_IMAGE,
    defaultTag: agent.defaultTag,
  };
  let ref: string;
  try {
    ref = imageRef({
      name: options.values.get("image-name"),
      tag: options.values.get("tag"),
      ...defaults,
    });
  } catch {
    // A bad --tag is reported by the launch; help still shows the default.
    return `${imageRef(defaults)} (default)`;
  }
  if (chosen.length === 0) return `${ref} (change with --image-name or --tag)`;
  return `${ref} (from ${chosen.map((o) => sourceOf(options, o)).join(", ")})`;
}

/** `llm help help`. */
export function helpHelp(): string {
  return [
    "llm help: show help for llm, an agent or a command",
    "",
    "Usage: llm help [agent | command]",
    "",
    "  llm help              the overview: agents, commands and llm's options",
    "  llm help AGENT        what 'llm AGENT' runs, its image, and the options for launches",
    "  llm help COMMAND      a command's options and examples (same as 'llm COMMAND --help')",
    "  llm AGENT --help      the agent's own help: arguments after the agent name go to it",
    "",
    "Examples:",
    "  llm help",
    "  llm help codex",
    "  llm help refresh",
  ].join("\n") + "\n";
}
