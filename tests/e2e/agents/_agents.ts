/**
 * Shared plumbing for the real-agent tests: which runtimes have the agent
 * image (from `.e2e/agent-image.json`, written by tasks/agent_image.ts), a
 * bounded `llm` run (Codex retries forever when its model host does not
 * answer), files written as the sandbox's user, and the checks every agent
 * test makes afterwards.
 */
import { assert, assertEquals } from "../../_assert.ts";
import { join } from "../../../lib/std/path.ts";
import { AGENT_STATE, type AgentImageState } from "../../../tasks/agent_image.ts";
import {
  e2eState,
  type Engine,
  finish,
  makeSandbox,
  type Mode,
  type Ran,
  runAs,
  type Sandbox,
  skipReason,
  spawnLlm,
} from "../_harness.ts";
import type { MockModel, MockScript } from "./_mock_models.ts";

/** The agent image's state, or null when the set-up did not write it. */
export function agentImage(): AgentImageState | null {
  try {
    return JSON.parse(Deno.readTextFileSync(AGENT_STATE)) as AgentImageState;
  } catch {
    return null;
  }
}

/** Why real-agent tests cannot run in `mode` with `engine`, or null when they can. */
export function agentSkipReason(mode: Mode, engine: Engine): string | null {
  const runtime = skipReason(mode, engine);
  if (runtime) return runtime;
  const image = agentImage();
  if (!image) return "the agent image was not prepared: run the tests with 'deno task test'";
  const key = `${engine}${mode === "rootful" ? "Rootful" : "Rootless"}` as
    | "podmanRootful"
    | "podmanRootless"
    | "dockerRootful"
    | "dockerRootless";
  return image[key] ?? null;
}

/**
 * Why a container started by llm under `engine` cannot reach a server on
 * the host's 127.0.0.1, or null when it can. Podman takes the host network
 * from the test containers.conf (netns = "host"); docker has no such
 * default (dockerd cannot set a default network mode, and the test engines
 * run with --bridge=none), and llm has no option that adds --network=host.
 */
export function loopbackSkipReason(engine: Engine): string | null {
  return engine === "docker"
    ? "docker containers started by llm get only their own loopback (no --network=host " +
      "option in llm, no default network mode in dockerd), so the mock model is unreachable " +
      "(the same agents run on docker under --network allow, through llm's proxy)"
    : null;
}

/**
 * Register-time helper: logs once why a group of agent tests is skipped.
 * `model` says the tests talk to a mock model on the host's loopback.
 */
export function ignoreAgentsUnless(
  agent: string,
  mode: Mode,
  engine: Engine,
  model = true,
  egress = false,
): boolean {
  // Under --network allow the proxy, on the host, is the route to the mock:
  // docker containers reach it through its socket like podman's do.
  const reason = agentSkipReason(mode, engine) ??
    (model && !egress ? loopbackSkipReason(engine) : null);
  if (reason) console.log(`skipping ${agent} tests (${mode} ${engine}): ${reason}`);
  return reason !== null;
}

/** The modes real agents are tested in: rootless podman first. */
export const AGENT_MODES: readonly (readonly [Mode, Engine])[] = [
  ["rootless", "podman"],
  ["rootful", "podman"],
  ["rootless", "docker"],
  ["rootful", "docker"],
];

/**
 * The modes where a mock model on the host's loopback is reachable with the
 * default network (`--network open`): podman, through the test
 * containers.conf's host network.
 */
export const OPEN_NETWORK_MODES: readonly (readonly [Mode, Engine])[] = AGENT_MODES.filter((
  [, engine],
) => loopbackSkipReason(engine) === null);

/** The image name, for `--image-name`. */
export function imageName(): string {
  return agentImage()?.image ?? "localhost/llm-agents:test";
}

/** Longest an agent run may take before the test kills it and fails. */
const RUN_LIMIT_MS = 180_000;

/** `llm args...` like runLlm, killed (and reported as a failure) after RUN_LIMIT_MS. */
export async function runBounded(
  sandbox: Sandbox,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<Ran> {
  const child = spawnLlm(sandbox, args, { env });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, RUN_LIMIT_MS);
  try {
    const ran = await finish(child);
    if (timedOut) {
      await removeLeftovers(sandbox);
      throw new Error(
        `llm ${args.join(" ")} did not finish within ${RUN_LIMIT_MS / 1000} s ` +
          `(killed); stderr: ${ran.stderr.slice(-2000)}`,
      );
    }
    return ran;
  } finally {
    clearTimeout(timer);
  }
}

