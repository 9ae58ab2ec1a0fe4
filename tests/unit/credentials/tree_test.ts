/**
 * The credential-tree messages and path roots (lib/credentials/tree.ts):
 * every refusal with its exact text.
 */
import { shownPath, treeError, treePath, utf8Text } from "../../../lib/credentials/tree.ts";
import { LlmError } from "../../../lib/errors.ts";
import { assertEquals, assertThrows } from "../../_assert.ts";

const H = "/home/me";

Deno.test("treePath() roots a file at its mounted credential directory, others at their own", () => {
  assertEquals(treePath(H, `${H}/.pi/agent/auth.json`), {
    root: `${H}/.pi`,
    rel: "agent/auth.json",
  });
  assertEquals(treePath(H, `${H}/.aws/config`), { root: `${H}/.aws`, rel: "config" });
  assertEquals(treePath(H, `${H}/.aws`), { root: `${H}/.aws`, rel: "" });
  assertEquals(treePath(H, `${H}/.claude.json`), { root: H, rel: ".claude.json" });
  assertEquals(treePath(H, "/srv/pi/auth.json"), { root: "/srv/pi", rel: "auth.json" });
  assertEquals(treePath(H, `${H}/.awsx/config`), { root: `${H}/.awsx`, rel: "config" });
});

Deno.test("treeError() names a symlink and where it leads, with a pasteable rm", () => {
  assertEquals(
    treeError({ kind: "symlink", path: `${H}/.aws/config`, target: "../.bashrc" }, H).message,
    "~/.aws/config is a symlink to /home/me/.bashrc; llm refresh never follows links in " +
      "credential directories (an agent can plant them): check the link, then remove it: " +
      "rm /home/me/.aws/config",
  );
  assertEquals(
    treeError({ kind: "symlink", path: "/home/a b/.aws/config", target: "/x" }, "/home/a b")
      .message.endsWith("remove it: rm '/home/a b/.aws/config'"),
    true,
  );
});

Deno.test("treeError() escapes control characters an agent put in a link and offers no command", () => {
  assertEquals(
    treeError({ kind: "symlink", path: `${H}/.aws/sso/cache/a\x1b[2J`, target: "/x\ny" }, H)
      .message,
    "~/.aws/sso/cache/a\\x1b[2J is a symlink to /x\\x0ay; llm refresh never follows links in " +
      "credential directories (an agent can plant them): check the link, then remove it",
  );
});

Deno.test("treeError() words the other refusals", () => {
  const m = (kind: "not-dir" | "not-file" | "too-large" | "changed") =>
    treeError({ kind, path: `${H}/.pi/agent` }, H).message;
  assertEquals(
    m("not-dir"),
    "~/.pi/agent is not a directory; llm refresh keeps credential files in it: move it away and run again",
  );
  assertEquals(
    m("not-file"),
    "~/.pi/agent is not a regular file; llm refresh reads and replaces only regular files there: " +
      "move it away and run again",
  );
  assertEquals(
    m("too-large"),
    "~/.pi/agent is larger than 1 MiB, too large for a credential file: check what wrote it, " +
      "move it away and run again",
  );
  assertEquals(
    m("changed"),
    "~/.pi/agent was replaced while llm refresh was using it (is an agent writing there?); " +
      "run again when nothing else changes it",
  );
});

Deno.test("utf8Text() keeps a byte-order mark and refuses invalid UTF-8 at the bad character", () => {
  assertEquals(utf8Text(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]), `${H}/c`, H, "fix"), "\uFEFFa");
  const bad = (bytes: number[]) =>
    assertThrows(() => utf8Text(new Uint8Array(bytes), `${H}/.aws/config`, H, "fix it"), LlmError)
      .message;
  assertEquals(
    bad([0x61, 0xe9, 0x0a]),
    "~/.aws/config is not UTF-8 text (byte 0xe9 at offset 1); fix it",
  );
  assertEquals(
    bad([0x61, 0xff]),
    "~/.aws/config is not UTF-8 text (byte 0xff at offset 1); fix it",
  );
  assertEquals(
    bad([0xc3, 0xa9, 0xe2, 0x82]),
    "~/.aws/config is not UTF-8 text (byte 0xe2 at offset 2); fix it",
  );
});

Deno.test("shownPath() writes the home as ~", () => {
  assertEquals(shownPath(H, H), "~");
  assertEquals(shownPath(`${H}/.aws`, `${H}/`), "~/.aws");
  assertEquals(shownPath("/home/meme/x", H), "/home/meme/x");
});
