import { assertEquals, assertStringIncludes, assertThrows } from "../../_assert.ts";
import { LlmError, UsageError } from "../../../lib/errors.ts";
import {
  checkPrefixHost,
  condaExecutable,
  defaultPrefix,
  installerCacheDir,
  macosVolume,
  resolvePrefix,
} from "../../../lib/conda/paths.ts";
import { fakeSystem } from "../../_fake_system.ts";

Deno.test("defaultPrefix() is /Volumes/devel/miniforge on macOS", () => {
  assertEquals(
    defaultPrefix({ os: "darwin", env: {}, home: "/Users/ada" }),
    "/Volumes/devel/miniforge",
  );
});

Deno.test("defaultPrefix() is ~/.local/share/llm/miniforge on Linux", () => {
  assertEquals(
    defaultPrefix({ os: "linux", env: {}, home: "/home/ada" }),
    "/home/ada/.local/share/llm/miniforge",
  );
});

Deno.test("defaultPrefix() follows an absolute XDG_DATA_HOME", () => {
  assertEquals(
    defaultPrefix({ os: "linux", env: { XDG_DATA_HOME: "/data/ada/" }, home: "/home/ada" }),
    "/data/ada/llm/miniforge",
  );
});

Deno.test("defaultPrefix() ignores a relative XDG_DATA_HOME, as the XDG spec says", () => {
  assertEquals(
    defaultPrefix({ os: "linux", env: { XDG_DATA_HOME: "data" }, home: "/home/ada" }),
    "/home/ada/.local/share/llm/miniforge",
  );
});

Deno.test("installerCacheDir() is $XDG_CACHE_HOME/llm, else ~/.cache/llm", () => {
  assertEquals(installerCacheDir({ env: {}, home: "/home/ada" }), "/home/ada/.cache/llm");
  assertEquals(
    installerCacheDir({ env: { XDG_CACHE_HOME: "/scratch/c" }, home: "/h" }),
    "/scratch/c/llm",
  );
  assertEquals(installerCacheDir({ env: { XDG_CACHE_HOME: "c" }, home: "/h" }), "/h/.cache/llm");
});

Deno.test("resolvePrefix() uses the default when --prefix is absent", () => {
  const sys = fakeSystem({ home: "/home/ada" });
  assertEquals(resolvePrefix(undefined, sys), {
    path: "/home/ada/.local/share/llm/miniforge",
    explicit: false,
  });
});

Deno.test("resolvePrefix() expands ~ and resolves a relative --prefix against the cwd", () => {
  const sys = fakeSystem({ home: "/home/ada", cwd: "/work/p" });
  assertEquals(resolvePrefix("~/conda/mf/", sys), { path: "/home/ada/conda/mf", explicit: true });
  assertEquals(resolvePrefix("envs/mf", sys).path, "/work/p/envs/mf");
});

Deno.test("resolvePrefix() rejects an empty --prefix", () => {
  assertThrows(() => resolvePrefix(" ", fakeSystem()), UsageError, "--prefix needs a directory");
});

Deno.test("resolvePrefix() rejects white space, which the installer refuses", () => {
  assertThrows(
    () => resolvePrefix("/data/my conda", fakeSystem()),
    UsageError,
    "prefix '/data/my conda' contains white space",
  );
});

Deno.test("resolvePrefix() rejects ':', which mounts cannot carry", () => {
  assertThrows(() => resolvePrefix("/data/a:b/mf", fakeSystem()), UsageError, "contains ':'");
});

Deno.test("resolvePrefix() rejects a prefix directly under /, whose parent would be /", () => {
  assertThrows(() => resolvePrefix("/miniforge", fakeSystem()), UsageError, "directly under /");
});

Deno.test("macosVolume() finds /Volumes/NAME at the start of a path only", () => {
  assertEquals(macosVolume("/Volumes/devel/miniforge"), "/Volumes/devel");
  assertEquals(macosVolume("/Volumes/devel"), "/Volumes/devel");
  assertEquals(macosVolume("/Users/ada/Volumes/devel"), null);
});

Deno.test("checkPrefixHost() stops on macOS when the prefix's volume is not mounted", () => {
  const mac = fakeSystem({ os: "darwin", home: "/Users/ada", files: ["/Volumes/Macintosh HD/"] });
  const e = assertThrows(() => checkPrefixHost("/Volumes/devel/miniforge", mac), LlmError);
  assertStringIncludes(e.message, "volume /Volumes/devel for the prefix /Volumes/devel/miniforge");
  assertStringIncludes(e.message, "'llm setup-macos-volume'");
});

Deno.test("checkPrefixHost() accepts a mounted volume on macOS", () => {
  const mac = fakeSystem({ os: "darwin", home: "/Users/ada", files: ["/Volumes/devel/"] });
  assertEquals(checkPrefixHost("/Volumes/devel/miniforge", mac), []);
});

Deno.test("checkPrefixHost() warns on macOS when the prefix is not on a separate volume", () => {
  const mac = fakeSystem({ os: "darwin", home: "/Users/ada" });
  const [w] = checkPrefixHost("/Users/ada/conda/miniforge", mac);
  assertStringIncludes(w, "case-insensitive");
});

Deno.test("checkPrefixHost() does not look for volumes on Linux", () => {
  assertEquals(checkPrefixHost("/Volumes/devel/miniforge", fakeSystem({ os: "linux" })), []);
});

Deno.test("checkPrefixHost() warns when the parent mounted is the home itself", () => {
  const [w] = checkPrefixHost("/home/user/miniforge", fakeSystem({ home: "/home/user" }));
  assertStringIncludes(w, "your home /home/user, which 'llm conda' will mount whole");
});

Deno.test("condaExecutable() is PREFIX/bin/conda", () => {
  assertEquals(condaExecutable("/d/mf"), "/d/mf/bin/conda");
});
