import { assertEquals, assertThrows } from "../../_assert.ts";
import { UsageError } from "../../../lib/errors.ts";
import {
  checkSessionName,
  defaultSessionName,
  looksLikeId,
  numberedName,
  sessionId,
} from "../../../lib/session/names.ts";

Deno.test("sessionId() is 12 hex digits from 6 random bytes", () => {
  assertEquals(sessionId(new Uint8Array([0, 1, 0xab, 0xcd, 0xef, 0x10, 0x99])), "0001abcdef10");
});

Deno.test("defaultSessionName() joins agent and directory, replacing what a name cannot hold", () => {
  assertEquals(defaultSessionName("codex", "/home/me/proj"), "codex-proj");
  assertEquals(defaultSessionName("claude", "/srv/My Project (v2)/"), "claude-My-Project-v2");
  assertEquals(defaultSessionName("pi", "/data/été"), "pi-t");
  assertEquals(defaultSessionName("shell", "/" + "x".repeat(100)).length, 56);
});

Deno.test("numberedName() numbers from the second", () => {
  assertEquals(numberedName("codex-p", 1), "codex-p");
  assertEquals(numberedName("codex-p", 2), "codex-p-2");
});

Deno.test("checkSessionName() refuses names a runtime or a file name cannot take", () => {
  assertEquals(checkSessionName("fix_login.2"), "fix_login.2");
  for (const bad of ["", "-x", ".hidden", "a/b", "a b", "x".repeat(64), "ünï"]) {
    assertThrows(
      () => checkSessionName(bad),
      UsageError,
      `--name '${bad}' is not a valid session name: use 1 to 63 letters, digits, '_', '.' or '-', ` +
        `starting with a letter or digit`,
    );
  }
});

Deno.test("looksLikeId() takes 4 to 12 lowercase hex digits", () => {
  assertEquals(looksLikeId("3f2a"), true);
  assertEquals(looksLikeId("3f2"), false);
  assertEquals(looksLikeId("codex-proj"), false);
});
