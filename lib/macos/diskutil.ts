/**
 * What `diskutil info -plist` says about a volume, and the `diskutil`
 * command lines this workflow runs. Pure: text in, plain data out.
 */
import { isPlistDict, parsePlist, PlistError, plistString } from "./plist.ts";

/** The file-system personality `diskutil apfs addVolume` takes for a case-sensitive volume. */
export const CASE_SENSITIVE_APFS = "Case-sensitive APFS";

/** A mounted volume, as `diskutil info -plist` describes it. */
export interface VolumeInfo {
  /** e.g. `disk3s7`. */
  readonly deviceIdentifier: string;
  /** Where it is mounted, e.g. `/Volumes/devel`; empty when unmounted. */
  readonly mountPoint: string;
  /** `FilesystemType`, e.g. `apfs`, `hfs`, `msdos`. */
  readonly filesystemType: string;
  /** The personality for messages, e.g. `APFS (Case-sensitive)`. */
  readonly filesystemName: string;
  readonly apfs: boolean;
  readonly caseSensitive: boolean;
  /** The APFS container, e.g. `disk3`; absent for non-APFS volumes. */
  readonly container?: string;
}

/** `diskutil info -plist PATH`'s answer: a volume, or no volume at that path. */
export type VolumeLookup =
  | { readonly found: true; readonly volume: VolumeInfo }
  | { readonly found: false; readonly message: string };

/** `diskutil info -plist PATH`. */
export function diskutilInfoArgv(path: string): string[] {
  return ["diskutil", "info", "-plist", path];
}

/** `diskutil apfs addVolume CONTAINER "Case-sensitive APFS" NAME`. */
export function addVolumeArgv(container: string, name: string): string[] {
  return ["diskutil", "apfs", "addVolume", container, CASE_SENSITIVE_APFS, name];
}

/**
 * Read `diskutil info -plist` output. diskutil reports a missing disk as a
 * plist with `Error` true (and exits 1 on some macOS versions, 0 on others),
 * so the text decides, not the exit code. Throws `PlistError` on text that
 * is not a property list.
 *
 * @example
 * ```ts
 * import { parseVolumeInfo } from "./diskutil.ts";
 * const r = parseVolumeInfo(
 *   "<plist><dict><key>FilesystemType</key><string>apfs</string>" +
 *     "<key>FilesystemName</key><string>Case-sensitive APFS</string></dict></plist>",
 * );
 * r.found && r.volume.caseSensitive; // true
 * ```
 */
export function parseVolumeInfo(text: string): VolumeLookup {
  const root = parsePlist(text);
  if (!isPlistDict(root)) throw new PlistError("expected a <dict> at the top of diskutil's output");
  if (root.Error === true) {
    return {
      found: false,
      message: plistString(root, "ErrorMessage") ?? "diskutil reported an error",
    };
  }
  const type = (plistString(root, "FilesystemType") ?? "").toLowerCase();
  const personality = plistString(root, "FilesystemName") ?? "";
  const visible = plistString(root, "FilesystemUserVisibleName") ?? "";
  const caseSensitive = /case-sensitive/i.test(personality) || /case-sensitive/i.test(visible);
  return {
    found: true,
    volume: {
      deviceIdentifier: plistString(root, "DeviceIdentifier") ?? "",
      mountPoint: plistString(root, "MountPoint") ?? "",
      filesystemType: type,
      filesystemName: visible || personality || type || "unknown file system",
      apfs: type === "apfs",
      caseSensitive,
      container: plistString(root, "APFSContainerReference"),
    },
  };
}

/** True when diskutil's message means there is simply no disk at the path. */
export function isNotFound(message: string): boolean {
  return /could not find disk/i.test(message);
}
