/**
 * The always-loaded halves of `llm conda-bootstrap` and `llm conda`: names,
 * options and help. The work loads only when a command runs.
 */
import type { CommandSpec } from "../cli/command.ts";
import { GLOBAL_OPTIONS, type OptionDef } from "../cli/options.ts";

/** Launcher options that choose the image and runtime, accepted after the command too. */
const LAUNCH_OPTIONS: readonly OptionDef[] = GLOBAL_OPTIONS.filter((o) =>
  ["image-name", "tag", "arch", "backend"].includes(o.name)
);

const PREFIX: OptionDef = {
  name: "prefix",
  kind: "value",
  placeholder: "DIR",
  complete: "dir",
  help: "Miniforge install directory (default /Volumes/devel/miniforge on macOS, " +
    "$XDG_DATA_HOME/llm/miniforge elsewhere).",
};

/** `llm conda-bootstrap`. */
export const CONDA_BOOTSTRAP: CommandSpec = {
  name: "conda-bootstrap",
  summary: "Install Miniforge for the Linux container, to build --conda-env environments",
  usage: "conda-bootstrap [--prefix DIR] [--installer-url URL] [--force] [options]",
  options: [
    PREFIX,
    {
      name: "installer-url",
      kind: "value",
      placeholder: "URL",
      complete: "none",
      help:
        "Installer to fetch instead of the latest Miniforge; URL.sha256 must hold its checksum.",
    },
    {
      name: "force",
      kind: "flag",
      help: "Re-run the installer (update mode) even when Miniforge is already installed.",
    },
    ...LAUNCH_OPTIONS,
  ],
  examples: [
    "llm conda-bootstrap",
    "llm conda-bootstrap --prefix ~/conda/miniforge --force",
    "llm conda-bootstrap --dry-run",
  ],
  load: () => import("./bootstrap.ts"),
};

/** `llm conda`. */
export const CONDA: CommandSpec = {
  name: "conda",
  summary: "Run the bootstrapped Linux conda in the container (after llm conda-bootstrap)",
  usage: "conda [--prefix DIR] [options] [--] [conda args...]",
  options: [PREFIX, ...LAUNCH_OPTIONS],
  examples: [
    "llm conda create -p /Volumes/devel/proj-env --file requirements.txt",
    "llm conda --prefix ~/conda/miniforge env list",
    "llm --conda-env /Volumes/devel/proj-env codex",
  ],
  positionals: "passthrough",
  load: () => import("./conda.ts"),
};
