/**
 * `llm setup-macos-volume` run for real (a separate process, the real
 * System) against recorded fake `diskutil` and `podman` executables on
 * PATH: macOS's diskutil and podman machine cannot run here. The fakes log
 * every argv and answer with the output recorded in
 * tests/unit/macos/_fixtures.ts, keeping the volume and machine state in
 * files so that later calls see earlier changes.
 */
import { join } from "../../lib/std/path.ts";
import { assertEquals, assertStringIncludes } from "../_assert.ts";
import {
  addVolumeOutput,
  DESKTOP_VOLUMES,
  inspectJson,
  machineConfigJson,
  notFoundPlist,
  ROOT_PLIST,
  volumePlist,
} from "../unit/macos/_fixtures.ts";
import { finish, type Ran, REPO } from "./_harness.ts";

const DRIVER = join(REPO, "tests/e2e/_macos_driver.ts");
const DENO_DIR = Deno.env.get("DENO_DIR") ?? join(Deno.env.get("HOME") ?? "/root", ".cache/deno");
const MACHINE = "podman-machine-default";

/** Log one line per call: the program name and its arguments, tab-separated. */
const LOG_ARGV =
  `{ printf '%s' "\${0##*/}"; for a in "$@"; do printf '\\t%s' "$a"; done; printf '\\n'; } >> "$FAKE_MAC/log"`;

/** Fake diskutil: `info -plist` from recorded plists, `apfs addVolume` mounts `volume/cs`. */
const FAKE_DISKUTIL = `#!/bin/sh
PATH=/usr/bin:/bin
S="$FAKE_MAC"
${LOG_ARGV}
case "$1 $2" in
  "info -plist")
    if [ "$3" = / ]; then cat "$S/plist/root.plist"; exit 0; fi
    if [ "$3" = /Volumes/devel ] && [ -f "$S/volume" ]; then cat "$S/plist/$(cat "$S/volume").plist"; exit 0; fi
    sed "s|@PATH@|$3|" "$S/plist/notfound.plist"
    exit 1 ;;
  "apfs addVolume")
    if [ -f "$S/fail-addvolume" ]; then cat "$S/fail-addvolume" >&2; exit 1; fi
    echo cs > "$S/volume"
    cat "$S/addvolume.out"
    exit 0 ;;
esac
echo "diskutil: did not recognize verb \\"$1\\"; type \\"diskutil\\" for a list" >&2
exit 1
`;

/** Fake podman machine: state in machines/NAME.state, config in config/NAME.json. */
const FAKE_PODMAN = `#!/bin/sh
PATH=/usr/bin:/bin
S="$FAKE_MAC"
${LOG_ARGV}
if [ "$1" != machine ]; then echo "Error: the fake podman only knows 'podman machine'" >&2; exit 125; fi
verb="$2"; shift 2
name=${MACHINE}; vols=""
while [ $# -gt 0 ]; do
  case "$1" in
    --volume) vols="$vols $2"; shift 2 ;;
    --cpus|--memory|--disk-size) shift 2 ;;
    -*) shift ;;
    *) name="$1"; shift ;;
  esac
done
M="$S/machines/$name.state"
missing() { echo "Error: $name: VM does not exist" >&2; exit 125; }
case "$verb" in
  inspect)
    if [ ! -f "$M" ]; then echo "[]"; missing; fi
    sed -e "s|@STATE@|$(cat "$M")|" -e "s|@NAME@|$name|g" "$S/inspect.json" ;;
  stop)
    [ -f "$M" ] || missing
    echo stopped > "$M"
    echo "Machine \\"$name\\" stopped successfully" ;;
  rm)
    [ -f "$M" ] || missing
    rm -f "$M" "$S/config/$name.json" ;;
  init)
    if [ -f "$S/fail-init" ]; then cat "$S/fail-init" >&2; exit 125; fi
    echo stopped > "$M"
    { printf '{"Name":"%s","Mounts":[' "$name"; sep=""
      for v in $vols; do
        printf '%s{"ReadOnly":false,"Source":"%s","Target":"%s","Type":"virtiofs","OriginalInput":"%s"}' "$sep" "\${v%%:*}" "\${v#*:}" "$v"
        sep=","
      done
      printf ']}\\n'; } > "$S/config/$name.json"
    echo "Looking up Podman Machine image at quay.io/podman/machine-os:5.2 to create VM"
    echo "Extracting compressed file: $name-arm64.raw: done"
    echo "Machine init complete" ;;
  start)
    [ -f "$M" ] || missing
    echo "Starting machine \\"$name\\""
    echo running > "$M"
    echo "Machine \\"$name\\" started successfully" ;;
  *) echo "Error: unknown verb $verb" >&2; exit 125 ;;
esac
`;

