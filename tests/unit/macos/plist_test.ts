import { parsePlist, PlistError } from "../../../lib/macos/plist.ts";
import { assertEquals, assertThrows } from "../../_assert.ts";
import { notFoundPlist, ROOT_PLIST } from "./_fixtures.ts";

Deno.test("parsePlist reads a recorded diskutil dict with nested arrays and dicts", () => {
  const root = parsePlist(ROOT_PLIST) as Record<string, unknown>;
  assertEquals(root.APFSContainerReference, "disk3");
  assertEquals(root.APFSPhysicalStores, [{ APFSPhysicalStore: "disk0s2" }]);
  assertEquals(root.TotalSize, 994662584320);
  assertEquals(root.Writable, false);
  assertEquals(root.Bootable, true);
  assertEquals(root.MediaName, "");
});

Deno.test("parsePlist reads diskutil's error plist", () => {
  assertEquals(parsePlist(notFoundPlist("/Volumes/x")), {
    Error: true,
    ErrorMessage: "Could not find disk: /Volumes/x",
    ExitCode: 1,
  });
});

Deno.test("parsePlist decodes entities in strings and keys", () => {
  assertEquals(
    parsePlist(
      "<plist><dict><key>a&amp;b</key><string>&lt;x&gt; &quot;y&quot; &#65;&#x42;</string></dict></plist>",
    ),
    { "a&b": '<x> "y" AB' },
  );
});

Deno.test("parsePlist reads empty elements and reals", () => {
  assertEquals(
    parsePlist(
      "<plist><array><string/><array/><dict/><real>1.5</real><integer>-3</integer></array></plist>",
    ),
    ["", [], {}, 1.5, -3],
  );
});

Deno.test("parsePlist keeps a __proto__ key as an ordinary entry", () => {
  const d = parsePlist("<plist><dict><key>__proto__</key><string>x</string></dict></plist>");
  assertEquals(Object.keys(d as object), ["__proto__"]);
});

Deno.test("parsePlist refuses text that is not a property list", () => {
  for (
    const bad of [
      "",
      "Could not find disk: /Volumes/devel",
      "<plist><dict><key>A</key></dict></plist>",
      "<plist><dict><string>A</string></dict></plist>",
      "<plist><integer>ten</integer></plist>",
      "<plist><string>a</string><string>b</string></plist>",
      "<plist><dict><key>A</key><string>x</string>",
      "<plist><string>&nbsp;</string></plist>",
      "<plist><string>a</plist>",
    ]
  ) {
    assertThrows(() => parsePlist(bad), PlistError, undefined);
  }
});
