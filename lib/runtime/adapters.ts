/**
 * The adapter of the runtime a launch chose. Podman's, the default on macOS
 * and Linux workstations, loads with the launch path; docker's and
 * Singularity's (the largest) only for a launch that uses them.
 */
import type { RuntimeName } from "./detect.ts";
import type { RuntimeAdapter } from "./runtime.ts";
import { podman } from "./podman.ts";

/** The adapter that turns a plan into `name`'s argv. */
export async function loadAdapter(name: RuntimeName): Promise<RuntimeAdapter> {
  switch (name) {
    case "podman":
      return podman;
    case "docker":
      return (await import("./docker.ts")).docker;
    case "singularity":
    case "apptainer":
      return (await import("./singularity.ts")).singularityAdapter(name);
  }
}
