/**
 * `llm setup-macos-volume`: the edge that reads the Mac's state through
 * the `System`, hands it to the pure planner, asks before destroying the
 * podman machine, and runs the plan.
 */
import type { CommandContext } from "../cli/command.ts";
import { LlmError } from "../errors.ts";
import type { System } from "../system/system.ts";
import { quoteArgv } from "../text/shell_words.ts";
import { assessVolume, type MachineFacts, type VolumeState } from "./assess.ts";
import { checkReport } from "./check.ts";
import { diskutilInfoArgv, parseVolumeInfo } from "./diskutil.ts";
import { PlistError } from "./plist.ts";
import {
  DEFAULT_MACHINE,
  inspectArgv,
  isNoSuchMachine,
  MachineParseError,
  parseMachineConfigMounts,
  parseMachineInspect,
} from "./machine.ts";
import { fixCommand, type SetupRequest, setupRequest, volumePath } from "./request.ts";
import { planSetup, type SetupPlan } from "./setup_plan.ts";

/** Run the command; resolves to the exit code. */
export async function run(context: CommandContext): Promise<number> {
  const request = setupRequest(context.options, context.args);
  const system = context.system;
  if (system.os !== "darwin") {
    if (request.dryRun && !request.check) return explainElsewhere(request, system);
    throw new LlmError(
      `setup-macos-volume is for macOS (this is ${system.os}): it makes a case-sensitive APFS ` +
        `volume and shares it with the podman machine; 'llm setup-macos-volume --dry-run' shows how`,
    );
  }
  if (request.check) return await check(request, system);
  return await setUp(request, system);
}

async function check(request: SetupRequest, system: System): Promise<number> {
  requireTool(system, "diskutil");
  const volume = await readVolume(volumePath(request.name), system);
  const machine = system.which("podman") === null ? null : await readMachine(request, system);
  const report = checkReport(request, volume, machine);
  system.stdout(report.lines.map((l) => `${l}\n`).join(""));
  return report.ok ? 0 : 1;
}

async function setUp(request: SetupRequest, system: System): Promise<number> {
  requireTool(system, "diskutil");
  requireTool(system, "podman");
  const path = volumePath(request.name);
  const volume = await readVolume(path, system);
  if (volume.kind === "unusable") throw new LlmError(`${volume.problem}; nothing was changed`);
  const container = volume.kind === "absent" ? await bootContainer(system) : undefined;
  const machine = await readMachine(request, system);
  const plan = planSetup(request, volume, container, machine);
  if (request.verbose || request.dryRun || plan.steps.length === 0) {
    for (const note of plan.notes) system.stderr(`llm: ${note}\n`);
  }
  if (plan.steps.length === 0) {
    system.stderr(
      `llm: nothing to do: ${path} is ready and podman machine ${plan.machineName} shares it\n`,
    );
    return 0;
  }
  if (request.dryRun) {
    if (plan.recreatesMachine) {
      system.stderr(
        `llm: re-creating ${plan.machineName} deletes its images and containers; ` +
          `llm would ask first (or need --yes)\n`,
      );
    }
    system.stdout(plan.steps.map((s) => `${quoteArgv(s.argv)}\n`).join(""));
    return 0;
  }
  if (plan.recreatesMachine && !request.yes && !(await confirm(plan, path, system))) {
    system.stderr("llm: nothing was changed\n");
    return 1;
  }
  await execute(plan, request, system);
  system.stderr(
    `llm: done: ${path} is case-sensitive APFS and podman machine ${plan.machineName} shares it\n`,
  );
  return 0;
}

/**
 * Ask before destroying the machine. Without a terminal nobody can answer,
 * so `--yes` is required instead.
 */
async function confirm(plan: SetupPlan, path: string, system: System): Promise<boolean> {
  const warning = `re-creating podman machine ${plan.machineName} to share ${path} deletes ` +
    `the images and containers inside it`;
  if (!system.isTerminal()) {
    throw new LlmError(
      `${warning}; no terminal to confirm on, so run again with --yes to go ahead (nothing was changed)`,
    );
  }
  system.stderr(`llm: ${warning}.\n`);
  const answer = await system.prompt("Re-create it now? [y/N] ");
  return answer !== null && /^\s*y(es)?\s*$/i.test(answer);
}

