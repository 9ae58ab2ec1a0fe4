/**
 * Deciding what `llm setup-macos-volume` runs, from the facts read about
 * the volume and the podman machine. Pure: the commands come out as data,
 * in order, so they can be shown (`--dry-run`), confirmed and then run.
 */
import type { MachineFacts, VolumeState } from "./assess.ts";
import { assessMachine } from "./assess.ts";
import { addVolumeArgv } from "./diskutil.ts";
import {
  DEFAULT_MAC_VOLUMES,
  DEFAULT_MACHINE,
  initArgv,
  machineArgv,
  removeArgv,
} from "./machine.ts";
import { type SetupRequest, volumePath } from "./request.ts";

/** One command to run. */
export interface Step {
  readonly argv: readonly string[];
  /** Shown before the step runs, e.g. `creating the volume /Volumes/devel`. */
  readonly purpose: string;
  /** After this step the volume must be mounted at its path: check before going on. */
  readonly verifiesVolume?: boolean;
}

/** The commands to run and what to tell the user. */
export interface SetupPlan {
  readonly steps: readonly Step[];
  /** One line per finding, for the user (`--dry-run`, `--verbose`, and when nothing is to do). */
  readonly notes: readonly string[];
  /** True when an existing machine is deleted (with its images and containers) and made anew. */
  readonly recreatesMachine: boolean;
  /** The machine's name, for messages. */
  readonly machineName: string;
}

/**
 * Plan the set-up. `volume` must be `absent` or `ready` (an unusable volume
 * is an error before planning); `container` is the boot volume's APFS
 * container, needed when the volume is absent.
 *
 * @example
 * ```ts
 * import { planSetup } from "./setup_plan.ts";
 * const plan = planSetup(
 *   { name: "devel", yes: false, dryRun: true, check: false, verbose: false },
 *   { kind: "absent" },
 *   "disk3",
 *   { exists: false },
 * );
 * plan.steps.map((s) => s.argv[0]); // ["diskutil", "podman", "podman"]
 * ```
 */
export function planSetup(
  request: SetupRequest,
  volume: VolumeState,
  container: string | undefined,
  machine: MachineFacts,
): SetupPlan {
  const path = volumePath(request.name);
  const steps: Step[] = [];
  const notes: string[] = [];
  if (volume.kind === "unusable") {
    throw new Error(`unusable volume cannot be planned: ${volume.problem}`);
  }
  if (volume.kind === "absent") {
    if (container === undefined) throw new Error("an absent volume needs the boot APFS container");
    notes.push(`no volume at ${path}: it will be created in APFS container ${container}`);
    steps.push({
      argv: addVolumeArgv(container, request.name),
      purpose: `creating the case-sensitive APFS volume ${path}`,
      verifiesVolume: true,
    });
  } else {
    notes.push(`${path} is ${volume.volume.filesystemName} on ${volume.volume.deviceIdentifier}`);
  }
  const name = machine.exists ? machine.info.name : request.machine ?? DEFAULT_MACHINE;
  const volumes = [...DEFAULT_MAC_VOLUMES, `${path}:${path}`];
  let recreatesMachine = false;
  switch (assessMachine(machine, path)) {
    case "ready":
      notes.push(`podman machine ${name} is running and shares ${path}`);
      break;
    case "stopped":
      notes.push(`podman machine ${name} shares ${path} but is not running: it will be started`);
      steps.push({ argv: machineArgv("start", request.machine), purpose: `starting ${name}` });
      break;
    case "absent":
      notes.push(`podman machine ${name} does not exist: it will be created sharing ${path}`);
      steps.push(
        {
          argv: initArgv(request.machine, { rootful: false, volumes }),
          purpose: `creating podman machine ${name}`,
        },
        { argv: machineArgv("start", request.machine), purpose: `starting ${name}` },
      );
      break;
    case "lacks-mount": {
      if (!machine.exists) throw new Error("unreachable: a missing machine lacks nothing");
      const info = machine.info;
      recreatesMachine = true;
      notes.push(
        machine.mounts === null
          ? `the mounts of podman machine ${name} could not be read: it will be re-created`
          : `podman machine ${name} does not share ${path}: it will be re-created`,
      );
      if (info.state === "running" || info.state === "starting") {
        steps.push({ argv: machineArgv("stop", request.machine), purpose: `stopping ${name}` });
      }
      steps.push(
        { argv: removeArgv(request.machine), purpose: `removing ${name}` },
        {
          argv: initArgv(request.machine, {
            cpus: info.cpus,
            memory: info.memory,
            diskSize: info.diskSize,
            rootful: info.rootful,
            volumes,
          }),
          purpose: `re-creating ${name} sharing ${path}`,
        },
        { argv: machineArgv("start", request.machine), purpose: `starting ${name}` },
      );
      break;
    }
  }
  return { steps, notes, recreatesMachine, machineName: name };
}
