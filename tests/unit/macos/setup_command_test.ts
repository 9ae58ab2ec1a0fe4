/**
 * `llm setup-macos-volume` end to end through `main`, on an in-memory Mac
 * (`_fake_mac.ts`) whose diskutil and podman answer with recorded output.
 * The assertions are on the exact commands run, in order.
 */
import { main } from "../../../lib/cli/main.ts";
import { fakeSystem } from "../../_fake_system.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../../_assert.ts";
import { fakeMac, type FakeMachine, ranLines } from "./_fake_mac.ts";
import { DESKTOP_VOLUMES } from "./_fixtures.ts";

const DEVEL_VOLUMES = [...DESKTOP_VOLUMES, "/Volumes/devel:/Volumes/devel"];
const INIT_VOLUME_ARGS =
  "--volume /Users:/Users --volume /private:/private --volume /var/folders:/var/folders " +
  "--volume /Volumes/devel:/Volumes/devel";

function desktopMachine(over: Partial<FakeMachine> = {}): FakeMachine {
  return {
    name: "podman-machine-default",
    state: "running",
    volumes: [...DESKTOP_VOLUMES],
    ...over,
  };
}

const READ_VOLUME = "diskutil info -plist /Volumes/devel";
const READ_ROOT = "diskutil info -plist /";
const INSPECT = "podman machine inspect";

Deno.test("setup-macos-volume on a fresh Mac creates the volume, then re-creates the machine with it", async () => {
  const mac = fakeMac({ volume: "absent", machine: desktopMachine() });
  const code = await main(["setup-macos-volume", "--yes"], mac);
  assertEquals(code, 0, mac.err.join(""));
  assertEquals(ranLines(mac), [
    READ_VOLUME,
    READ_ROOT,
    INSPECT,
    "diskutil apfs addVolume disk3 'Case-sensitive APFS' devel",
    READ_VOLUME,
    "podman machine stop",
    "podman machine rm --force",
    `podman machine init --cpus 6 --memory 4096 --disk-size 100 ${INIT_VOLUME_ARGS}`,
    "podman machine start",
  ]);
  assertEquals(mac.state.machine?.volumes, DEVEL_VOLUMES);
  assertEquals(mac.state.machine?.state, "running");
});

Deno.test("setup-macos-volume with the volume in place re-creates only the machine", async () => {
  const mac = fakeMac({ volume: "case-sensitive", machine: desktopMachine() });
  assertEquals(await main(["setup-macos-volume", "--yes"], mac), 0, mac.err.join(""));
  assertEquals(ranLines(mac), [
    READ_VOLUME,
    INSPECT,
    "podman machine stop",
    "podman machine rm --force",
    `podman machine init --cpus 6 --memory 4096 --disk-size 100 ${INIT_VOLUME_ARGS}`,
    "podman machine start",
  ]);
});

Deno.test("setup-macos-volume changes nothing when all is set up, and says so", async () => {
  const mac = fakeMac({
    volume: "case-sensitive",
    machine: desktopMachine({ volumes: DEVEL_VOLUMES }),
  });
  assertEquals(await main(["setup-macos-volume"], mac), 0);
  assertEquals(ranLines(mac), [READ_VOLUME, INSPECT]);
  assertStringIncludes(mac.err.join(""), "nothing to do");
});

Deno.test("setup-macos-volume refuses a case-insensitive volume and runs nothing else", async () => {
  const mac = fakeMac({ volume: "case-insensitive", machine: desktopMachine() });
  assertEquals(await main(["setup-macos-volume", "--yes"], mac), 1);
  assertEquals(ranLines(mac), [READ_VOLUME]);
  assertMatch(
    mac.err.join(""),
    /error: \/Volumes\/devel is case-insensitive APFS.*nothing was changed/,
  );
});

Deno.test("setup-macos-volume refuses a volume that is not APFS", async () => {
  const mac = fakeMac({ volume: "fat", machine: desktopMachine() });
  assertEquals(await main(["setup-macos-volume", "--yes"], mac), 1);
  assertEquals(ranLines(mac), [READ_VOLUME]);
  assertStringIncludes(mac.err.join(""), "/Volumes/devel is MS-DOS (FAT32), not APFS");
});

