/**
 * `llm pull`: the always-loaded half (name, options, help).
 */
import type { CommandSpec } from "../cli/command.ts";
import { GLOBAL_OPTIONS } from "../cli/options.ts";

const IMAGE_OPTIONS = ["backend", "image-name", "tag", "arch"];

/** `llm pull [agent...]`. */
export const pullSpec: CommandSpec = {
  name: "pull",
  summary: "Fetch the newest agent images (Singularity/Apptainer: into the SIF cache)",
  usage: "pull [options] [agent...]",
  options: GLOBAL_OPTIONS.filter((o) => IMAGE_OPTIONS.includes(o.name)),
  examples: [
    "llm pull                      # every agent's image, with the detected runtime",
    "llm pull codex claude         # just these two",
    "llm pull --backend apptainer  # SIFs into ${XDG_CACHE_HOME:-~/.cache}/llm/",
  ],
  load: () => import("./pull.ts"),
};
