/**
 * What `podman machine inspect` and the machine's config file say about a
 * podman machine, and the `podman machine` command lines this workflow
 * runs. Pure: text in, plain data out.
 */
import { join } from "../std/path.ts";

/** The name podman gives a machine when none is chosen. */
export const DEFAULT_MACHINE = "podman-machine-default";

/** The volumes podman mounts on macOS by default; the workflow keeps them. */
export const DEFAULT_MAC_VOLUMES: readonly string[] = [
  "/Users:/Users",
  "/private:/private",
  "/var/folders:/var/folders",
];

/** A host directory the machine shares with its VM. */
export interface MachineMount {
  readonly source: string;
  readonly target: string;
}

/** A podman machine as `podman machine inspect` describes it. */
export interface MachineInfo {
  readonly name: string;
  /** `running`, `stopped`, `starting`, ... */
  readonly state: string;
  readonly rootful: boolean;
  readonly cpus?: number;
  /** MiB. */
  readonly memory?: number;
  /** GiB. */
  readonly diskSize?: number;
  /** The machine's own JSON config file, which lists its mounts; undefined if unknown. */
  readonly configFile?: string;
  /** Mounts when the inspect output itself lists them (some podman versions do). */
  readonly mounts?: readonly MachineMount[];
}

/** The machine named in `podman machine inspect` output cannot be read. */
export class MachineParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MachineParseError";
  }
}

/** `podman machine inspect [NAME]`; no name means podman's default machine. */
export function inspectArgv(machine?: string): string[] {
  return ["podman", "machine", "inspect", ...named(machine)];
}

/** True when `podman machine inspect` failed because the machine does not exist. */
export function isNoSuchMachine(stderr: string): boolean {
  return /does not exist|no such (vm|machine)/i.test(stderr);
}

/**
 * Read `podman machine inspect` JSON (an array with one machine).
 *
 * @example
 * ```ts
 * import { parseMachineInspect } from "./machine.ts";
 * const m = parseMachineInspect(
 *   '[{"Name":"podman-machine-default","State":"running","Rootful":false,' +
 *     '"Resources":{"CPUs":4,"Memory":2048,"DiskSize":100},' +
 *     '"ConfigDir":{"Path":"/Users/me/.config/containers/podman/machine/applehv"}}]',
 * );
 * m.configFile; // "/Users/me/.config/containers/podman/machine/applehv/podman-machine-default.json"
 * ```
 */
export function parseMachineInspect(text: string): MachineInfo {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new MachineParseError(`not JSON: ${(e as Error).message}`);
  }
  const first = Array.isArray(data) ? data[0] : data;
  if (!isObject(first)) throw new MachineParseError("expected a JSON array holding one machine");
  const name = first.Name;
  if (typeof name !== "string" || name === "") {
    throw new MachineParseError("the machine has no Name");
  }
  const resources = isObject(first.Resources) ? first.Resources : {};
  const configDir = isObject(first.ConfigDir) ? first.ConfigDir.Path : undefined;
  const configPath = isObject(first.ConfigPath) ? first.ConfigPath.Path : undefined;
  const configFile = typeof configPath === "string" && configPath.endsWith(".json")
    ? configPath
    : typeof configDir === "string" && configDir !== ""
    ? join(configDir, `${name}.json`)
    : undefined;
  const mounts = Array.isArray(first.Mounts) ? readMounts(first.Mounts) : undefined;
  return {
    name,
    state: typeof first.State === "string" ? first.State : "unknown",
    rootful: first.Rootful === true,
    cpus: positive(resources.CPUs),
    memory: positive(resources.Memory),
    diskSize: positive(resources.DiskSize),
    configFile,
    mounts,
  };
}

/**
 * The mounts listed in a machine's config file (`Mounts: [{Source, Target}]`),
 * or null when the text is not such a file.
 */
export function parseMachineConfigMounts(text: string): MachineMount[] | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(data)) return null;
  if (data.Mounts === null || data.Mounts === undefined) return [];
  return Array.isArray(data.Mounts) ? readMounts(data.Mounts) : null;
}

/**
 * True when `path` on the Mac appears at the same path inside the machine,
 * through a mount of it or of one of its parents.
 */
export function mountsPath(mounts: readonly MachineMount[], path: string): boolean {
  return mounts.some((m) => {
    const source = trimSlash(m.source);
    if (path !== source && !path.startsWith(`${source}/`)) return false;
    return trimSlash(m.target) === source;
  });
}

/** How to re-create a machine: its settings, kept from the old one where known. */
export interface InitSettings {
  readonly cpus?: number;
  readonly memory?: number;
  readonly diskSize?: number;
  readonly rootful: boolean;
  readonly volumes: readonly string[];
}

/** `podman machine init` with the given settings. */
export function initArgv(machine: string | undefined, settings: InitSettings): string[] {
  const argv = ["podman", "machine", "init"];
  if (settings.cpus !== undefined) argv.push("--cpus", String(settings.cpus));
  if (settings.memory !== undefined) argv.push("--memory", String(settings.memory));
  if (settings.diskSize !== undefined) argv.push("--disk-size", String(settings.diskSize));
  if (settings.rootful) argv.push("--rootful");
  for (const v of settings.volumes) argv.push("--volume", v);
  return [...argv, ...named(machine)];
}

/** `podman machine stop|start [NAME]`. */
export function machineArgv(verb: "stop" | "start", machine?: string): string[] {
  return ["podman", "machine", verb, ...named(machine)];
}

/** `podman machine rm --force [NAME]`. */
export function removeArgv(machine?: string): string[] {
  return ["podman", "machine", "rm", "--force", ...named(machine)];
}

function named(machine: string | undefined): string[] {
  return machine === undefined ? [] : [machine];
}

function readMounts(items: unknown[]): MachineMount[] {
  const mounts: MachineMount[] = [];
  for (const item of items) {
    if (!isObject(item)) continue;
    const source = item.Source;
    const target = item.Target ?? item.Destination;
    if (typeof source === "string" && typeof target === "string") {
      mounts.push({ source, target });
    }
  }
  return mounts;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function positive(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}