Deno.test("setup-macos-volume refuses a plain folder at /Volumes/NAME", async () => {
  const mac = fakeMac({ volume: "folder", machine: desktopMachine() });
  assertEquals(await main(["setup-macos-volume", "--yes"], mac), 1);
  assertEquals(ranLines(mac), [READ_VOLUME]);
  assertStringIncludes(mac.err.join(""), "/Volumes/devel is a folder, not a mounted volume");
});

Deno.test("setup-macos-volume with no machine yet creates one with default resources, unasked", async () => {
  const mac = fakeMac({ volume: "case-sensitive", machine: null });
  assertEquals(await main(["setup-macos-volume"], mac), 0, mac.err.join(""));
  assertEquals(ranLines(mac), [
    READ_VOLUME,
    INSPECT,
    `podman machine init ${INIT_VOLUME_ARGS}`,
    "podman machine start",
  ]);
  assertEquals(mac.prompts, []);
});

Deno.test("setup-macos-volume starts a stopped machine that already shares the volume", async () => {
  const mac = fakeMac({
    volume: "case-sensitive",
    machine: desktopMachine({ state: "stopped", volumes: DEVEL_VOLUMES }),
  });
  assertEquals(await main(["setup-macos-volume"], mac), 0, mac.err.join(""));
  assertEquals(ranLines(mac), [READ_VOLUME, INSPECT, "podman machine start"]);
});

Deno.test("setup-macos-volume skips stop for a machine that is not running", async () => {
  const mac = fakeMac({ volume: "case-sensitive", machine: desktopMachine({ state: "stopped" }) });
  assertEquals(await main(["setup-macos-volume", "--yes"], mac), 0, mac.err.join(""));
  assertEquals(ranLines(mac).slice(2, 4), ["podman machine rm --force", assertInit(mac)]);
});

function assertInit(mac: { ran: string[][] }): string {
  const init = mac.ran.find((a) => a[2] === "init");
  assert(init, "init ran");
  return init.join(" ");
}

Deno.test("setup-macos-volume keeps a rootful machine rootful, with its CPUs, memory and disk", async () => {
  const mac = fakeMac({
    volume: "case-sensitive",
    machine: desktopMachine({ rootful: true, cpus: 2, memory: 8192, diskSize: 250 }),
  });
  assertEquals(await main(["setup-macos-volume", "--yes"], mac), 0, mac.err.join(""));
  assertEquals(
    ranLines(mac)[4],
    `podman machine init --cpus 2 --memory 8192 --disk-size 250 --rootful ${INIT_VOLUME_ARGS}`,
  );
});

Deno.test("setup-macos-volume --machine and --name reach every command", async () => {
  const mac = fakeMac({
    volume: "absent",
    volumeName: "conda",
    machine: desktopMachine({ name: "work" }),
  });
  assertEquals(
    await main(["setup-macos-volume", "--name", "conda", "--machine", "work", "--yes"], mac),
    0,
    mac.err.join(""),
  );
  assertEquals(ranLines(mac), [
    "diskutil info -plist /Volumes/conda",
    READ_ROOT,
    "podman machine inspect work",
    "diskutil apfs addVolume disk3 'Case-sensitive APFS' conda",
    "diskutil info -plist /Volumes/conda",
    "podman machine stop work",
    "podman machine rm --force work",
    "podman machine init --cpus 6 --memory 4096 --disk-size 100 --volume /Users:/Users " +
    "--volume /private:/private --volume /var/folders:/var/folders " +
    "--volume /Volumes/conda:/Volumes/conda work",
    "podman machine start work",
  ]);
});

Deno.test("setup-macos-volume fails clearly when podman is missing, running nothing", async () => {
  const mac = fakeMac({ volume: "absent", machine: null, podman: false });
  assertEquals(await main(["setup-macos-volume", "--yes"], mac), 1);
  assertEquals(mac.ran, []);
  assertStringIncludes(mac.err.join(""), "podman was not found on PATH; install Podman Desktop");
});

