import { assert, assertEquals, assertStringIncludes } from "../../_assert.ts";
import { ago, psTable } from "../../../lib/session/table.ts";
import { host, llm, SESSIONS, stored } from "./_sessions.ts";

function twoRunningOneDone() {
  const sys = host({ processes: { 500: "77", 501: "78", 4242: "1000" } });
  stored(sys, { id: "aaaaaaaaaaaa", name: "codex-a", pid: 500 }, true);
  stored(sys, {
    id: "bbbbbbbbbbbb",
    name: "claude-b",
    agent: "claude",
    pid: 501,
    pidStart: "78",
    started: "2026-12-01T09:59:00.000Z",
  }, true);
  stored(sys, {
    id: "cccccccccccc",
    name: "old",
    pid: 502,
    state: "exited",
    exitCode: 0,
    ended: "2026-12-01T09:00:00.000Z",
    started: "2026-12-01T08:00:00.000Z",
  });
  return sys;
}

Deno.test("llm ps lists running sessions, newest first, with state, digest and workspace", async () => {
  const sys = twoRunningOneDone();
  assertEquals(await llm(sys, ["ps"]), 0);
  const lines = sys.out.join("").trimEnd().split("\n");
  assertEquals(lines.length, 3);
  assertEquals(lines[0].split(/\s+/), [
    "NAME",
    "AGENT",
    "STATE",
    "EXIT",
    "STARTED",
    "RUNTIME",
    "IMAGE",
    "DIGEST",
    "WORKSPACE",
  ]);
  assertEquals(lines[1].split(/\s+/), [
    "claude-b",
    "claude",
    "running",
    "-",
    "1",
    "minute",
    "ago",
    "podman",
    "ghcr.io/nichd-bspc/llm:codex-latest",
    "ab12cd34ef56",
    "/work/project",
  ]);
  assertStringIncludes(lines[2], "codex-a");
});

Deno.test("llm ps --all --json adds finished sessions, and a session whose llm died shows as killed", async () => {
  const sys = twoRunningOneDone();
  sys.processes.delete(500); // llm of codex-a was SIGKILLed: no end recorded
  assertEquals(await llm(sys, ["ps", "--all", "--json"]), 0);
  const list = JSON.parse(sys.out.join("")) as { name: string; state: string }[];
  assertEquals(list.map((s) => [s.name, s.state]), [
    ["claude-b", "running"],
    ["codex-a", "killed"],
    ["old", "exited"],
  ]);
  sys.out.length = 0;
  await llm(sys, ["ps"]);
  assertEquals(sys.out.join("").includes("codex-a"), false);
});

Deno.test("a session that ended with SIGKILL (exit 137) shows as killed", () => {
  const table = psTable([{
    manifest: {
      ...JSON.parse("{}"),
      name: "k",
      agent: "shell",
      exitCode: 137,
      started: "2026-12-01T10:00:00Z",
      runtime: { name: "docker" },
      image: { reference: "img", id: null },
      workspace: "/w",
    },
    state: "killed",
  }], Date.parse("2026-12-01T10:00:05Z"));
  assertEquals(table.split("\n")[1].split(/\s+/).slice(0, 6), [
    "k",
    "shell",
    "killed",
    "137",
    "5",
    "seconds",
  ]);
});

Deno.test("ago() uses the largest whole unit", () => {
  const t = "2026-12-01T10:00:00Z";
  const at = (s: number) => ago(t, Date.parse(t) + s * 1000);
  assertEquals([at(1), at(59), at(60), at(7200), at(86400 * 3)], [
    "1 second ago",
    "59 seconds ago",
    "1 minute ago",
    "2 hours ago",
    "3 days ago",
  ]);
});

Deno.test("llm show finds a session by name, id or id prefix", async () => {
  const sys = twoRunningOneDone();
  for (const ref of ["old", "cccccccccccc", "cccc"]) {
    sys.out.length = 0;
    assertEquals(await llm(sys, ["show", ref]), 0);
    assertEquals(JSON.parse(sys.out.join("")).id, "cccccccccccc");
  }
  assertEquals(await llm(sys, ["show", "nope"]), 1);
  assertStringIncludes(
    sys.err.join(""),
    "llm: error: no session named nope or with that id; see 'llm ps --all'",
  );
});

Deno.test("llm stop runs the runtime's stop with the grace period, and waits for the record", async () => {
  const sys = twoRunningOneDone();
  // The session's llm records the end once its container stopped.
  sys.output = (argv) => {
    sys.ran.push([...argv]);
    stored(sys, { id: "aaaaaaaaaaaa", name: "codex-a", state: "exited", exitCode: 143 });
    return Promise.resolve({ code: 0, stdout: "", stderr: "" });
  };
  assertEquals(await llm(sys, ["stop", "--time", "3", "codex-a"]), 0);
  assertEquals(sys.ran, [["podman", "stop", "--time", "3", "c1d2"]]);
  assertEquals(sys.out, ["codex-a\n"]);
});

Deno.test("llm stop of a finished session says so", async () => {
  const sys = twoRunningOneDone();
  assertEquals(await llm(sys, ["stop", "old"]), 1);
  assertStringIncludes(
    sys.err.join(""),
    "llm: error: session old is not running (exited, exit code 0)",
  );
  assertEquals(sys.ran, []);
});

Deno.test("llm stop of a singularity session: SIGTERM to its runtime, SIGKILL after the grace period", async () => {
  const sys = host({ processes: { 500: "77", 900: "5" } });
  stored(sys, {
    id: "dddddddddddd",
    name: "hpc",
    container: null,
    runtimePid: 900,
    runtime: { name: "apptainer", executable: "apptainer", version: null },
  }, true);
  // The runtime ignores SIGTERM: the fake's kill ends a process on SIGKILL only.
  assertEquals(await llm(sys, ["stop", "-t", "2", "hpc"]), 0);
  assertEquals(sys.signals, ["SIGTERM 900", "SIGKILL 900"]);
});

Deno.test("llm stop --time takes whole seconds", async () => {
  const sys = twoRunningOneDone();
  assertEquals(await llm(sys, ["stop", "--time", "soon", "codex-a"]), 2);
  assertStringIncludes(sys.err.join(""), "--time 'soon' is not a whole number of seconds");
});

Deno.test("llm attach runs the runtime's attach; singularity cannot", async () => {
  const sys = twoRunningOneDone();
  assertEquals(await llm(sys, ["attach", "codex-a"]), 0);
  assertEquals(sys.ran, [["podman", "attach", "codex-a"]]);
  stored(sys, {
    id: "dddddddddddd",
    name: "hpc",
    container: null,
    runtime: { name: "apptainer", executable: "apptainer", version: null },
  }, true);
  assertEquals(await llm(sys, ["attach", "hpc"]), 1);
  assertStringIncludes(sys.err.join(""), "apptainer cannot attach to a running session");
  assert(sys.files.has(`${SESSIONS}/running/hpc`));
});