/** The uid and gid that `mode` runs llm as: root, or the rootless test user. */
export async function invokingIds(sandbox: Sandbox): Promise<{ uid: number; gid: number }> {
  if (sandbox.mode === "rootful") return { uid: 0, gid: 0 };
  const user = e2eState()?.rootlessUser ?? "";
  const id = async (flag: string) =>
    Number(
      new TextDecoder().decode(
        (await new Deno.Command("id", { args: [flag, user], stdout: "piped" }).output()).stdout,
      ).trim(),
    );
  return { uid: await id("-u"), gid: await id("-g") };
}

/** Write `text` at `path` (parents made), owned by the sandbox's user. */
export async function writeOwned(sandbox: Sandbox, path: string, text: string): Promise<void> {
  const { uid, gid } = await invokingIds(sandbox);
  const parts = path.slice(sandbox.home.length + 1).split("/").slice(0, -1);
  let dir = sandbox.home;
  for (const p of parts) {
    dir = join(dir, p);
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    await Deno.chown(dir, uid, gid);
  }
  await Deno.writeTextFile(path, text, { mode: 0o600 });
  await Deno.chown(path, uid, gid);
}

/** Every regular file under `dir`, recursively (empty when it does not exist). */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      const p = join(dir, e.name);
      if (e.isDirectory) out.push(...await filesUnder(p));
      else if (e.isFile) out.push(p);
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out.sort();
}

/** Assert that `path` belongs to the user who ran llm. */
export async function assertOwnedByInvoker(sandbox: Sandbox, path: string): Promise<void> {
  const { uid } = await invokingIds(sandbox);
  const info = await Deno.lstat(path);
  assertEquals(info.uid, uid, `${path} is owned by uid ${info.uid}, expected ${uid}`);
}

/**
 * Containers from the agent image that mount this sandbox's workspace,
 * running or stopped, for the sandbox's user and engine. The workspace
 * filter keeps other tests' launches on the same engines out: runs in
 * parallel share the image, and removing their containers killed them.
 */
export async function agentContainers(sandbox: Sandbox): Promise<string[]> {
  const state = e2eState();
  const cli = sandbox.engine === "docker"
    ? (state?.docker ?? "docker")
    : (state?.podman ?? "podman");
  const r = await runAs(sandbox, [
    cli,
    "ps",
    "--all",
    "--quiet",
    "--filter",
    `ancestor=${imageName()}`,
    "--filter",
    `volume=${sandbox.workspace}`,
  ], "/");
  assertEquals(r.code, 0, `${cli} ps failed: ${r.stderr}`);
  return r.stdout.split("\n").filter(Boolean);
}

/** After a killed run: force-remove what it left, so later tests start clean. */
async function removeLeftovers(sandbox: Sandbox): Promise<void> {
  const state = e2eState();
  const cli = sandbox.engine === "docker"
    ? (state?.docker ?? "docker")
    : (state?.podman ?? "podman");
  for (const id of await agentContainers(sandbox).catch(() => [])) {
    await runAs(sandbox, [cli, "rm", "--force", id], "/");
  }
}

/** Assert that no container of this sandbox's launches is left behind. */
export async function assertNothingLeft(sandbox: Sandbox): Promise<void> {
  const left = await agentContainers(sandbox);
  if (left.length > 0) await removeLeftovers(sandbox);
  assertEquals(left, [], "containers left behind after llm exited");
}

/** Assert that ~/.claude.json, when it exists, still parses as a JSON object. */
export async function assertClaudeJsonValid(sandbox: Sandbox): Promise<void> {
  const path = join(sandbox.home, ".claude.json");
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`~/.claude.json is not valid JSON after the run: ${(e as Error).message}`);
  }
  assert(parsed !== null && typeof parsed === "object" && !Array.isArray(parsed), text);
}

/** Everything a run printed, for assertion messages. */
export function shown(r: Ran): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** One real-agent run against a mock model. */
export interface AgentCase {
  readonly mode: Mode;
  readonly engine: Engine;
  readonly start: (script: MockScript) => MockModel;
  readonly script: MockScript;
  /** Write the agent's configuration into the sandbox home before the run. */
  readonly configure?: (sandbox: Sandbox, mock: MockModel) => Promise<void>;
  /** llm's arguments after `--image-name IMAGE`. */
  readonly args: readonly string[];
  readonly env?: (mock: MockModel) => Record<string, string>;
  /**
   * Run under `--network allow` with only the mock's host on the list: the
   * agent sees the mock as http://mock.test:PORT, which the proxy's
   * test-only resolver sends to 127.0.0.1 (lib/egress/session.ts).
   */
  readonly egress?: boolean;
}

/** The name the mock has under `--network allow`. */
export const MOCK_HOST = "mock.test";