Deno.test("setup-macos-volume asks on a terminal and a 'n' leaves everything as it was", async () => {
  const mac = fakeMac({
    volume: "absent",
    machine: desktopMachine(),
    terminal: true,
    answers: ["n"],
  });
  assertEquals(await main(["setup-macos-volume"], mac), 1);
  assertEquals(ranLines(mac), [READ_VOLUME, READ_ROOT, INSPECT]);
  assertEquals(mac.prompts, ["Re-create it now? [y/N] "]);
  assertStringIncludes(mac.err.join(""), "deletes the images and containers inside it");
  assertStringIncludes(mac.err.join(""), "nothing was changed");
  assertEquals(mac.state.volume, "absent");
});

Deno.test("setup-macos-volume treats end of input at the question as no", async () => {
  const mac = fakeMac({ volume: "case-sensitive", machine: desktopMachine(), terminal: true });
  assertEquals(await main(["setup-macos-volume"], mac), 1);
  assertEquals(ranLines(mac), [READ_VOLUME, INSPECT]);
});

Deno.test("setup-macos-volume goes ahead on a terminal when the answer is yes", async () => {
  const mac = fakeMac({
    volume: "case-sensitive",
    machine: desktopMachine(),
    terminal: true,
    answers: ["Yes"],
  });
  assertEquals(await main(["setup-macos-volume"], mac), 0, mac.err.join(""));
  assertEquals(ranLines(mac).length, 6);
  assertEquals(mac.state.machine?.volumes, DEVEL_VOLUMES);
});

Deno.test("setup-macos-volume without a terminal needs --yes to re-create the machine", async () => {
  const mac = fakeMac({ volume: "absent", machine: desktopMachine() });
  assertEquals(await main(["setup-macos-volume"], mac), 1);
  assertEquals(ranLines(mac), [READ_VOLUME, READ_ROOT, INSPECT]);
  assertMatch(mac.err.join(""), /no terminal to confirm on, so run again with --yes/);
});

Deno.test("setup-macos-volume stops at a diskutil failure and leaves the machine untouched", async () => {
  const mac = fakeMac({
    volume: "absent",
    machine: desktopMachine(),
    failures: {
      "diskutil apfs addVolume": "Error: -69625: A problem occurred while adding a volume\n",
    },
  });
  assertEquals(await main(["setup-macos-volume", "--yes"], mac), 1);
  assertEquals(ranLines(mac), [
    READ_VOLUME,
    READ_ROOT,
    INSPECT,
    "diskutil apfs addVolume disk3 'Case-sensitive APFS' devel",
  ]);
  const err = mac.err.join("");
  assertStringIncludes(
    err,
    "failed (exit 1): Error: -69625: A problem occurred while adding a volume",
  );
  assertStringIncludes(err, "podman machine podman-machine-default was not touched");
  assertEquals(mac.state.machine?.volumes, DESKTOP_VOLUMES);
});

Deno.test("setup-macos-volume stops when the new volume is not mounted where expected", async () => {
  const mac = fakeMac({
    volume: "absent",
    machine: desktopMachine(),
    addVolumeMountsNothing: true,
  });
  assertEquals(await main(["setup-macos-volume", "--yes"], mac), 1);
  assertEquals(ranLines(mac).at(-1), READ_VOLUME);
  assertStringIncludes(
    mac.err.join(""),
    "nothing is mounted there; podman machine podman-machine-default was not touched",
  );
});

Deno.test("setup-macos-volume says to run again when podman fails after the machine was removed", async () => {
  const mac = fakeMac({
    volume: "case-sensitive",
    machine: desktopMachine(),
    failures: { "podman machine init": "Error: could not pull machine image\n" },
  });
  assertEquals(await main(["setup-macos-volume", "--yes"], mac), 1);
  assertEquals(ranLines(mac).at(-1)?.startsWith("podman machine init"), true);
  assertStringIncludes(mac.err.join(""), "may be half set up: run 'llm setup-macos-volume' again");
});

