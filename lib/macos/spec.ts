/**
 * The always-loaded half of `llm setup-macos-volume`: its name, options and
 * help. The implementation loads only when the command runs.
 */
import type { CommandSpec } from "../cli/command.ts";

/** `llm setup-macos-volume`. */
export const SETUP_MACOS_VOLUME: CommandSpec = {
  name: "setup-macos-volume",
  summary: "Make a case-sensitive APFS volume and share it with the podman machine (macOS)",
  usage: "setup-macos-volume [--name NAME] [--machine NAME] [--yes] [--check] [--dry-run]",
  options: [
    {
      name: "name",
      kind: "value",
      placeholder: "NAME",
      complete: "none",
      help: "Volume name; it mounts at /Volumes/NAME (default devel).",
    },
    {
      name: "machine",
      kind: "value",
      placeholder: "NAME",
      complete: "none",
      help: "Podman machine to share the volume with (default: podman's default machine).",
    },
    {
      name: "yes",
      short: "y",
      kind: "flag",
      help: "Re-create the podman machine without asking (deletes its images and containers).",
    },
    {
      name: "check",
      kind: "flag",
      help: "Change nothing; exit 0 if all is set up, else 1 naming what is missing and the fix.",
    },
  ],
  examples: [
    "llm setup-macos-volume                 # /Volumes/devel, podman's default machine",
    "llm setup-macos-volume --check         # after Podman Desktop restarts",
    "llm setup-macos-volume --name conda --machine work --dry-run",
  ],
  // The volume and the podman machine depend on no setting.
  toleratesBrokenConfig: true,
  load: () => import("./setup_command.ts"),
};
