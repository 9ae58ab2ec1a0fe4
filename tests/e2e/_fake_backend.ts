/**
 * Plumbing for backend tests that cannot use a real runtime here:
 * Singularity/Apptainer are not packaged for this machine and docker has no
 * engine. A fake runtime is a small recorded shell script put on a PATH the
 * test controls; llm itself runs for real (`deno run main.ts`).
 */
import { join } from "../../lib/std/path.ts";
import { MAIN } from "./_harness.ts";

const DENO_DIR = Deno.env.get("DENO_DIR") ?? join(Deno.env.get("HOME") ?? "/root", ".cache/deno");

/**
 * A fake `apptainer`/`singularity`, written from what the real one does with
 * llm's argv. It appends one line per event to `$FAKE_LOG`:
 * `argv <arg>` per argument, `home-exists`/`home-missing` for the `--home`
 * directory and `home-dir NAME`/`home-file NAME` per entry in it, `bind-empty`/`bind-missing` for a bound scratch `empty` dir,
 * `started`, and `term` when SIGTERM arrives. `--version` answers as the
 * real one does, unlogged. `exec` exits with
 * `$FAKE_EXIT` (default 0) or, with `FAKE_WAIT=1`, waits for a signal.
 * `pull DEST REF` writes `SIF REF` to DEST unless `$FAKE_EXIT` is non-zero.
 */
export const FAKE_SINGULARITY = `#!/bin/sh
log="$FAKE_LOG"
# What the real ones print (llm's session record asks once per executable).
if [ "$1" = "--version" ]; then
  case "$0" in
    *apptainer) echo "apptainer version 1.3.4" ;;
    *) echo "singularity-ce version 4.1.0" ;;
  esac
  exit 0
fi
for a in "$@"; do printf 'argv %s\\n' "$a" >> "$log"; done
while [ "$1" = "--quiet" ] || [ "$1" = "-q" ]; do shift; done
if [ "$1" = "pull" ]; then
  if [ "\${FAKE_EXIT:-0}" != 0 ]; then echo "FATAL: fake pull failed" >&2; exit "$FAKE_EXIT"; fi
  printf 'SIF %s\\n' "$3" > "$2"
  exit 0
fi
prev=""
for a in "$@"; do
  if [ "$prev" = "--home" ]; then
    home="\${a%%:*}"
    if [ -d "$home" ]; then echo home-exists >> "$log"; else echo home-missing >> "$log"; fi
    for e in $(/bin/ls -A "$home"); do
      if [ -d "$home/$e" ]; then echo "home-dir $e" >> "$log"; else echo "home-file $e" >> "$log"; fi
    done
  fi
  if [ "$prev" = "--bind" ]; then
    case "$a" in
      */empty:*) d="\${a%%:*}"
        if [ -d "$d" ] && [ -z "$(/bin/ls -A "$d")" ]; then echo bind-empty >> "$log";
        else echo bind-missing >> "$log"; fi ;;
    esac
  fi
  prev="$a"
done
echo started >> "$log"
if [ -n "$FAKE_WAIT" ]; then
  /bin/sleep 300 &
  pid=$!
  trap 'echo term >> "$log"; kill $pid; exit 143' TERM
  wait $pid
fi
exit "\${FAKE_EXIT:-0}"
`;

/** A scratch area: a fake-runtime dir, a workspace, a home and a TMPDIR. */
export interface FakeArea {
  readonly root: string;
  readonly bin: string;
  readonly workspace: string;
  readonly home: string;
  readonly tmp: string;
  readonly log: string;
  cleanup(): Promise<void>;
}

/** Make a scratch area. */
export async function makeFakeArea(): Promise<FakeArea> {
  const root = await Deno.makeTempDir({ prefix: "llm-backend-" });
  const area = {
    root,
    bin: join(root, "bin"),
    workspace: join(root, "work"),
    home: join(root, "home"),
    tmp: join(root, "tmp"),
    log: join(root, "fake.log"),
    async cleanup() {
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
  for (const d of [area.bin, area.workspace, area.home, area.tmp]) await Deno.mkdir(d);
  return area;
}

/** Put an executable `name` with `script` in the area's bin. */
export async function addFake(area: FakeArea, name: string, script: string): Promise<void> {
  const path = join(area.bin, name);
  await Deno.writeTextFile(path, script);
  await Deno.chmod(path, 0o755);
}

/** Lines of the fake's log (empty when it never ran). */
export async function fakeLog(area: FakeArea): Promise<string[]> {
  try {
    return (await Deno.readTextFile(area.log)).split("\n").filter((l) => l !== "");
  } catch {
    return [];
  }
}

/** The argv the fake last recorded for `exec`/`pull`, in order. */
export async function fakeArgv(area: FakeArea): Promise<string[]> {
  return (await fakeLog(area)).filter((l) => l.startsWith("argv ")).map((l) => l.slice(5));
}

/** Start `llm args...` with PATH = `path` (default: only the fake bin). */
export function spawnLlm(
  area: FakeArea,
  args: readonly string[],
  options: { env?: Record<string, string>; path?: string } = {},
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", MAIN, ...args],
    cwd: area.workspace,
    clearEnv: true,
    env: {
      HOME: area.home,
      PATH: options.path ?? area.bin,
      TMPDIR: area.tmp,
      DENO_DIR,
      FAKE_LOG: area.log,
      ...options.env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Run `llm args...` to completion. */
export async function runFakeLlm(
  area: FakeArea,
  args: readonly string[],
  options: { env?: Record<string, string>; path?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await spawnLlm(area, args, options).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