/** The fake Mac's starting state. */
interface Scenario {
  /** What is mounted at /Volumes/devel. */
  volume: "absent" | "cs" | "ci";
  /** The default machine's state and mounts, or null for no machine. */
  machine: { state: string; volumes: readonly string[] } | null;
  podman?: boolean;
  failAddVolume?: string;
  failInit?: string;
}

interface FakeMacDir {
  readonly dir: string;
  readonly bin: string;
  /** The calls logged so far, one tab-separated line each, as `prog arg arg`. */
  calls(): string[];
  /** The mounts in the machine's config file, or null without a machine. */
  machineVolumes(): string[] | null;
  cleanup(): Promise<void>;
}

async function fakeMacDir(s: Scenario): Promise<FakeMacDir> {
  const dir = await Deno.makeTempDir({ prefix: "llm-e2e-mac-" });
  const bin = join(dir, "bin");
  for (const d of [bin, "plist", "machines", "config"]) {
    await Deno.mkdir(join(dir, d === bin ? "bin" : d));
  }
  const write = (path: string, text: string) => Deno.writeTextFile(join(dir, path), text);
  await write("bin/diskutil", FAKE_DISKUTIL);
  await Deno.chmod(join(bin, "diskutil"), 0o755);
  if (s.podman !== false) {
    await write("bin/podman", FAKE_PODMAN);
    await Deno.chmod(join(bin, "podman"), 0o755);
  }
  await write("plist/root.plist", ROOT_PLIST);
  await write("plist/cs.plist", volumePlist("devel", true));
  await write("plist/ci.plist", volumePlist("devel", false));
  await write("plist/notfound.plist", notFoundPlist("@PATH@"));
  await write("addvolume.out", addVolumeOutput("devel"));
  const configDir = join(dir, "config");
  await write("inspect.json", inspectJson({ configDir, name: "@NAME@", state: "@STATE@" }));
  await write("log", "");
  if (s.volume !== "absent") await write("volume", `${s.volume}\n`);
  if (s.machine) {
    await write(`machines/${MACHINE}.state`, `${s.machine.state}\n`);
    await write(`config/${MACHINE}.json`, machineConfigJson(configDir, s.machine.volumes));
  }
  if (s.failAddVolume) await write("fail-addvolume", s.failAddVolume);
  if (s.failInit) await write("fail-init", s.failInit);
  return {
    dir,
    bin,
    calls: () =>
      Deno.readTextFileSync(join(dir, "log")).split("\n").filter((l) => l !== "").map((l) =>
        l.split("\t").map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(" ")
      ),
    machineVolumes() {
      try {
        const config = JSON.parse(Deno.readTextFileSync(join(configDir, `${MACHINE}.json`)));
        return (config.Mounts as { OriginalInput: string }[]).map((m) => m.OriginalInput);
      } catch {
        return null;
      }
    },
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
}

/** Run llm (as macOS) with only the fake Mac's bin on PATH. */
async function llm(
  mac: FakeMacDir,
  args: string[],
  options: { stdin?: string; terminal?: boolean } = {},
): Promise<Ran> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", DRIVER, ...args],
    cwd: mac.dir,
    clearEnv: true,
    env: {
      HOME: mac.dir,
      PATH: mac.bin,
      DENO_DIR,
      FAKE_MAC: mac.dir,
      ...(options.terminal ? { LLM_E2E_TERMINAL: "1" } : {}),
    },
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  return await finish(child, options.stdin);
}

