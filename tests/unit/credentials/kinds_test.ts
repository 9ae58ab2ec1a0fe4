import { UsageError } from "../../../lib/errors.ts";
import { kindPaths, parseKind, pushPaths, refreshSteps } from "../../../lib/credentials/kinds.ts";
import { assertEquals, assertThrows } from "../../_assert.ts";

Deno.test("parseKind() defaults to all and accepts each kind", () => {
  assertEquals(parseKind(undefined), "all");
  for (const k of ["all", "codex", "claude", "pi"]) assertEquals(parseKind(k), k);
});

Deno.test("parseKind() rejects an unknown kind, listing the accepted ones", () => {
  assertThrows(() => parseKind("gemini"), UsageError, "all, codex, claude, pi (got 'gemini')");
});

Deno.test("kindPaths() gives each kind's auth set", () => {
  assertEquals(kindPaths("codex", false), [".codex/auth.json"]);
  assertEquals(kindPaths("claude", false), [".aws/config", ".aws/credentials.json"]);
  assertEquals(kindPaths("pi", false), [
    ".pi/agent/auth.json",
    ".aws/config",
    ".aws/credentials.json",
  ]);
});

Deno.test("kindPaths() gives each kind's full set", () => {
  assertEquals(kindPaths("codex", true), [
    ".codex/config.toml",
    ".codex/auth.json",
    ".codex/skills/",
    ".codex/memories/",
  ]);
  assertEquals(kindPaths("claude", true), [
    ".claude/settings.json",
    ".claude.json",
    ".claude/skills/",
    ".aws/config",
    ".aws/credentials.json",
  ]);
  assertEquals(kindPaths("pi", true), [
    ".pi/agent/skills/",
    ".pi/agent/settings.json",
    ".pi/agent/extensions/",
    ".pi/agent/auth.json",
    ".aws/config",
    ".aws/credentials.json",
  ]);
});

Deno.test("pushPaths() for all is the union of the kinds without repeats", () => {
  assertEquals(pushPaths("all", false), [
    ".codex/auth.json",
    ".aws/config",
    ".aws/credentials.json",
    ".pi/agent/auth.json",
  ]);
  assertEquals(new Set(pushPaths("all", true)).size, pushPaths("all", true).length);
  assertEquals(pushPaths("all", true).length, 13);
});

Deno.test("refreshSteps() runs Codex for codex and pi, AWS for claude and pi", () => {
  assertEquals(refreshSteps("codex"), { codexLogin: true, awsLogin: false, piFromCodex: true });
  assertEquals(refreshSteps("claude"), { codexLogin: false, awsLogin: true, piFromCodex: false });
  assertEquals(refreshSteps("pi"), { codexLogin: true, awsLogin: true, piFromCodex: true });
  assertEquals(refreshSteps("all"), { codexLogin: true, awsLogin: true, piFromCodex: true });
});
