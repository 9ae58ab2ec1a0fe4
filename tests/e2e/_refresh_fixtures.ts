/**
 * Fixtures for the `llm refresh` end-to-end tests: recorded fake `codex` and
 * `aws` executables (small sh scripts that log their argv and answer as the
 * real tools do, driven by marker files in a state directory) and a runner
 * that starts the real `llm` with a chosen HOME and PATH.
 *
 * The answers were recorded from codex-cli (`codex login status` prints
 * "Logged in using ChatGPT" on stderr, or "Not logged in" and exits 1) and
 * AWS CLI v2 (`aws configure export-credentials` prints the
 * credential_process JSON, or exits 255 with the SSO error).
 */
import { join } from "../../lib/std/path.ts";

const REPO = new URL("../..", import.meta.url).pathname;
const MAIN = join(REPO, "main.ts");
const DENO_DIR = Deno.env.get("DENO_DIR") ?? join(Deno.env.get("HOME") ?? "/root", ".cache/deno");

/** A scratch HOME, a PATH directory of fakes, and the fakes' state directory. */
export interface RefreshWorld {
  readonly root: string;
  readonly home: string;
  readonly bin: string;
  readonly state: string;
  /** Lines `codex ARGS` / `aws ARGS` / `rsync ARGS` in the order the fakes ran. */
  log(): string[];
  /** Create a marker file that steers the fakes (e.g. `codex-logged-in`). */
  mark(name: string, content?: string): void;
  cleanup(): void;
}

/** An access token whose payload says it expires at `exp`. */
export function fakeJwt(exp: number): string {
  const b64u = (s: string) => btoa(s).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
  return `${b64u('{"alg":"none"}')}.${b64u(JSON.stringify({ exp }))}.c2ln`;
}

/** The JSON `aws configure export-credentials` prints, expiring at `expiration`. */
export function awsCredentialsJson(expiration: Date): string {
  return JSON.stringify({
    Version: 1,
    AccessKeyId: "ASIAFAKEKEY",
    SecretAccessKey: "fake-secret",
    SessionToken: "fake-session",
    Expiration: expiration.toISOString().replace(".000Z", "+00:00"),
  });
}

const CODEX = `#!/bin/sh
echo "codex $*" >> "$FAKE_STATE/log"
if [ "$1 $2" = "login status" ]; then
  if [ -f "$FAKE_STATE/codex-logged-in" ]; then echo "Logged in using ChatGPT" >&2; exit 0; fi
  echo "Not logged in" >&2; exit 1
fi
if [ "$1" = "login" ]; then
  if [ -f "$FAKE_STATE/codex-login-fails" ]; then echo "Error logging in: login cancelled" >&2; exit 1; fi
  /bin/mkdir -p "$HOME/.codex"
  /bin/cp "$FAKE_STATE/codex-auth.json" "$HOME/.codex/auth.json"
  /bin/touch "$FAKE_STATE/codex-logged-in"
  echo "Successfully logged in" >&2
  exit 0
fi
echo "fake codex: unexpected arguments: $*" >&2; exit 2
`;

const AWS = `#!/bin/sh
echo "aws $*" >> "$FAKE_STATE/log"
if [ "$1 $2" = "configure export-credentials" ]; then
  if [ -f "$FAKE_STATE/aws-credentials.json" ]; then /bin/cat "$FAKE_STATE/aws-credentials.json"; exit 0; fi
  echo "" >&2
  echo "Error when retrieving token from sso: Token has expired and refresh failed" >&2
  exit 255
fi
if [ "$1 $2" = "sso login" ]; then
  if [ -f "$FAKE_STATE/aws-login-fails" ]; then
    echo "" >&2
    echo "Missing the following required SSO configuration values: sso_start_url, sso_region." >&2
    exit 255
  fi
  echo "Successfully logged into Start URL: https://example.awsapps.com/start"
  /bin/cp "$FAKE_STATE/aws-after-login.json" "$FAKE_STATE/aws-credentials.json"
  exit 0
fi
if [ "$1 $2 $3" = "configure get region" ]; then echo "us-east-1"; exit 0; fi
echo "fake aws: unexpected arguments: $*" >&2; exit 2
`;