const DEVEL_VOLUMES = [...DESKTOP_VOLUMES, "/Volumes/devel:/Volumes/devel"];
const READ_VOLUME = "diskutil info -plist /Volumes/devel";
const READ_ROOT = "diskutil info -plist /";
const INSPECT = "podman machine inspect";
const INIT = "podman machine init --cpus 6 --memory 4096 --disk-size 100 " +
  "--volume /Users:/Users --volume /private:/private --volume /var/folders:/var/folders " +
  "--volume /Volumes/devel:/Volumes/devel";
const RECREATE = ["podman machine stop", "podman machine rm --force", INIT, "podman machine start"];

async function withMac(s: Scenario, fn: (mac: FakeMacDir) => Promise<void>): Promise<void> {
  const mac = await fakeMacDir(s);
  try {
    await fn(mac);
  } finally {
    await mac.cleanup();
  }
}

Deno.test("e2e macOS: a fresh Mac gets the volume, then a machine that shares it", () =>
  withMac(
    { volume: "absent", machine: { state: "running", volumes: DESKTOP_VOLUMES } },
    async (mac) => {
      const r = await llm(mac, ["setup-macos-volume", "--yes"]);
      assertEquals(r.code, 0, r.stderr);
      assertEquals(mac.calls(), [
        READ_VOLUME,
        READ_ROOT,
        INSPECT,
        "diskutil apfs addVolume disk3 'Case-sensitive APFS' devel",
        READ_VOLUME,
        ...RECREATE,
      ]);
      assertEquals(mac.machineVolumes(), DEVEL_VOLUMES);
      assertStringIncludes(r.stderr, "llm: done: /Volumes/devel is case-sensitive APFS");
      // A second run finds everything in place and changes nothing.
      const again = await llm(mac, ["setup-macos-volume", "--check"]);
      assertEquals(again.code, 0, again.stdout);
    },
  ));

Deno.test("e2e macOS: an existing case-sensitive volume only needs the machine re-created", () =>
  withMac(
    { volume: "cs", machine: { state: "running", volumes: DESKTOP_VOLUMES } },
    async (mac) => {
      const r = await llm(mac, ["setup-macos-volume", "--yes"]);
      assertEquals(r.code, 0, r.stderr);
      assertEquals(mac.calls(), [READ_VOLUME, INSPECT, ...RECREATE]);
    },
  ));

