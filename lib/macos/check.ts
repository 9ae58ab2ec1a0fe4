/**
 * `llm setup-macos-volume --check`: is everything in place? Pure: facts
 * in, a report out.
 */
import { assessMachine, type MachineFacts, type VolumeState } from "./assess.ts";
import { DEFAULT_MACHINE } from "./machine.ts";
import { fixCommand, type SetupRequest, volumePath } from "./request.ts";

/** The result of a check. */
export interface CheckReport {
  readonly ok: boolean;
  /** Lines starting `ok:`, `missing:` or `problem:`, then `fix:` when something is wrong. */
  readonly lines: readonly string[];
}

/**
 * Report on the volume and the machine. `machine` is null when podman is
 * not installed.
 *
 * @example
 * ```ts
 * import { checkReport } from "./check.ts";
 * const r = checkReport({ name: "devel" }, { kind: "absent" }, { exists: false });
 * r.ok; // false
 * r.lines.at(-1); // "fix: llm setup-macos-volume"
 * ```
 */
export function checkReport(
  request: Pick<SetupRequest, "name" | "machine">,
  volume: VolumeState,
  machine: MachineFacts | null,
): CheckReport {
  const path = volumePath(request.name);
  const lines: string[] = [];
  let ok = true;
  switch (volume.kind) {
    case "ready":
      lines.push(
        `ok: ${path} is ${volume.volume.filesystemName} on ${volume.volume.deviceIdentifier}`,
      );
      break;
    case "absent":
      ok = false;
      lines.push(`missing: no volume at ${path}`);
      break;
    case "unusable":
      ok = false;
      lines.push(`problem: ${volume.problem}`);
      break;
  }
  if (machine === null) {
    ok = false;
    lines.push("missing: podman is not on PATH; install Podman Desktop (podman-desktop.io)");
  } else {
    const name = machine.exists ? machine.info.name : request.machine ?? DEFAULT_MACHINE;
    switch (assessMachine(machine, path)) {
      case "ready":
        lines.push(`ok: podman machine ${name} is running and shares ${path}`);
        break;
      case "stopped":
        ok = false;
        lines.push(
          `missing: podman machine ${name} shares ${path} but is not running (state: ${
            machine.exists ? machine.info.state : "absent"
          })`,
        );
        break;
      case "absent":
        ok = false;
        lines.push(`missing: podman machine ${name} does not exist`);
        break;
      case "lacks-mount":
        ok = false;
        lines.push(
          machine.exists && machine.mounts === null
            ? `missing: could not read which folders podman machine ${name} shares (${
              machine.info.configFile ?? "no config file named"
            })`
            : `missing: podman machine ${name} does not share ${path}`,
        );
        break;
    }
  }
  // An unusable volume's problem line already says what to do instead.
  if (!ok && volume.kind !== "unusable") {
    const first = machine === null ? "install Podman Desktop, then run " : "";
    lines.push(`fix: ${first}${fixCommand(request)}`);
  }
  return { ok, lines };
}