/** Options for `makeWorld`. */
export interface WorldOptions {
  /** Fakes to put on PATH (default both). */
  readonly fakes?: readonly ("codex" | "aws")[];
  /** Real tools to link into the PATH directory, found in /usr/bin or /bin. */
  readonly tools?: readonly string[];
}

/** Make a world; the Codex login the fake writes holds a token expiring in 2030. */
export function makeWorld(options: WorldOptions = {}): RefreshWorld {
  const root = Deno.makeTempDirSync({ prefix: "llm-refresh-" });
  Deno.chmodSync(root, 0o755);
  const home = join(root, "home");
  const bin = join(root, "bin");
  const state = join(root, "state");
  for (const d of [home, bin, state]) Deno.mkdirSync(d);
  const scripts: Record<string, string> = { codex: CODEX, aws: AWS };
  for (const name of options.fakes ?? ["codex", "aws"]) {
    Deno.writeTextFileSync(join(bin, name), scripts[name], { mode: 0o755 });
  }
  for (const tool of options.tools ?? []) {
    const real = [`/usr/bin/${tool}`, `/bin/${tool}`].find((p) => exists(p));
    if (real) Deno.symlinkSync(real, join(bin, tool));
  }
  const tokens = { access_token: fakeJwt(1893456000), refresh_token: "rt-1", account_id: "acct-1" };
  Deno.writeTextFileSync(
    join(state, "codex-auth.json"),
    JSON.stringify({ OPENAI_API_KEY: null, tokens, last_refresh: "2026-01-01T00:00:00Z" }),
  );
  const valid = awsCredentialsJson(new Date(Date.now() + 8 * 3600_000));
  Deno.writeTextFileSync(join(state, "aws-after-login.json"), valid);
  return {
    root,
    home,
    bin,
    state,
    log() {
      try {
        return Deno.readTextFileSync(join(state, "log")).split("\n").filter(Boolean);
      } catch {
        return [];
      }
    },
    mark(name: string, content = "") {
      Deno.writeTextFileSync(join(state, name), content);
    },
    cleanup() {
      Deno.removeSync(root, { recursive: true });
    },
  };
}

/** Mark Codex logged in (with its auth file) and AWS credentials valid for 8 hours. */
export function loggedIn(world: RefreshWorld): void {
  world.mark("codex-logged-in");
  Deno.mkdirSync(join(world.home, ".codex"), { recursive: true });
  Deno.copyFileSync(join(world.state, "codex-auth.json"), join(world.home, ".codex/auth.json"));
  Deno.copyFileSync(
    join(world.state, "aws-after-login.json"),
    join(world.state, "aws-credentials.json"),
  );
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Output of a finished `llm` run. */
export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Run `llm refresh args...` with HOME and PATH of `world` and nothing else
 * inherited; `wrapper` (e.g. `["strace", "-o", LOG]`) runs in front of deno.
 */
export async function runRefresh(
  world: RefreshWorld,
  args: readonly string[],
  env: Record<string, string> = {},
  wrapper: readonly string[] = [],
): Promise<Ran> {
  const deno = [Deno.execPath(), "run", "--allow-all", "--quiet", MAIN, "refresh", ...args];
  const argv = [...wrapper, ...deno];
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd: REPO,
    clearEnv: true,
    env: {
      HOME: world.home,
      PATH: world.bin,
      USER: "nobody-local",
      FAKE_STATE: world.state,
      DENO_DIR,
      ...env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** The permission bits of `path` (symlinks not followed). */
export function modeOf(path: string): number {
  return (Deno.lstatSync(path).mode ?? 0) & 0o777;
}
