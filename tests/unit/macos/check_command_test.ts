/**
 * `llm setup-macos-volume --check` in each state of the in-memory Mac:
 * it never changes anything, exits 0 only when all is in place, and names
 * what is missing with the command that fixes it.
 */
import { main } from "../../../lib/cli/main.ts";
import { assertEquals } from "../../_assert.ts";
import { fakeMac, type FakeMachine, type MacState, ranLines } from "./_fake_mac.ts";
import { DESKTOP_VOLUMES } from "./_fixtures.ts";

const DEVEL_VOLUMES = [...DESKTOP_VOLUMES, "/Volumes/devel:/Volumes/devel"];

function machine(over: Partial<FakeMachine> = {}): FakeMachine {
  return { name: "podman-machine-default", state: "running", volumes: DEVEL_VOLUMES, ...over };
}

async function check(state: MacState, extra: string[] = []) {
  const mac = fakeMac(state);
  const code = await main(["setup-macos-volume", "--check", ...extra], mac);
  // --check never runs a command that changes anything.
  assertEquals(mac.ran.filter((a) => a[1] !== "info" && a[2] !== "inspect"), []);
  return {
    code,
    out: mac.out.join("").trimEnd().split("\n"),
    ran: ranLines(mac),
    err: mac.err.join(""),
  };
}

Deno.test("--check passes when the volume is case-sensitive and the running machine shares it", async () => {
  const r = await check({ volume: "case-sensitive", machine: machine() });
  assertEquals(r.code, 0);
  assertEquals(r.out, [
    "ok: /Volumes/devel is APFS (Case-sensitive) on disk3s7",
    "ok: podman machine podman-machine-default is running and shares /Volumes/devel",
  ]);
  assertEquals(r.ran, ["diskutil info -plist /Volumes/devel", "podman machine inspect"]);
});

Deno.test("--check on a fresh Mac names the missing volume and mount and the fix", async () => {
  const r = await check({ volume: "absent", machine: machine({ volumes: [...DESKTOP_VOLUMES] }) });
  assertEquals(r.code, 1);
  assertEquals(r.out, [
    "missing: no volume at /Volumes/devel",
    "missing: podman machine podman-machine-default does not share /Volumes/devel",
    "fix: llm setup-macos-volume",
  ]);
});

Deno.test("--check after a Podman Desktop restart names the machine without the mount", async () => {
  const r = await check({
    volume: "case-sensitive",
    machine: machine({ volumes: [...DESKTOP_VOLUMES] }),
  });
  assertEquals(r.code, 1);
  assertEquals(r.out.slice(1), [
    "missing: podman machine podman-machine-default does not share /Volumes/devel",
    "fix: llm setup-macos-volume",
  ]);
});

Deno.test("--check names a stopped machine", async () => {
  const r = await check({ volume: "case-sensitive", machine: machine({ state: "stopped" }) });
  assertEquals(r.code, 1);
  assertEquals(
    r.out[1],
    "missing: podman machine podman-machine-default shares /Volumes/devel but is not running (state: stopped)",
  );
});

Deno.test("--check names a missing machine", async () => {
  const r = await check({ volume: "case-sensitive", machine: null });
  assertEquals(r.code, 1);
  assertEquals(r.out.slice(1), [
    "missing: podman machine podman-machine-default does not exist",
    "fix: llm setup-macos-volume",
  ]);
});

Deno.test("--check reports a case-insensitive volume as a problem with no setup fix", async () => {
  const r = await check({ volume: "case-insensitive", machine: machine() });
  assertEquals(r.code, 1);
  assertEquals(r.out[0].startsWith("problem: /Volumes/devel is case-insensitive APFS"), true);
  assertEquals(r.out.some((l) => l.startsWith("fix:")), false);
});

Deno.test("--check without podman says to install Podman Desktop", async () => {
  const r = await check({ volume: "case-sensitive", machine: null, podman: false });
  assertEquals(r.code, 1);
  assertEquals(r.out, [
    "ok: /Volumes/devel is APFS (Case-sensitive) on disk3s7",
    "missing: podman is not on PATH; install Podman Desktop (podman-desktop.io)",
    "fix: install Podman Desktop, then run llm setup-macos-volume",
  ]);
  assertEquals(r.ran, ["diskutil info -plist /Volumes/devel"]);
});

Deno.test("--check with --name and --machine checks those and puts them in the fix", async () => {
  const r = await check(
    { volume: "absent", volumeName: "conda", machine: machine({ name: "work" }) },
    ["--name", "conda", "--machine", "work"],
  );
  assertEquals(r.code, 1);
  assertEquals(r.ran, ["diskutil info -plist /Volumes/conda", "podman machine inspect work"]);
  assertEquals(r.out.at(-1), "fix: llm setup-macos-volume --name conda --machine work");
});
