/**
 * The launcher's macOS check: a `--mount` or `--conda-env` under /Volumes/
 * only reaches the container when the podman machine shares that volume.
 */
import type { Mount } from "../launch/mounts.ts";
import type { System } from "../system/system.ts";
import {
  inspectArgv,
  type MachineMount,
  mountsPath,
  parseMachineConfigMounts,
  parseMachineInspect,
} from "./machine.ts";
import { fixCommand } from "./request.ts";

/** A host path under /Volumes/ the launch needs, and the option that asked for it. */
export interface VolumeSource {
  readonly path: string;
  readonly origin: string;
}

/** Origins of mounts the user named (as opposed to credentials or the workspace). */
const USER_ORIGINS = ["--mount ", "LLM_DEVCONTAINER_MOUNTS ", "--conda-env "];

/** Bind mounts from `--mount`, `LLM_DEVCONTAINER_MOUNTS` or `--conda-env` whose source is under /Volumes/. */
export function volumeSources(mounts: readonly Mount[]): VolumeSource[] {
  return mounts.flatMap((m) =>
    m.kind === "bind" && m.source.startsWith("/Volumes/") &&
      USER_ORIGINS.some((o) => m.origin.startsWith(o))
      ? [{ path: m.source, origin: m.origin }]
      : []
  );
}

/**
 * The warning to print when the machine does not share some of `sources`,
 * or null when it shares them all.
 *
 * @example
 * ```ts
 * import { volumeMountWarning } from "./volume_warning.ts";
 * volumeMountWarning(
 *   [{ path: "/Volumes/devel/env", origin: "--conda-env /Volumes/devel/env" }],
 *   "podman-machine-default",
 *   [{ source: "/Users", target: "/Users" }],
 * );
 * // "podman machine podman-machine-default does not share /Volumes/devel/env (--conda-env ...
 * ```
 */
export function volumeMountWarning(
  sources: readonly VolumeSource[],
  machineName: string,
  machineMounts: readonly MachineMount[],
): string | null {
  const missing = sources.filter((s) => !mountsPath(machineMounts, s.path));
  if (missing.length === 0) return null;
  const names = [...new Set(missing.map((s) => s.path.split("/")[2]))];
  const listed = missing.map((s) => `${s.path} (${s.origin})`).join(", ");
  const fixes = names.map((name) => `'${fixCommand({ name })}'`).join(" and ");
  return `podman machine ${machineName} does not share ${listed}, so the container will not ` +
    `see ${missing.length === 1 ? "it" : "them"}; run ${fixes} first`;
}

/**
 * Warnings for a launch on macOS with podman: at most one
 * `podman machine inspect`, and only when a user mount lies under /Volumes/.
 * Says nothing when the machine's mounts cannot be read.
 */
export async function unsharedVolumeWarnings(
  mounts: readonly Mount[],
  runtime: string,
  system: System,
): Promise<string[]> {
  if (system.os !== "darwin" || runtime !== "podman") return [];
  const sources = volumeSources(mounts);
  if (sources.length === 0) return [];
  const out = await system.output(inspectArgv());
  if (out.code !== 0) return [];
  try {
    const info = parseMachineInspect(out.stdout);
    const text = info.mounts || info.configFile === undefined
      ? null
      : system.readText(info.configFile);
    const machineMounts = info.mounts ?? (text === null ? null : parseMachineConfigMounts(text));
    if (machineMounts === null) return [];
    const warning = volumeMountWarning(sources, info.name, machineMounts);
    return warning === null ? [] : [warning];
  } catch {
    // An unreadable answer must not stop the launch; podman reports real trouble itself.
    return [];
  }
}
