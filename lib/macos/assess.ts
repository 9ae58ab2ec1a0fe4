/**
 * Judging the facts read from diskutil and podman: is the volume usable,
 * and does the machine already share it? Pure.
 */
import { isNotFound, type VolumeInfo, type VolumeLookup } from "./diskutil.ts";
import { type MachineInfo, type MachineMount, mountsPath } from "./machine.ts";

/** The state of `/Volumes/<name>`. */
export type VolumeState =
  | { readonly kind: "absent" }
  | { readonly kind: "ready"; readonly volume: VolumeInfo }
  /** Present but unusable: `problem` says why and what to do, in one line. */
  | { readonly kind: "unusable"; readonly problem: string };

/**
 * Judge `diskutil info -plist /Volumes/<name>`. `folderExists` tells a
 * plain folder at that path (which diskutil does not know) from nothing.
 *
 * @example
 * ```ts
 * import { assessVolume } from "./assess.ts";
 * assessVolume("/Volumes/devel", { found: false, message: "Could not find disk: /Volumes/devel" }, false);
 * // { kind: "absent" }
 * ```
 */
export function assessVolume(
  path: string,
  lookup: VolumeLookup,
  folderExists: boolean,
): VolumeState {
  if (!lookup.found) {
    if (!isNotFound(lookup.message)) {
      return { kind: "unusable", problem: `diskutil cannot read ${path}: ${lookup.message}` };
    }
    if (folderExists) {
      return {
        kind: "unusable",
        problem: `${path} is a folder, not a mounted volume; move it away or choose another --name`,
      };
    }
    return { kind: "absent" };
  }
  const v = lookup.volume;
  if (v.mountPoint !== path) {
    return {
      kind: "unusable",
      problem:
        `${path} is not a volume's mount point (diskutil reports ${v.deviceIdentifier || "it"} ` +
        `mounted at '${v.mountPoint}'); move it away or choose another --name`,
    };
  }
  if (!v.apfs) {
    return {
      kind: "unusable",
      problem: `${path} is ${v.filesystemName}, not APFS; choose another --name ` +
        `(or erase it as APFS (Case-sensitive) in Disk Utility)`,
    };
  }
  if (!v.caseSensitive) {
    return {
      kind: "unusable",
      problem:
        `${path} is case-insensitive ${v.filesystemName}, and conda environments for Linux ` +
        `need a case-sensitive one; choose another --name (or erase it as APFS (Case-sensitive) ` +
        `in Disk Utility)`,
    };
  }
  return { kind: "ready", volume: v };
}

/** What `podman machine inspect` and the machine's config file told. */
export type MachineFacts =
  | { readonly exists: false }
  | {
    readonly exists: true;
    readonly info: MachineInfo;
    /** null when the mounts could not be read. */
    readonly mounts: readonly MachineMount[] | null;
  };

/** The machine's state relative to the volume. */
export type MachineState =
  | "absent"
  /** Running and sharing the volume: nothing to do. */
  | "ready"
  /** Shares the volume but is not running: starting it is enough. */
  | "stopped"
  /** Does not share the volume (or its mounts are unknown): must be re-created. */
  | "lacks-mount";

/** Judge a machine against the volume path. */
export function assessMachine(facts: MachineFacts, path: string): MachineState {
  if (!facts.exists) return "absent";
  if (facts.mounts === null || !mountsPath(facts.mounts, path)) return "lacks-mount";
  return facts.info.state === "running" ? "ready" : "stopped";
}
