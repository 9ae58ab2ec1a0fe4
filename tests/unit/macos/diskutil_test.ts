import {
  addVolumeArgv,
  diskutilInfoArgv,
  isNotFound,
  parseVolumeInfo,
} from "../../../lib/macos/diskutil.ts";
import { PlistError } from "../../../lib/macos/plist.ts";
import { assertEquals, assertThrows } from "../../_assert.ts";
import { fatPlist, notFoundPlist, ROOT_PLIST, volumePlist } from "./_fixtures.ts";

Deno.test("parseVolumeInfo finds the boot volume's APFS container", () => {
  const r = parseVolumeInfo(ROOT_PLIST);
  assertEquals(r.found && r.volume.container, "disk3");
  assertEquals(r.found && r.volume.mountPoint, "/");
  assertEquals(r.found && r.volume.caseSensitive, false);
});

Deno.test("parseVolumeInfo tells a case-sensitive APFS volume", () => {
  assertEquals(parseVolumeInfo(volumePlist("devel", true)), {
    found: true,
    volume: {
      deviceIdentifier: "disk3s7",
      mountPoint: "/Volumes/devel",
      filesystemType: "apfs",
      filesystemName: "APFS (Case-sensitive)",
      apfs: true,
      caseSensitive: true,
      container: "disk3",
    },
  });
});

Deno.test("parseVolumeInfo tells a case-insensitive APFS volume", () => {
  const r = parseVolumeInfo(volumePlist("devel", false));
  assertEquals(r.found && [r.volume.apfs, r.volume.caseSensitive], [true, false]);
});

Deno.test("parseVolumeInfo tells a volume that is not APFS", () => {
  const r = parseVolumeInfo(fatPlist("STICK"));
  assertEquals(r.found && [r.volume.apfs, r.volume.filesystemName], [false, "MS-DOS (FAT32)"]);
});

Deno.test("parseVolumeInfo turns diskutil's error plist into not-found", () => {
  const r = parseVolumeInfo(notFoundPlist("/Volumes/devel"));
  assertEquals(r, { found: false, message: "Could not find disk: /Volumes/devel" });
  assertEquals(isNotFound(r.found ? "" : r.message), true);
});

Deno.test("parseVolumeInfo refuses plain text", () => {
  assertThrows(() => parseVolumeInfo("Could not find disk: /Volumes/devel"), PlistError);
  assertThrows(() => parseVolumeInfo("<plist><array/></plist>"), PlistError);
});

Deno.test("diskutil argv: info -plist and apfs addVolume with the case-sensitive personality", () => {
  assertEquals(diskutilInfoArgv("/Volumes/my vol"), [
    "diskutil",
    "info",
    "-plist",
    "/Volumes/my vol",
  ]);
  assertEquals(addVolumeArgv("disk3", "devel"), [
    "diskutil",
    "apfs",
    "addVolume",
    "disk3",
    "Case-sensitive APFS",
    "devel",
  ]);
});
