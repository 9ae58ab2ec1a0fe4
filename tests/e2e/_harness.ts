/**
 * Shared plumbing for end-to-end tests: reads what `tasks/e2e_setup.ts`
 * prepared and runs `llm` for real, as root (rootful podman, or docker
 * against the private rootful engine) or as the unprivileged test user
 * (rootless podman, or docker against that user's rootless engine).
 */
import { join } from "../../lib/std/path.ts";
import { E2E_DIR, type E2EState, TEST_IMAGE } from "../../tasks/e2e_setup.ts";

export const REPO = join(E2E_DIR, "..");
export const MAIN = join(REPO, "main.ts");
const DENO_DIR = Deno.env.get("DENO_DIR") ?? join(Deno.env.get("HOME") ?? "/root", ".cache/deno");

/** The set-up state, or null when `deno task test` did not prepare it. */
export function e2eState(): E2EState | null {
  try {
    return JSON.parse(Deno.readTextFileSync(join(E2E_DIR, "state.json"))) as E2EState;
  } catch {
    return null;
  }
}

/** The busybox + bash image the set-up imported, under the name it recorded. */
export function testImage(): string {
  return e2eState()?.image ?? TEST_IMAGE;
}

/** Whether a test runs as root (rootful) or as the unprivileged test user (rootless). */
export type Mode = "rootful" | "rootless";

/** The container runtime a test drives. */
export type Engine = "podman" | "docker";

/** Every mode and runtime pair the launch tests cover. */
export const ALL_MODES: readonly (readonly [Mode, Engine])[] = [
  ["rootful", "podman"],
  ["rootless", "podman"],
  ["rootful", "docker"],
  ["rootless", "docker"],
];

/** Why tests in `mode` with `engine` cannot run here, or null when they can. */
export function skipReason(mode: Mode, engine: Engine = "podman"): string | null {
  const state = e2eState();
  if (!state) return "end-to-end fixtures missing: run the tests with 'deno task test'";
  if (engine === "docker") {
    if (!("dockerRootfulSkip" in state)) {
      return "the e2e state predates the docker engines: run the tests with 'deno task test'";
    }
    return mode === "rootful" ? state.dockerRootfulSkip : state.dockerRootlessSkip;
  }
  return mode === "rootful" ? state.rootfulSkip : state.rootlessSkip;
}

/** Register-time helper: logs the reason a group of tests is skipped. */
export function ignoreUnless(mode: Mode, engine: Engine = "podman"): boolean {
  const reason = skipReason(mode, engine);
  if (reason) console.log(`skipping ${mode} ${engine} tests: ${reason}`);
  return reason !== null;
}

/**
 * The environment that points the runtime at the test set-up: the podman
 * configuration, or DOCKER_HOST of the private engine (and LLM_BACKEND, as
 * auto prefers podman) for docker.
 */
export function runtimeEnv(state: E2EState, mode: Mode, engine: Engine): Record<string, string> {
  if (engine === "docker") {
    return {
      DOCKER_HOST: mode === "rootful" ? state.dockerRootfulHost : state.dockerRootlessHost,
      LLM_BACKEND: "docker",
    };
  }
  return mode === "rootful" ? state.podmanEnv : state.rootlessEnv;
}

/** Output of a finished process. */
export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A scratch workspace and home owned by the user that `mode` runs as. */
export interface Sandbox {
  readonly mode: Mode;
  readonly engine: Engine;
  readonly root: string;
  readonly workspace: string;
  readonly home: string;
  cleanup(): Promise<void>;
}

