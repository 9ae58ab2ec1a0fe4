/**
 * lib/std/path.ts against std's own POSIX path functions (the npm
 * republication, used here as the reference): the same result for every
 * path in the table, which covers roots, dots, repeated and trailing
 * slashes, relative starts and climbing above them.
 */
import * as std from "@std/path/posix";
import { assertEquals } from "../../_assert.ts";
import * as path from "../../../lib/std/path.ts";

const PATHS = [
  "",
  "/",
  "//",
  ".",
  "..",
  "./",
  "../",
  "a",
  "a/",
  "a//b",
  "/a",
  "/a/",
  "/a//b///",
  "/a/./b",
  "/a/../b",
  "/a/b/../..",
  "/a/b/../../..",
  "/../a",
  "a/../..",
  "../a/b",
  "./a/./b/.",
  "a/b/c/../../d",
  ".hidden",
  "/x/file.tar.gz",
  "dir/.llm.yaml",
  "/home/user/My Data/x",
];

Deno.test("normalize(), dirname(), basename() and isAbsolute() agree with std's", () => {
  for (const p of PATHS) {
    assertEquals(path.normalize(p), std.normalize(p), `normalize(${JSON.stringify(p)})`);
    assertEquals(path.dirname(p), std.dirname(p), `dirname(${JSON.stringify(p)})`);
    assertEquals(path.basename(p), std.basename(p), `basename(${JSON.stringify(p)})`);
    assertEquals(path.isAbsolute(p), std.isAbsolute(p), `isAbsolute(${JSON.stringify(p)})`);
    for (const suffix of [".gz", ".tar.gz", ".yaml", "x", "file.tar.gz"]) {
      assertEquals(path.basename(p, suffix), std.basename(p, suffix), `basename(${p}, ${suffix})`);
    }
  }
});

Deno.test("join(), resolve() and relative() agree with std's on every pair", () => {
  for (const a of PATHS) {
    for (const b of PATHS) {
      assertEquals(
        path.join(a, b),
        std.join(a, b),
        `join(${JSON.stringify(a)}, ${JSON.stringify(b)})`,
      );
      assertEquals(path.resolve(a, b), std.resolve(a, b), `resolve(${a}, ${b})`);
      assertEquals(path.relative(a, b), std.relative(a, b), `relative(${a}, ${b})`);
    }
  }
  assertEquals(path.join(), std.join());
  assertEquals(path.resolve(), std.resolve());
  assertEquals(path.join("/a", "b", "", "c/", "../d"), std.join("/a", "b", "", "c/", "../d"));
  assertEquals(path.resolve("/a", "b", "/c", "d"), std.resolve("/a", "b", "/c", "d"));
});
