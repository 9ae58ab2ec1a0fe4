/**
 * An in-memory Mac for unit tests of `llm setup-macos-volume`: a fake
 * System whose `diskutil` and `podman machine` answer with the recorded
 * output in `_fixtures.ts` and change state as the real ones would
 * (addVolume mounts a volume, rm deletes the machine, init creates it).
 */
import { type FakeSystem, fakeSystem } from "../../_fake_system.ts";
import type { InteractiveResult, ProcessOutput } from "../../../lib/system/system.ts";
import {
  fatPlist,
  inspectJson,
  machineConfigJson,
  noMachineStderr,
  notFoundPlist,
  ROOT_PLIST,
  volumePlist,
} from "./_fixtures.ts";

export const CONFIG_DIR = "/Users/alice/.config/containers/podman/machine/applehv";

/** A podman machine in the fake Mac. */
export interface FakeMachine {
  name: string;
  state: string;
  volumes: string[];
  rootful?: boolean;
  cpus?: number;
  memory?: number;
  diskSize?: number;
}

/** What the fake Mac holds. */
export interface MacState {
  /** What is at /Volumes/<volumeName>. */
  volume: "absent" | "case-sensitive" | "case-insensitive" | "fat" | "folder";
  volumeName?: string;
  machine: FakeMachine | null;
  podman?: boolean;
  terminal?: boolean;
  answers?: string[];
  /** Interactive commands (by joined-argv prefix) that fail, with their stderr. */
  failures?: Record<string, string>;
  /** addVolume succeeds but mounts nothing at the path. */
  addVolumeMountsNothing?: boolean;
}

/** The fake Mac: a FakeSystem plus its live state. */
export interface FakeMac extends FakeSystem {
  readonly state: MacState;
}

/** The commands run, as bash-like lines, for readable assertions. */
export function ranLines(mac: FakeSystem): string[] {
  return mac.ran.map((argv) => argv.map((a) => (/[\s']/.test(a) ? `'${a}'` : a)).join(" "));
}

/** Make a fake Mac in `state`. */
export function fakeMac(state: MacState): FakeMac {
  const volumeName = state.volumeName ?? "devel";
  const path = `/Volumes/${volumeName}`;
  const sys = fakeSystem({
    os: "darwin",
    arch: "aarch64",
    home: "/Users/alice",
    cwd: "/Users/alice/project",
    executables: state.podman === false ? ["diskutil"] : ["diskutil", "podman"],
    terminal: state.terminal ?? false,
    answers: state.answers,
    files: state.volume === "folder" ? [`${path}/`] : [],
  });
  const output = (argv: readonly string[]): ProcessOutput => {
    const line = argv.join(" ");
    if (line === "diskutil info -plist /") return { code: 0, stdout: ROOT_PLIST, stderr: "" };
    if (line.startsWith("diskutil info -plist ")) {
      const asked = argv[3];
      if (asked !== path) return { code: 1, stdout: notFoundPlist(asked), stderr: "" };
      switch (state.volume) {
        case "case-sensitive":
          return { code: 0, stdout: volumePlist(volumeName, true), stderr: "" };
        case "case-insensitive":
          return { code: 0, stdout: volumePlist(volumeName, false), stderr: "" };
        case "fat":
          return { code: 0, stdout: fatPlist(volumeName), stderr: "" };
        default:
          return { code: 1, stdout: notFoundPlist(asked), stderr: "" };
      }
    }
    if (line.startsWith("podman machine inspect")) {
      const wanted = argv[3] ?? "podman-machine-default";
      const m = state.machine;
      if (m === null || m.name !== wanted) {
        return { code: 125, stdout: "[]\n", stderr: noMachineStderr(wanted) };
      }
      return { code: 0, stdout: inspectJson({ ...m, configDir: CONFIG_DIR }), stderr: "" };
    }
    return { code: 127, stdout: "", stderr: `${argv[0]}: not found` };
  };
  const interactive = (argv: readonly string[]): InteractiveResult => {
    const line = argv.join(" ");
    for (const [prefix, stderr] of Object.entries(state.failures ?? {})) {
      if (line.startsWith(prefix)) return { code: 1, stderrTail: stderr };
    }
    if (line.startsWith("diskutil apfs addVolume")) {
      if (!state.addVolumeMountsNothing) state.volume = "case-sensitive";
      return { code: 0, stderrTail: "" };
    }
    const m = state.machine;
    const name = machineName(argv);
    if (argv[1] === "machine") {
      switch (argv[2]) {
        case "stop":
          if (m) m.state = "stopped";
          return { code: 0, stderrTail: "" };
        case "rm":
          state.machine = null;
          return { code: 0, stderrTail: "" };
        case "start":
          if (m) m.state = "running";
          return { code: m ? 0 : 125, stderrTail: m ? "" : `Error: ${name}: VM does not exist` };
        case "init": {
          const volumes: string[] = [];
          const opt = (flag: string) => {
            const i = argv.indexOf(flag);
            return i < 0 ? undefined : Number(argv[i + 1]);
          };
          argv.forEach((a, i) => a === "--volume" && volumes.push(argv[i + 1]));
          state.machine = {
            name,
            state: "stopped",
            volumes,
            rootful: argv.includes("--rootful"),
            cpus: opt("--cpus"),
            memory: opt("--memory"),
            diskSize: opt("--disk-size"),
          };
          return { code: 0, stderrTail: "" };
        }
      }
    }
    return { code: 127, stderrTail: `${argv[0]}: not found` };
  };
  sys.output = (argv) => {
    sys.ran.push([...argv]);
    return Promise.resolve(output(argv));
  };
  sys.interactive = (argv) => {
    sys.ran.push([...argv]);
    return Promise.resolve(interactive(argv));
  };
  sys.readText = (p: string) => {
    const m = state.machine;
    return m !== null && p === `${CONFIG_DIR}/${m.name}.json`
      ? machineConfigJson(CONFIG_DIR, m.volumes, m.name)
      : null;
  };
  return Object.assign(sys, { state });
}

const VALUE_FLAGS = new Set(["--cpus", "--memory", "--disk-size", "--volume"]);

/** The machine a `podman machine VERB [flags] [NAME]` argv names. */
function machineName(argv: readonly string[]): string {
  const last = argv[argv.length - 1];
  const named = argv.length > 3 && !last.startsWith("-") &&
    !VALUE_FLAGS.has(argv[argv.length - 2]);
  return named ? last : "podman-machine-default";
}
