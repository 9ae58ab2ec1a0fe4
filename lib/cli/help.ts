/**
 * Help text, generated from the option and command tables.
 */
import type { AgentDef } from "../launch/agents.ts";
import type { CommandSpec } from "./command.ts";
import type { OptionDef } from "./options.ts";

/** One line per option, aligned. */
export function formatOptions(defs: readonly OptionDef[]): string {
  const heads = defs.map((d) => {
    const long = `--${d.name}${d.kind === "flag" ? "" : ` ${d.placeholder ?? "VALUE"}`}`;
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
