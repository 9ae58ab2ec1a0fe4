/**
 * Running a runtime command: the environment file written before and gone
 * as soon as the container exists, the runtime's own environment, and how
 * far the launch got.
 */
import type { InteractiveResult, System } from "../system/system.ts";
import { runtimeEnvironment } from "./dry_run.ts";
import type { RuntimeCommand } from "./runtime.ts";

/** The result, and the markers the runtime left. */
export interface RunResult extends InteractiveResult {
  readonly created?: boolean;
  readonly started?: boolean;
}

/** How often to look for the created marker while the env file still exists. */
const POLL_MS = 20;

/** Told as the launch gets under way (session records, lib/session/record.ts). */
export interface RunHooks {
  /** The runtime's process was spawned. */
  onSpawn?(pid: number): void;
  /** The container exists: its id, from the created marker (podman, docker). */
  onCreated?(id: string): void;
  /** The container's process runs: the started marker appeared (podman). */
  onStarted?(): void;
}

/**
 * Run `command` attached to the terminal. The env file (values of every
 * container variable) is written 0600 inside the launch's private directory
 * and removed once the runtime has created the container, which is after it
 * read the file; whatever happens, it goes with that directory at the end.
 */
export async function runCommand(
  command: RuntimeCommand,
  system: System,
  hooks: RunHooks = {},
): Promise<RunResult> {
  const envFile = command.envFile;
  if (envFile) {
    // Removed once the container exists: no fsync to wait for.
    const text = envFile.lines.map((l) => `${l}\n`).join("");
    system.writeFileAtomic(envFile.path, text, 0o600, false);
  }
  const marker = command.createdMarker;
  let timer: ReturnType<typeof setInterval> | undefined;
  let envGone = envFile === undefined;
  let told = hooks.onCreated === undefined;
  const started = command.startedMarker;
  let startTold = hooks.onStarted === undefined || started === undefined;
  // The id is read once the marker holds it: the runtime may still be writing it.
  const look = () => {
    if (marker === undefined || system.stat(marker) === null) return;
    if (!envGone && envFile) {
      system.remove(envFile.path);
      envGone = true;
    }
    const id = told ? "" : system.readText(marker)?.trim() ?? "";
    if (id !== "") {
      told = true;
      hooks.onCreated?.(id);
    }
    if (!startTold && started !== undefined && system.stat(started) !== null) {
      startTold = true;
      hooks.onStarted?.();
    }
    if (envGone && told && startTold) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  // Polled from the runtime's spawn on: the first timer of the process loads
  // Deno's timer module (about 10 ms), which then overlaps the runtime's start.
  const poll = (pid: number) => {
    hooks.onSpawn?.(pid);
    if (marker && (!envGone || !told || !startTold)) timer = setInterval(look, POLL_MS);
  };
  try {
    const env = runtimeEnvironment(system.env, command);
    const result = await system.interactive(command.argv, {
      ...(env === undefined ? {} : { env, clearEnv: true }),
      onSignal: (signal) => signalContainer(command, signal, system),
      onSpawn: poll,
      // On a terminal the runtime's pull progress and the agent's TTY checks
      // need the real stderr; the markers still tell a runtime failure, and
      // probeFailure() finds its cause afterwards.
      inheritStderr: marker !== undefined && system.isTerminal("stderr"),
    });
    // A container quicker than the first poll is still reported.
    if (timer !== undefined) look();
    const seen = (path: string | undefined) =>
      path === undefined ? undefined : system.stat(path) !== null;
    return { ...result, created: seen(marker), started: seen(command.startedMarker) };
  } finally {
    if (timer !== undefined) clearInterval(timer);
  }
}

/**
 * Deliver a signal to the container itself once it exists (`<runtime> kill
 * --signal SIG <id>`), rather than to the runtime's client: a rootless
 * podman client that is itself signalled can exit 0 without the agent's
 * status. False (forward to the client) while there is no container yet.
 */
function signalContainer(command: RuntimeCommand, signal: string, system: System): boolean {
  const marker = command.createdMarker;
  if (marker === undefined) return false;
  const id = system.readText(marker)?.trim();
  if (!id) return false;
  system.output([command.argv[0], "kill", "--signal", signal, id]).catch(() => {});
  return true;
}

/**
 * What the runtime would have said, for a failure whose stderr went to the
 * terminal rather than through llm: whether it has the image, asked once.
 * Its error text (or "" when the image is there) stands in for the tail.
 */
export async function probeFailure(
  executable: string,
  image: string,
  system: System,
): Promise<string> {
  const out = await system.output([executable, "image", "inspect", "--format", "{{.Id}}", image]);
  return out.code === 0 ? "" : `${out.stderr}\nError: no such image: ${image}`;
}
