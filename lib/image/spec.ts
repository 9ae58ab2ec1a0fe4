/**
 * `llm build`: its options and help. This module stays small because the
 * registry loads it at every start; the work is in `./command.ts`.
 */
import type { CommandSpec } from "../cli/command.ts";
import { ARCHES } from "../cli/options.ts";

/** Where `llm build` tags the image unless told otherwise. */
export const DEFAULT_BUILD_IMAGE = "localhost/llm-devcontainer:latest";

/** The backends that can build an image. */
export const BUILD_BACKENDS = ["auto", "podman", "docker"] as const;

/** The `llm build` command. */
export const BUILD_COMMAND: CommandSpec = {
  name: "build",
  summary: "Build the agent image (Dockerfile shipped with llm) with podman or docker",
  usage: "build [options]",
  options: [
    {
      name: "image-name",
      kind: "value",
      placeholder: "REF",
      complete: "none",
      help: `Tag for the built image (default ${DEFAULT_BUILD_IMAGE}).`,
    },
    {
      name: "tag",
      kind: "value",
      placeholder: "TAG",
      complete: "none",
      help: "Replace the tag of --image-name (default latest).",
    },
    {
      name: "arch",
      kind: "value",
      placeholder: "PLATFORM",
      complete: ARCHES,
      help: "Platform to build for: linux/amd64 or linux/arm64 (default: the host's).",
    },
    { name: "no-cache", kind: "flag", help: "Rebuild every layer instead of reusing cached ones." },
    {
      name: "certs",
      kind: "value",
      placeholder: "FILE",
      complete: "file",
      env: "LLM_DEVCONTAINER_CERTS",
      help: "CA bundle (PEM) for apt, curl and npm during the build; not kept in the image.",
    },
    {
      name: "claude-version",
      kind: "value",
      placeholder: "V",
      complete: "none",
      help: "Claude Code version to install (default latest, whatever the others are).",
    },
    {
      name: "codex-version",
      kind: "value",
      placeholder: "V",
      complete: "none",
      help: "Codex version to install (default latest, whatever the others are).",
    },
    {
      name: "pi-version",
      kind: "value",
      placeholder: "V",
      complete: "none",
      help: "Pi version to install (default latest, whatever the others are).",
    },
    {
      name: "file",
      short: "f",
      kind: "value",
      placeholder: "FILE",
      complete: "file",
      help: "Build this Dockerfile, with its directory as the build context.",
    },
    {
      name: "backend",
      kind: "value",
      placeholder: "NAME",
      complete: BUILD_BACKENDS,
      env: "LLM_BACKEND",
      help: "Builder: auto (podman, else docker), podman or docker.",
    },
  ],
  examples: [
    "llm build",
    "llm build --arch linux/amd64 --certs ~/corp-ca.pem",
    "llm build --claude-version 2.0.14 --codex-version 0.46.0 --pi-version 0.9.0",
    "llm build --codex-version 0.46.0  # Claude Code and Pi stay at latest",
    `llm --image-name ${DEFAULT_BUILD_IMAGE} codex`,
  ],
  load: () => import("./command.ts"),
};
