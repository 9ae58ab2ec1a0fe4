import { assertEquals } from "../../_assert.ts";
import { lineOf } from "../../../lib/config/lines.ts";

const TEXT = `# settings
backend: podman

mounts:
  - ~/a
  # a comment
  - ~/b:/b
env:
  A: 1
  "B": 2
agents:
  gemini:
    command: [gemini]
    credentials:
      - ~/.gemini
  other:
    tag: x
list:
  - command: x
    tag: y
  - command: z
    tag: w
`;

Deno.test("lineOf() finds top-level and nested keys", () => {
  assertEquals(lineOf(TEXT, ["backend"]), 2);
  assertEquals(lineOf(TEXT, ["env", "A"]), 9);
  assertEquals(lineOf(TEXT, ["env", "B"]), 10);
  assertEquals(lineOf(TEXT, ["agents", "other", "tag"]), 17);
});

Deno.test("lineOf() counts list items, skipping comments", () => {
  assertEquals(lineOf(TEXT, ["mounts", 0]), 5);
  assertEquals(lineOf(TEXT, ["mounts", 1]), 7);
  assertEquals(lineOf(TEXT, ["agents", "gemini", "credentials", 0]), 15);
});

Deno.test("lineOf() finds keys inside list items, including on the dash line", () => {
  assertEquals(lineOf(TEXT, ["list", 0, "command"]), 19);
  assertEquals(lineOf(TEXT, ["list", 1, "tag"]), 22);
});

Deno.test("lineOf() falls back to the deepest part found, then line 1", () => {
  assertEquals(lineOf(TEXT, ["agents", "gemini", "nope"]), 12);
  assertEquals(lineOf(TEXT, ["nope"]), 1);
  assertEquals(lineOf(TEXT, ["mounts", 5]), 4);
  assertEquals(lineOf("", ["a"]), 1);
});

Deno.test("lineOf() does not match a key of the same name in another block", () => {
  const text = "a:\n  tag: 1\nb:\n  tag: 2\n";
  assertEquals(lineOf(text, ["b", "tag"]), 4);
});
