import { assertEquals, assertThrows } from "../../_assert.ts";
import { LlmError, UsageError } from "../../../lib/errors.ts";
import {
  cacheFileName,
  checksumUrl,
  installerName,
  installerUrl,
  MINIFORGE_RELEASE,
  parseChecksum,
} from "../../../lib/conda/installer.ts";

const SUM = "a".repeat(40) + "0123456789ABCDEFabcdef00";

Deno.test("installerName() picks the x86_64 installer for linux/amd64", () => {
  assertEquals(installerName("linux/amd64"), "Miniforge3-Linux-x86_64.sh");
});

Deno.test("installerName() picks the aarch64 installer for linux/arm64", () => {
  assertEquals(installerName("linux/arm64"), "Miniforge3-Linux-aarch64.sh");
});

Deno.test("installerName() rejects another platform, naming the supported ones", () => {
  assertThrows(() => installerName("linux/s390x"), UsageError, "use linux/amd64 or linux/arm64");
});

Deno.test("installerUrl() defaults to conda-forge's latest Miniforge release", () => {
  assertEquals(
    installerUrl("linux/amd64"),
    "https://github.com/conda-forge/miniforge/releases/latest/download/Miniforge3-Linux-x86_64.sh",
  );
  assertEquals(installerUrl("linux/arm64"), `${MINIFORGE_RELEASE}/Miniforge3-Linux-aarch64.sh`);
});

Deno.test("installerUrl() uses --installer-url as given", () => {
  assertEquals(
    installerUrl("linux/amd64", "http://127.0.0.1:8080/m/inst.sh"),
    "http://127.0.0.1:8080/m/inst.sh",
  );
});

Deno.test("installerUrl() rejects an --installer-url that is not a URL", () => {
  assertThrows(() => installerUrl("linux/amd64", "not a url"), UsageError, "is not a URL");
});

Deno.test("installerUrl() rejects an --installer-url that is not http(s)", () => {
  assertThrows(
    () => installerUrl("linux/amd64", "file:///tmp/inst.sh"),
    UsageError,
    "uses file:; give an http(s) URL",
  );
});

Deno.test("checksumUrl() appends .sha256 to the path, keeping a query", () => {
  assertEquals(checksumUrl("https://h/x/inst.sh"), "https://h/x/inst.sh.sha256");
  assertEquals(checksumUrl("https://h/inst.sh?a=1"), "https://h/inst.sh.sha256?a=1");
});

Deno.test("cacheFileName() keeps the URL's file name", () => {
  assertEquals(
    cacheFileName("https://h/d/Miniforge3-25.1-Linux.sh", "fb.sh"),
    "Miniforge3-25.1-Linux.sh",
  );
});

Deno.test("cacheFileName() falls back when the URL has no plain file name", () => {
  assertEquals(cacheFileName("https://h/", "fb.sh"), "fb.sh");
  assertEquals(cacheFileName("https://h/..", "fb.sh"), "fb.sh");
  assertEquals(cacheFileName("https://h/a%2Fb", "fb.sh"), "fb.sh");
});

Deno.test("parseChecksum() reads a bare hash and lowercases it", () => {
  assertEquals(parseChecksum(`${SUM}\n`, "u"), SUM.toLowerCase());
});

Deno.test("parseChecksum() reads the sha256sum format, with or without '*'", () => {
  assertEquals(parseChecksum(`${SUM}  Miniforge3-Linux-x86_64.sh\n`, "u"), SUM.toLowerCase());
  assertEquals(parseChecksum(`${SUM} *Miniforge3-Linux-x86_64.sh`, "u"), SUM.toLowerCase());
});

Deno.test("parseChecksum() rejects text without a 64-digit hash, naming the URL", () => {
  assertThrows(
    () => parseChecksum("<html>Not Found</html>", "https://h/i.sh.sha256"),
    LlmError,
    "https://h/i.sh.sha256 holds no SHA-256 checksum",
  );
  assertThrows(() => parseChecksum("", "u"), LlmError, "got ''");
  assertThrows(() => parseChecksum(SUM.slice(1), "u"), LlmError, "64 hex digits");
});