Deno.test("e2e macOS: everything set up runs no changing command", () =>
  withMac({ volume: "cs", machine: { state: "running", volumes: DEVEL_VOLUMES } }, async (mac) => {
    const r = await llm(mac, ["setup-macos-volume"]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(mac.calls(), [READ_VOLUME, INSPECT]);
    assertStringIncludes(r.stderr, "nothing to do");
  }));

Deno.test("e2e macOS: a case-insensitive volume is an error and nothing else runs", () =>
  withMac(
    { volume: "ci", machine: { state: "running", volumes: DESKTOP_VOLUMES } },
    async (mac) => {
      const r = await llm(mac, ["setup-macos-volume", "--yes"]);
      assertEquals(r.code, 1);
      assertEquals(mac.calls(), [READ_VOLUME]);
      assertStringIncludes(r.stderr, "llm: error: /Volumes/devel is case-insensitive APFS");
      assertEquals(mac.machineVolumes(), [...DESKTOP_VOLUMES]);
    },
  ));

Deno.test("e2e macOS: with no machine yet, one is created and started", () =>
  withMac({ volume: "cs", machine: null }, async (mac) => {
    const r = await llm(mac, ["setup-macos-volume"]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(mac.calls(), [
      READ_VOLUME,
      INSPECT,
      "podman machine init --volume /Users:/Users --volume /private:/private " +
      "--volume /var/folders:/var/folders --volume /Volumes/devel:/Volumes/devel",
      "podman machine start",
    ]);
    assertEquals(mac.machineVolumes(), DEVEL_VOLUMES);
  }));

Deno.test("e2e macOS: without podman it fails before running anything", () =>
  withMac({ volume: "absent", machine: null, podman: false }, async (mac) => {
    const r = await llm(mac, ["setup-macos-volume", "--yes"]);
    assertEquals(r.code, 1);
    assertEquals(mac.calls(), []);
    assertStringIncludes(r.stderr, "podman was not found on PATH; install Podman Desktop");
  }));

Deno.test("e2e macOS: answering no on the terminal destroys nothing", () =>
  withMac(
    { volume: "absent", machine: { state: "running", volumes: DESKTOP_VOLUMES } },
    async (mac) => {
      const r = await llm(mac, ["setup-macos-volume"], { terminal: true, stdin: "n\n" });
      assertEquals(r.code, 1);
      assertEquals(mac.calls(), [READ_VOLUME, READ_ROOT, INSPECT]);
      assertStringIncludes(r.stderr, "Re-create it now? [y/N] ");
      assertStringIncludes(r.stderr, "nothing was changed");
      assertEquals(mac.machineVolumes(), [...DESKTOP_VOLUMES]);
    },
  ));

Deno.test("e2e macOS: answering y on the terminal goes ahead", () =>
  withMac(
    { volume: "cs", machine: { state: "running", volumes: DESKTOP_VOLUMES } },
    async (mac) => {
      const r = await llm(mac, ["setup-macos-volume"], { terminal: true, stdin: "y\n" });
      assertEquals(r.code, 0, r.stderr);
      assertEquals(mac.calls(), [READ_VOLUME, INSPECT, ...RECREATE]);
    },
  ));

Deno.test("e2e macOS: without a terminal or --yes it refuses to re-create the machine", () =>
  withMac(
    { volume: "cs", machine: { state: "running", volumes: DESKTOP_VOLUMES } },
    async (mac) => {
      const r = await llm(mac, ["setup-macos-volume"]);
      assertEquals(r.code, 1);
      assertEquals(mac.calls(), [READ_VOLUME, INSPECT]);
      assertStringIncludes(r.stderr, "run again with --yes");
    },
  ));

Deno.test("e2e macOS: a diskutil failure midway stops with a clear error and the machine untouched", () =>
  withMac({
    volume: "absent",
    machine: { state: "running", volumes: DESKTOP_VOLUMES },
    failAddVolume: "Error: -69625: A problem occurred while adding a volume\n",
  }, async (mac) => {
    const r = await llm(mac, ["setup-macos-volume", "--yes"]);
    assertEquals(r.code, 1);
    assertEquals(mac.calls(), [
      READ_VOLUME,
      READ_ROOT,
      INSPECT,
      "diskutil apfs addVolume disk3 'Case-sensitive APFS' devel",
    ]);
    assertStringIncludes(
      r.stderr,
      "failed (exit 1): Error: -69625: A problem occurred while adding a volume",
    );
    assertStringIncludes(r.stderr, `podman machine ${MACHINE} was not touched`);
    assertEquals(mac.machineVolumes(), [...DESKTOP_VOLUMES]);
  }));

Deno.test("e2e macOS: a podman failure after removal says to run the command again", () =>
  withMac({
    volume: "cs",
    machine: { state: "running", volumes: DESKTOP_VOLUMES },
    failInit: "Error: failed to pull quay.io/podman/machine-os:5.2\n",
  }, async (mac) => {
    const r = await llm(mac, ["setup-macos-volume", "--yes"]);
    assertEquals(r.code, 1);
    assertEquals(mac.calls(), [READ_VOLUME, INSPECT, ...RECREATE.slice(0, 3)]);
    assertStringIncludes(r.stderr, "run 'llm setup-macos-volume' again");
  }));

Deno.test("e2e macOS: --dry-run prints the sequence and changes nothing", () =>
  withMac(
    { volume: "absent", machine: { state: "running", volumes: DESKTOP_VOLUMES } },
    async (mac) => {
      const r = await llm(mac, ["setup-macos-volume", "--dry-run"]);
      assertEquals(r.code, 0, r.stderr);
      assertEquals(r.stdout.trimEnd().split("\n"), [
        "diskutil apfs addVolume disk3 'Case-sensitive APFS' devel",
        ...RECREATE,
      ]);
      assertEquals(mac.calls(), [READ_VOLUME, READ_ROOT, INSPECT]);
    },
  ));

const CHECKS: [string, Scenario, number, string[]][] = [
  ["fresh Mac", { volume: "absent", machine: { state: "running", volumes: DESKTOP_VOLUMES } }, 1, [
    "missing: no volume at /Volumes/devel",
    `missing: podman machine ${MACHINE} does not share /Volumes/devel`,
    "fix: llm setup-macos-volume",
  ]],
  [
    "machine lacks the volume",
    { volume: "cs", machine: { state: "running", volumes: DESKTOP_VOLUMES } },
    1,
    [
      "ok: /Volumes/devel is APFS (Case-sensitive) on disk3s7",
      `missing: podman machine ${MACHINE} does not share /Volumes/devel`,
      "fix: llm setup-macos-volume",
    ],
  ],
  ["all set up", { volume: "cs", machine: { state: "running", volumes: DEVEL_VOLUMES } }, 0, [
    "ok: /Volumes/devel is APFS (Case-sensitive) on disk3s7",
    `ok: podman machine ${MACHINE} is running and shares /Volumes/devel`,
  ]],
  ["machine stopped", { volume: "cs", machine: { state: "stopped", volumes: DEVEL_VOLUMES } }, 1, [
    "ok: /Volumes/devel is APFS (Case-sensitive) on disk3s7",
    `missing: podman machine ${MACHINE} shares /Volumes/devel but is not running (state: stopped)`,
    "fix: llm setup-macos-volume",
  ]],
  ["no machine", { volume: "cs", machine: null }, 1, [
    "ok: /Volumes/devel is APFS (Case-sensitive) on disk3s7",
    `missing: podman machine ${MACHINE} does not exist`,
    "fix: llm setup-macos-volume",
  ]],
  ["podman missing", { volume: "cs", machine: null, podman: false }, 1, [
    "ok: /Volumes/devel is APFS (Case-sensitive) on disk3s7",
    "missing: podman is not on PATH; install Podman Desktop (podman-desktop.io)",
    "fix: install Podman Desktop, then run llm setup-macos-volume",
  ]],
];

for (const [label, scenario, code, lines] of CHECKS) {
  Deno.test(`e2e macOS: --check, ${label}`, () =>
    withMac(scenario, async (mac) => {
      const r = await llm(mac, ["setup-macos-volume", "--check"]);
      assertEquals(r.code, code, r.stderr);
      assertEquals(r.stdout.trimEnd().split("\n"), lines);
      assertEquals(mac.calls().filter((c) => !c.startsWith("diskutil info") && c !== INSPECT), []);
    }));
}

Deno.test("e2e macOS: --check on a case-insensitive volume names the problem", () =>
  withMac({ volume: "ci", machine: { state: "running", volumes: DEVEL_VOLUMES } }, async (mac) => {
    const r = await llm(mac, ["setup-macos-volume", "--check"]);
    assertEquals(r.code, 1);
    assertStringIncludes(r.stdout, "problem: /Volumes/devel is case-insensitive APFS");
  }));