/** Make a sandbox; for rootless it is owned by the test user. */
export async function makeSandbox(mode: Mode, engine: Engine = "podman"): Promise<Sandbox> {
  const state = e2eState();
  if (!state) throw new Error("no e2e state");
  const root = await Deno.makeTempDir({ prefix: "llm-e2e-" });
  const workspace = join(root, "work space");
  const home = join(root, "home");
  await Deno.mkdir(workspace);
  await Deno.mkdir(home);
  if (mode === "rootless") {
    await Deno.chmod(root, 0o755);
    const uid = Number(await capture(["id", "-u", state.rootlessUser]));
    const gid = Number(await capture(["id", "-g", state.rootlessUser]));
    for (const p of [root, workspace, home]) await Deno.chown(p, uid, gid);
  }
  return {
    mode,
    engine,
    root,
    workspace,
    home,
    async cleanup() {
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * A `test(name, fn)` that registers one Deno test for `mode` and `engine`,
 * named with both, skipped (with the reason printed) where they cannot run,
 * and giving `fn` a fresh sandbox that goes away afterwards.
 */
export function sandboxTest(
  mode: Mode,
  engine: Engine = "podman",
  /** Skip for a reason of the caller's (which it printed), instead of the runtime's own. */
  skip?: boolean,
): (name: string, fn: (s: Sandbox) => Promise<void>) => void {
  const ignore = skip ?? ignoreUnless(mode, engine);
  return (name, fn) =>
    Deno.test({
      name: `${name} (${mode} ${engine})`,
      ignore,
      async fn() {
        const sandbox = await makeSandbox(mode, engine);
        try {
          await fn(sandbox);
        } finally {
          await sandbox.cleanup();
        }
      },
    });
}

async function capture(argv: string[]): Promise<string> {
  const out = await new Deno.Command(argv[0], { args: argv.slice(1), stdout: "piped" }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

/** Options for `runLlm`. */
export interface RunLlmOptions {
  /** Working directory (default: the sandbox workspace). */
  readonly cwd?: string;
  /** Extra environment for llm. */
  readonly env?: Record<string, string>;
  readonly stdin?: string;
}

/**
 * Run `llm args...` in the sandbox with HOME set to the sandbox home, as the
 * user the mode needs, against the test podman configuration.
 */
export async function runLlm(
  sandbox: Sandbox,
  args: readonly string[],
  options: RunLlmOptions = {},
): Promise<Ran> {
  return await finish(spawnLlm(sandbox, args, options), options.stdin);
}

/** Write `stdin` (when given) to a spawned child, then wait for it and decode its output. */
export async function finish(child: Deno.ChildProcess, stdin?: string): Promise<Ran> {
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Start `llm args...` like `runLlm` and return the running child (stdin piped when asked). */
export function spawnLlm(
  sandbox: Sandbox,
  args: readonly string[],
  options: RunLlmOptions = {},
): Deno.ChildProcess {
  const state = e2eState();
  if (!state) throw new Error("no e2e state");
  const cwd = options.cwd ?? sandbox.workspace;
  const baseEnv = {
    HOME: sandbox.home,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    // The scratch HOME must not send deno looking for a fresh module cache.
    DENO_DIR: sandbox.mode === "rootful" ? DENO_DIR : `${state.rootlessHome}/.cache/deno`,
    ...runtimeEnv(state, sandbox.mode, sandbox.engine),
    ...options.env,
  };
  let argv: string[];
  if (sandbox.mode === "rootful") {
    argv = [Deno.execPath(), "run", "--allow-all", "--quiet", MAIN, ...args];
  } else {
    const env = Object.entries(baseEnv).map(([k, v]) => `${k}=${v}`);
    argv = [
      "runuser",
      "-u",
      state.rootlessUser,
      "--",
      "env",
      "-i",
      ...env,
      Deno.execPath(),
      "run",
      "--allow-all",
      "--quiet",
      // A bundle of the current tree, for running one test file without the set-up.
      Deno.env.get("LLM_E2E_BUNDLE") ?? state.bundle,
      ...args,
    ];
  }
  return new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd,
    env: sandbox.mode === "rootful" ? baseEnv : {},
    clearEnv: true,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Run an arbitrary command as the sandbox's user (for checking host-side results). */
export async function runAs(sandbox: Sandbox, argv: readonly string[], cwd?: string): Promise<Ran> {
  const state = e2eState();
  if (!state) throw new Error("no e2e state");
  const full = sandbox.mode === "rootless"
    ? ["runuser", "-u", state.rootlessUser, "--", ...argv]
    : [...argv];
  const out = await new Deno.Command(full[0], {
    args: full.slice(1),
    cwd: cwd ?? sandbox.workspace,
    env: runtimeEnv(state, sandbox.mode, sandbox.engine),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
