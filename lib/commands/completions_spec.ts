/**
 * `llm completions`: the always-loaded half (name, help, examples).
 */
import type { CommandSpec } from "../cli/command.ts";

/** Registered in lib/cli/registry.ts. */
export const COMPLETIONS_COMMAND: CommandSpec = {
  name: "completions",
  summary: "Print a shell completion script for bash, zsh or fish",
  usage: "completions bash|zsh|fish",
  options: [],
  examples: [
    'eval "$(llm completions bash)"                             # in ~/.bashrc',
    'eval "$(llm completions zsh)"                              # in ~/.zshrc, after compinit',
    "llm completions fish > ~/.config/fish/completions/llm.fish",
  ],
  // `eval "$(llm completions bash)"` in ~/.bashrc must not fail over a broken config.
  toleratesBrokenConfig: true,
  load: () => import("./completions.ts"),
};
