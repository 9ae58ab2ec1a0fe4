import { assertEquals, assertThrows } from "../../_assert.ts";
import { UsageError } from "../../../lib/errors.ts";
import { containerPlatform, imageRef, splitImageRef } from "../../../lib/launch/image.ts";

const D = { defaultName: "ghcr.io/nichd-bspc/llm", defaultTag: "codex-latest" };

Deno.test("imageRef() gives the default image its per-agent tag", () => {
  assertEquals(imageRef(D), "ghcr.io/nichd-bspc/llm:codex-latest");
  assertEquals(imageRef({ ...D, tag: "sha-abc" }), "ghcr.io/nichd-bspc/llm:sha-abc");
});

Deno.test("imageRef() uses a custom image as given unless --tag is given", () => {
  assertEquals(imageRef({ ...D, name: "me/img" }), "me/img");
  assertEquals(imageRef({ ...D, name: "me/img:v1" }), "me/img:v1");
  assertEquals(imageRef({ ...D, name: "me/img:v1", tag: "v2" }), "me/img:v2");
  assertEquals(imageRef({ ...D, name: "localhost:5000/x", tag: "t" }), "localhost:5000/x:t");
  assertEquals(imageRef({ ...D, name: "localhost:5000/x" }), "localhost:5000/x");
  assertEquals(imageRef({ ...D, name: "x@sha256:ab", tag: "t" }), "x:t");
});

Deno.test("imageRef() rejects empty names and tags", () => {
  assertThrows(() => imageRef({ ...D, tag: "" }), UsageError, "--tag");
  assertThrows(() => imageRef({ ...D, name: " " }), UsageError, "--image-name");
});

Deno.test("splitImageRef() treats only a ':' in the last segment as a tag", () => {
  assertEquals(splitImageRef("localhost:5000/x"), { name: "localhost:5000/x" });
  assertEquals(splitImageRef("localhost:5000/x:t"), { name: "localhost:5000/x", tag: "t" });
  assertEquals(splitImageRef("x"), { name: "x" });
});

Deno.test("containerPlatform() follows the host unless --arch is given", () => {
  assertEquals(containerPlatform(undefined, "x86_64"), "linux/amd64");
  assertEquals(containerPlatform(undefined, "aarch64"), "linux/arm64");
  assertEquals(containerPlatform("linux/arm64", "x86_64"), "linux/arm64");
  assertThrows(() => containerPlatform("linux/386", "x86_64"), UsageError, "linux/386");
});