Deno.test("setup-macos-volume --dry-run prints the commands in order and runs only the reads", async () => {
  const mac = fakeMac({ volume: "absent", machine: desktopMachine() });
  assertEquals(await main(["setup-macos-volume", "--dry-run"], mac), 0);
  assertEquals(ranLines(mac), [READ_VOLUME, READ_ROOT, INSPECT]);
  assertEquals(
    mac.out.join(""),
    [
      "diskutil apfs addVolume disk3 'Case-sensitive APFS' devel",
      "podman machine stop",
      "podman machine rm --force",
      `podman machine init --cpus 6 --memory 4096 --disk-size 100 ${INIT_VOLUME_ARGS}`,
      "podman machine start",
      "",
    ].join("\n"),
  );
  assertEquals(mac.prompts, []);
});

Deno.test("llm --dry-run before the command name works the same", async () => {
  const mac = fakeMac({
    volume: "case-sensitive",
    machine: desktopMachine({ state: "stopped", volumes: DEVEL_VOLUMES }),
  });
  assertEquals(await main(["--dry-run", "setup-macos-volume"], mac), 0);
  assertEquals(mac.out.join(""), "podman machine start\n");
  assertEquals(ranLines(mac), [READ_VOLUME, INSPECT]);
});

Deno.test("setup-macos-volume off macOS is an error that changes nothing", async () => {
  const sys = fakeSystem({ os: "linux", executables: ["podman", "diskutil"] });
  assertEquals(await main(["setup-macos-volume", "--yes"], sys), 1);
  assertEquals(sys.ran, []);
  assertStringIncludes(sys.err.join(""), "setup-macos-volume is for macOS (this is linux)");
});

Deno.test("setup-macos-volume --dry-run off macOS still shows the sequence for a typical Mac", async () => {
  const sys = fakeSystem({ os: "linux" });
  assertEquals(await main(["setup-macos-volume", "--dry-run"], sys), 0);
  assertEquals(sys.ran, []);
  assertEquals(sys.out.join("").split("\n"), [
    "diskutil apfs addVolume CONTAINER 'Case-sensitive APFS' devel",
    "podman machine stop",
    "podman machine rm --force",
    `podman machine init ${INIT_VOLUME_ARGS}`,
    "podman machine start",
    "",
  ]);
  assertStringIncludes(sys.err.join(""), "not macOS, so nothing was inspected");
});

Deno.test("setup-macos-volume reports a failing podman machine inspect", async () => {
  const mac = fakeMac({ volume: "case-sensitive", machine: desktopMachine() });
  const inner = mac.output;
  mac.output = (argv, options) =>
    argv[2] === "inspect"
      ? (mac.ran.push([...argv]),
        Promise.resolve({ code: 125, stdout: "", stderr: "Error: cannot connect to vfkit\n" }))
      : inner(argv, options);
  assertEquals(await main(["setup-macos-volume", "--yes"], mac), 1);
  assertEquals(ranLines(mac), [READ_VOLUME, INSPECT]);
  assertStringIncludes(
    mac.err.join(""),
    "'podman machine inspect' failed (exit 125): Error: cannot connect to vfkit",
  );
});

Deno.test("setup-macos-volume re-creates a machine whose mounts cannot be read", async () => {
  const mac = fakeMac({
    volume: "case-sensitive",
    machine: desktopMachine({ volumes: DEVEL_VOLUMES }),
  });
  mac.readText = () => null;
  assertEquals(await main(["setup-macos-volume", "--dry-run", "--verbose"], mac), 0);
  assertStringIncludes(
    mac.err.join(""),
    "the mounts of podman machine podman-machine-default could not be read",
  );
  assertStringIncludes(mac.out.join(""), "podman machine rm --force");
});

Deno.test("setup-macos-volume rejects positional arguments and bad names", async () => {
  for (
    const [argv, message] of [
      [["setup-macos-volume", "devel"], "takes no arguments (got 'devel')"],
      [["setup-macos-volume", "--name", "a/b"], "--name 'a/b' is not a usable volume name"],
      [["setup-macos-volume", "--name", "a:b"], "--name 'a:b' is not a usable volume name"],
      [["setup-macos-volume", "--machine", "-x"], "--machine '-x' is not a podman machine name"],
    ] as const
  ) {
    const mac = fakeMac({ volume: "absent", machine: null });
    assertEquals(await main([...argv], mac), 2, argv.join(" "));
    assertStringIncludes(mac.err.join(""), message);
    assertEquals(mac.ran, []);
  }
});
