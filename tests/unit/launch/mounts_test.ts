import { assertEquals, assertThrows } from "../../_assert.ts";
import { LlmError, UsageError } from "../../../lib/errors.ts";
import {
  hostPath,
  isWithin,
  type Mount,
  parseMountSpec,
  reconcileMounts,
  resolveMountSpec,
} from "../../../lib/launch/mounts.ts";
import { fakeSystem } from "../../_fake_system.ts";

Deno.test("parseMountSpec() reads the three forms", () => {
  assertEquals(parseMountSpec("~/data"), { host: "~/data", container: undefined, readOnly: false });
  assertEquals(parseMountSpec("d:/data/"), { host: "d", container: "/data", readOnly: false });
  assertEquals(parseMountSpec("d:/x//y:ro"), { host: "d", container: "/x/y", readOnly: true });
  assertEquals(parseMountSpec("d:/x:rw").readOnly, false);
});

Deno.test("parseMountSpec() rejects empty, too many ':', relative and bad modes", () => {
  assertThrows(() => parseMountSpec(""), UsageError, "empty mount spec");
  assertThrows(() => parseMountSpec("  "), UsageError, "empty mount spec");
  assertThrows(() => parseMountSpec("a:/b:ro:x"), UsageError, "too many ':'");
  assertThrows(() => parseMountSpec("a:b"), UsageError, "must be absolute");
  assertThrows(() => parseMountSpec("a:"), UsageError, "empty container path");
  assertThrows(() => parseMountSpec(":/b"), UsageError, "empty host path");
  assertThrows(() => parseMountSpec("a:/b:rx"), UsageError, "must be ro or rw");
});

Deno.test("hostPath() expands ~ and resolves against the working directory", () => {
  assertEquals(hostPath("~", "/h", "/w"), "/h");
  assertEquals(hostPath("~/a", "/h", "/w"), "/h/a");
  assertEquals(hostPath("a/../b", "/h", "/w"), "/w/b");
  assertEquals(hostPath("/abs", "/h", "/w"), "/abs");
  assertEquals(hostPath("~user/x", "/h", "/w"), "/w/~user/x");
});

Deno.test("resolveMountSpec() mounts HOST alone at the same path and requires it to exist", () => {
  const facts = fakeSystem({ home: "/h", cwd: "/w", files: ["/h/data/", "/w/sub/"] });
  const ws = { path: "/w", real: "/w" };
  assertEquals(resolveMountSpec("~/data", facts, "o", ws), {
    kind: "bind",
    source: "/h/data",
    target: "/h/data",
    readOnly: false,
    origin: "o",
  });
  assertEquals(resolveMountSpec("sub/:/s:ro", facts, "o", ws).source, "/w/sub");
  assertThrows(
    () => resolveMountSpec("~/nope", facts, "--mount ~/nope", ws),
    LlmError,
    "/h/nope does not exist",
  );
});

Deno.test("isWithin() compares whole path components", () => {
  assertEquals(isWithin("/a/b", "/a"), true);
  assertEquals(isWithin("/a", "/a"), true);
  assertEquals(isWithin("/ab", "/a"), false);
  assertEquals(isWithin("/a", "/a/b"), false);
});

const bind = (source: string, target: string, origin = "--mount x", readOnly = false): Mount => ({
  kind: "bind",
  source,
  target,
  readOnly,
  origin,
});

Deno.test("reconcileMounts() collapses identical duplicates", () => {
  const r = reconcileMounts([bind("/a", "/a"), bind("/a", "/a", "other")]);
  assertEquals(r.mounts.length, 1);
  assertEquals(r.warnings, []);
});

Deno.test("reconcileMounts() rejects two sources, or two modes, on one container path", () => {
  assertThrows(
    () => reconcileMounts([bind("/a", "/x"), bind("/b", "/x")]),
    LlmError,
    "two mounts for container path /x",
  );
  assertThrows(
    () => reconcileMounts([bind("/a", "/x"), bind("/a", "/x", "o", true)]),
    LlmError,
    "two mounts",
  );
});

Deno.test("reconcileMounts() warns about nesting except for --ro and --mask", () => {
  const r = reconcileMounts([
    bind("/w", "/w", "workspace"),
    bind("/data", "/w/data", "--mount /data:/w/data"),
    bind("/w/ro", "/w/ro", "--ro ro", true),
    { kind: "mask", target: "/w/secret", entry: "dir", origin: "--mask secret" },
  ]);
  assertEquals(r.warnings.length, 1);
  assertEquals(
    r.warnings[0].startsWith("--mount /data:/w/data (/w/data) is inside workspace"),
    true,
  );
});