async function execute(plan: SetupPlan, request: SetupRequest, system: System): Promise<void> {
  const path = volumePath(request.name);
  let machineTouched = false;
  for (const step of plan.steps) {
    system.stderr(`llm: ${step.purpose}: ${quoteArgv(step.argv)}\n`);
    const result = await system.interactive(step.argv);
    if (result.code !== 0) {
      const tail = lastLine(result.stderrTail);
      throw new LlmError(
        `'${quoteArgv(step.argv)}' failed (exit ${result.code})${tail ? `: ${tail}` : ""}; ` +
          (machineTouched
            ? `podman machine ${plan.machineName} may be half set up: run '${
              fixCommand(request)
            }' again`
            : `podman machine ${plan.machineName} was not touched`),
      );
    }
    if (step.argv[0] === "podman") machineTouched = true;
    if (step.verifiesVolume) {
      const made = await readVolume(path, system);
      if (made.kind !== "ready") {
        throw new LlmError(
          `diskutil created the volume but ${path} is not usable: ${
            made.kind === "absent" ? "nothing is mounted there" : made.problem
          }; podman machine ${plan.machineName} was not touched`,
        );
      }
    }
  }
}

/** Read and judge `/Volumes/<name>`. */
async function readVolume(path: string, system: System): Promise<VolumeState> {
  const argv = diskutilInfoArgv(path);
  const out = await system.output(argv);
  let lookup;
  try {
    lookup = parseVolumeInfo(out.stdout);
  } catch (e) {
    if (!(e instanceof PlistError)) throw e;
    throw new LlmError(
      `'${quoteArgv(argv)}' ${
        out.code === 0 ? "printed no property list" : `failed (exit ${out.code})`
      }: ${lastLine(out.stderr) || e.message}`,
    );
  }
  return assessVolume(path, lookup, system.stat(path) !== null);
}

/** The APFS container holding the boot volume, where the new volume goes. */
async function bootContainer(system: System): Promise<string> {
  const argv = diskutilInfoArgv("/");
  const out = await system.output(argv);
  let container: string | undefined;
  try {
    const lookup = parseVolumeInfo(out.stdout);
    container = lookup.found ? lookup.volume.container : undefined;
  } catch (e) {
    if (!(e instanceof PlistError)) throw e;
  }
  if (out.code !== 0 || container === undefined || container === "") {
    throw new LlmError(
      `could not find the APFS container of the startup disk with '${quoteArgv(argv)}'` +
        `${out.code !== 0 ? ` (exit ${out.code}: ${lastLine(out.stderr)})` : ""}; ` +
        `create the volume in Disk Utility (APFS (Case-sensitive)) and run this again`,
    );
  }
  return container;
}

/** Read the machine with one `podman machine inspect`, and its mounts from its config file. */
async function readMachine(request: SetupRequest, system: System): Promise<MachineFacts> {
  const argv = inspectArgv(request.machine);
  const out = await system.output(argv);
  if (out.code !== 0) {
    if (isNoSuchMachine(out.stderr)) return { exists: false };
    throw new LlmError(
      `'${quoteArgv(argv)}' failed (exit ${out.code}): ${
        lastLine(out.stderr) || "no message"
      }; is Podman Desktop installed and set up?`,
    );
  }
  try {
    const info = parseMachineInspect(out.stdout);
    if (info.mounts !== undefined) return { exists: true, info, mounts: info.mounts };
    const text = info.configFile === undefined ? null : system.readText(info.configFile);
    return { exists: true, info, mounts: text === null ? null : parseMachineConfigMounts(text) };
  } catch (e) {
    if (!(e instanceof MachineParseError)) throw e;
    throw new LlmError(`could not read the output of '${quoteArgv(argv)}': ${e.message}`);
  }
}

function requireTool(system: System, name: string): void {
  if (system.which(name) !== null) return;
  throw new LlmError(
    name === "podman"
      ? "podman was not found on PATH; install Podman Desktop (podman-desktop.io), " +
        "set it up once, then run this again"
      : `${name} was not found on PATH (it lives in /usr/sbin on macOS); add /usr/sbin to PATH`,
  );
}

/** `--dry-run` away from a Mac: show what would run on a typical one. */
function explainElsewhere(request: SetupRequest, system: System): number {
  const path = volumePath(request.name);
  const plan = planSetup(request, { kind: "absent" }, "CONTAINER", {
    exists: true,
    info: { name: request.machine ?? DEFAULT_MACHINE, state: "running", rootful: false },
    mounts: [],
  });
  system.stderr(
    `llm: this is ${system.os}, not macOS, so nothing was inspected. On a Mac without ${path} ` +
      `whose podman machine does not share it, llm would run the commands below. CONTAINER is ` +
      `the startup disk's APFS container (from 'diskutil info -plist /'); init keeps the ` +
      `machine's CPUs, memory, disk size and rootful setting; steps already done are skipped.\n`,
  );
  system.stdout(plan.steps.map((s) => `${quoteArgv(s.argv)}\n`).join(""));
  return 0;
}

function lastLine(text: string): string {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  return lines.at(-1) ?? "";
}