/** `--network allow` arguments and environment for a run against `mock`. */
export function egressRun(mock: MockModel): {
  view: MockModel;
  args: string[];
  env: Record<string, string>;
} {
  const port = new URL(mock.origin).port;
  return {
    view: { ...mock, origin: `http://${MOCK_HOST}:${port}` },
    args: ["--network", "allow", "--allow-host", `${MOCK_HOST}:${port}`],
    env: { LLM_TEST_ONLY_EGRESS_RESOLVE: `${MOCK_HOST}=127.0.0.1` },
  };
}

/**
 * Start the mock, run llm with the agent image, hand the outcome to
 * `check`, then make the checks every agent run must pass: ~/.claude.json
 * still parses and no container is left.
 */
export async function runAgentCase(
  c: AgentCase,
  check: (sandbox: Sandbox, mock: MockModel, r: Ran) => Promise<void>,
): Promise<void> {
  const sandbox = await makeSandbox(c.mode, c.engine);
  const mock = c.start(c.script);
  try {
    const egress = c.egress ? egressRun(mock) : undefined;
    const view = egress?.view ?? mock;
    await c.configure?.(sandbox, view);
    const r = await runBounded(
      sandbox,
      ["--image-name", imageName(), ...egress?.args ?? [], ...c.args],
      { ...c.env?.(view), ...egress?.env },
    );
    if (egress) {
      assert(
        r.stderr.includes(`llm: warning: LLM_TEST_ONLY_EGRESS_RESOLVE is set`),
        `the run did not go through the proxy: ${shown(r)}`,
      );
    }
    await check(sandbox, mock, r);
    await assertClaudeJsonValid(sandbox);
    await assertNothingLeft(sandbox);
  } finally {
    await mock.close();
    await sandbox.cleanup();
  }
}

/**
 * The user the agent runs as in the container: rootless podman maps the
 * invoker onto devuser (keep-id); rootful podman and docker run it as uid 0
 * with no user namespace of llm's own, which is the invoking root itself
 * (or, for rootless docker, the engine's root: the invoker), all
 * capabilities dropped.
 */
export function expectedAgentUser(sandbox: Sandbox): string {
  return sandbox.engine === "podman" && sandbox.mode === "rootless" ? "devuser" : "root";
}

/**
 * A tool command that writes `file` with `content`, then reports who ran it
 * and with which effective capabilities.
 */
export function toolCommand(file: string, content: string): string {
  return `printf '%s\\n' '${content}' > ${file} && echo "ran as $(id -un)" && grep CapEff /proc/self/status`;
}

/**
 * Checks of a successful run: the tool ran as the expected user with no
 * capabilities, and its file is the invoker's.
 */
export async function assertToolRan(
  sandbox: Sandbox,
  mock: MockModel,
  r: Ran,
  file: string,
  content: string,
  finalText: string,
): Promise<void> {
  assertEquals(r.code, 0, shown(r));
  assert(r.stdout.includes(finalText), `final message missing: ${shown(r)}`);
  assertEquals(mock.toolResults.length, 1, `tool results: ${JSON.stringify(mock.toolResults)}`);
  const output = mock.toolResults[0];
  assert(output.includes(`ran as ${expectedAgentUser(sandbox)}\n`), `tool output: ${output}`);
  assert(/CapEff:\s+0{16}\b/.test(output), `the tool kept capabilities: ${output}`);
  const path = join(sandbox.workspace, file);
  assertEquals(await Deno.readTextFile(path), `${content}\n`);
  await assertOwnedByInvoker(sandbox, path);
}

/** The one session file the agent wrote under `dir` (relative to the sandbox home). */
export async function assertOneSession(
  sandbox: Sandbox,
  dir: string,
  pattern: RegExp,
  mentions: string,
): Promise<void> {
  const found = (await filesUnder(join(sandbox.home, dir))).filter((f) => pattern.test(f));
  assertEquals(found.length, 1, `session files under ~/${dir}: ${JSON.stringify(found)}`);
  const text = await Deno.readTextFile(found[0]);
  assert(text.includes(mentions), `${found[0]} does not mention ${mentions}`);
  await assertOwnedByInvoker(sandbox, found[0]);
}

/** Checks of a run the model refused: the agent's own failure status, not llm's, and no file. */
export async function assertAgentFailed(
  sandbox: Sandbox,
  mock: MockModel,
  r: Ran,
  modelPath: string,
): Promise<void> {
  assertEquals(r.code, 1, shown(r));
  assert(!r.stderr.includes("llm: error"), `an agent's failure is not llm's: ${shown(r)}`);
  assert(mock.requests.some((q) => q.path.endsWith(modelPath)), "the model was asked");
  assertEquals(await filesUnder(sandbox.workspace), []);
}
