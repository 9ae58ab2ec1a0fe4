import { assertEquals, assertThrows } from "../../_assert.ts";
import { LlmError } from "../../../lib/errors.ts";
import { pruneSessions, retentionDays } from "../../../lib/session/prune.ts";
import { host, SESSIONS, stored } from "./_sessions.ts";

const DAY = 86_400_000;

Deno.test("manifests of sessions ended before the retention period are pruned, once a day", () => {
  const sys = host({ env: { LLM_SESSION_RETENTION_DAYS: "30" } });
  const now = sys.now();
  const ended = (days: number) => new Date(now - days * DAY).toISOString();
  stored(sys, { id: "aaaaaaaaaaaa", name: "old", state: "exited", exitCode: 0, ended: ended(31) });
  stored(sys, {
    id: "bbbbbbbbbbbb",
    name: "recent",
    state: "exited",
    exitCode: 0,
    ended: ended(29),
  });
  stored(sys, { id: "cccccccccccc", name: "running" });
  assertEquals(pruneSessions(sys, SESSIONS), ["aaaaaaaaaaaa"]);
  assertEquals(sys.files.has(`${SESSIONS}/aaaaaaaaaaaa.json`), false);
  assertEquals(sys.files.has(`${SESSIONS}/bbbbbbbbbbbb.json`), true);
  assertEquals(sys.files.has(`${SESSIONS}/cccccccccccc.json`), true);
  // Not again within a day.
  sys.advance(DAY / 2);
  assertEquals(pruneSessions(sys, SESSIONS), []);
  sys.advance(2 * DAY);
  assertEquals(pruneSessions(sys, SESSIONS), ["bbbbbbbbbbbb"]);
});

Deno.test("LLM_SESSION_RETENTION_DAYS: default 90, 0 keeps everything, else whole days", () => {
  assertEquals(retentionDays({}), 90);
  assertEquals(retentionDays({ LLM_SESSION_RETENTION_DAYS: "0" }), 0);
  assertThrows(
    () => retentionDays({ LLM_SESSION_RETENTION_DAYS: "2w" }),
    LlmError,
    "LLM_SESSION_RETENTION_DAYS='2w' is not a whole number of days (0 keeps every manifest)",
  );
});
