/**
 * `llm stop`: end sessions as `docker stop` does: SIGTERM, and SIGKILL
 * after the grace period. Podman and docker do both themselves (`stop
 * --time`); a Singularity/Apptainer session is signalled through its
 * runtime process, which llm recorded.
 */
import type { CommandContext } from "../cli/command.ts";
import { LlmError, UsageError } from "../errors.ts";
import type { System } from "../system/system.ts";
import { findSession, userSessionsDir } from "./find.ts";
import type { SessionManifest } from "./manifest.ts";
import { readManifest } from "./store.ts";

/** Default grace period, as docker's. */
const DEFAULT_GRACE_S = 10;
/** How long to wait for the session's llm to record the end after the container stopped. */
const RECORD_WAIT_MS = 5000;
const POLL_MS = 100;

/** Run `llm stop`. */
export async function run({ options, args, system }: CommandContext): Promise<number> {
  if (args.length === 0) {
    throw new UsageError("llm stop needs a session: a name or id from 'llm ps'");
  }
  const grace = graceSeconds(options.values.get("time"));
  for (const ref of args) {
    const { manifest, state } = findSession(system, ref);
    // A killed llm may have left its container running: stopping it is still right.
    const leftover = state === "killed" && manifest.state === "running";
    if (state !== "running" && !leftover) {
      throw new LlmError(
        `session ${manifest.name} is not running (${state}${
          manifest.exitCode === null ? "" : `, exit code ${manifest.exitCode}`
        })`,
      );
    }
    if (manifest.container !== null) await stopContainer(manifest, grace, leftover, system);
    else await stopProcess(manifest, grace, system);
    if (!leftover) await waitForRecord(manifest, system);
    system.stdout(`${manifest.name}\n`);
  }
  return 0;
}

/** `--time` as whole seconds. */
export function graceSeconds(value: string | undefined): number {
  if (value === undefined) return DEFAULT_GRACE_S;
  if (!/^\d+$/.test(value)) {
    throw new UsageError(`--time '${value}' is not a whole number of seconds (e.g. --time 10)`);
  }
  return Number(value);
}

async function stopContainer(
  m: SessionManifest,
  grace: number,
  leftover: boolean,
  system: System,
): Promise<void> {
  const target = m.containerId ?? m.container ?? "";
  const out = await system.output([m.runtime.executable, "stop", "--time", String(grace), target]);
  if (out.code === 0) return;
  const why = out.stderr.trim().split("\n").at(-1) ?? "";
  if (leftover && /no such container|no container with/i.test(why)) return;
  throw new LlmError(
    `'${m.runtime.executable} stop' could not stop session ${m.name}: ${
      why || `exit ${out.code}`
    }` +
      `; run llm stop with the same runtime settings (DOCKER_HOST, CONTAINERS_CONF) as the session`,
  );
}

/** Singularity/Apptainer: SIGTERM to the runtime process, SIGKILL after the grace period. */
async function stopProcess(m: SessionManifest, grace: number, system: System): Promise<void> {
  const target = m.runtimePid ?? m.pid;
  const start = system.processStart(target);
  if (start === null || !system.kill(target, "SIGTERM")) return;
  const deadline = system.now() + grace * 1000;
  while (system.now() < deadline) {
    if (system.processStart(target) !== start) return;
    await system.sleep(POLL_MS);
  }
  if (system.processStart(target) === start) system.kill(target, "SIGKILL");
}

/** Wait until the session's llm has written the end (so `llm ps` right after is right). */
async function waitForRecord(m: SessionManifest, system: System): Promise<void> {
  const dir = userSessionsDir(system);
  const deadline = system.now() + RECORD_WAIT_MS;
  while (system.now() < deadline) {
    const now = readManifest(system, dir, m.id);
    if (now === null || now.state !== "running") return;
    if (system.processStart(m.pid) === null) return;
    await system.sleep(POLL_MS);
  }
}
