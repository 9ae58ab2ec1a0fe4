/**
 * The real `System`: Deno's APIs, used nowhere else in `lib/`.
 */
import { dirname, join } from "../std/path.ts";
import type { FileKind } from "../launch/host_facts.ts";
import type { InteractiveResult, ProcessOutput, RunOptions, System } from "./system.ts";

const TAIL_BYTES = 8192;

/** Build the real system from the running process. */
export function realSystem(): System {
  const env = Deno.env.toObject();
  const home = env.HOME ?? "/";
  const encoder = new TextEncoder();
  return {
    env,
    cwd: Deno.cwd(),
    home,
    os: Deno.build.os,
    arch: Deno.build.arch,
    uid: Deno.uid() ?? 0,
    gid: Deno.gid() ?? 0,
    stat,
    realPath(path: string): string | null {
      return probe(() => Deno.realPathSync(path), null);
    },
    readLink(path: string): string | null {
      return probe(() => Deno.readLinkSync(path), null);
    },
    linkCount(path: string): number | null {
      return probe(() => Deno.statSync(path).nlink, null);
    },
    denied(path: string): boolean {
      try {
        Deno.statSync(path);
        return false;
      } catch (e) {
        return e instanceof Deno.errors.PermissionDenied;
      }
    },
    readHead(path: string, bytes: number): Uint8Array | null {
      return probe(() => {
        using file = Deno.openSync(path);
        const buf = new Uint8Array(bytes);
        const n = file.readSync(buf) ?? 0;
        return buf.subarray(0, n);
      }, null);
    },
    which(name: string): string | null {
      return which(name, env.PATH ?? "");
    },
    output,
    interactive,
    isTerminal(stream?: "stdout" | "stderr"): boolean {
      if (stream !== undefined) {
        return (stream === "stderr" ? Deno.stderr : Deno.stdout).isTerminal();
      }
      return Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
    },
    prompt,
    stdout(text: string): void {
      writeAll(Deno.stdout, encoder.encode(text));
    },
    stderr(text: string): void {
      writeAll(Deno.stderr, encoder.encode(text));
    },
    mkdir(path: string, mode?: number): void {
      Deno.mkdirSync(path, { recursive: true, mode });
    },
    createFileIfAbsent(path: string, content: string, mode?: number): void {
      try {
        Deno.writeTextFileSync(path, content, { createNew: true, mode });
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
      }
    },
    async readBounded(path: string, limit: number, followSymlinks: boolean) {
      return (await import("./bounded_read.ts")).readBounded(path, limit, followSymlinks);
    },
    async credentialTree() {
      return (await import("./credential_tree.ts")).realCredentialTree();
    },
    readText(path: string): string | null {
      let missing = false;
      const text = probe(
        () => {
          try {
            return Deno.readTextFileSync(path);
          } catch (e) {
            if (!(e instanceof Deno.errors.NotFound)) throw e;
            missing = true;
            return null;
          }
        },
        undefined,
        true,
      );
      return missing ? null : text ?? null;
    },
    writeFileAtomic,
    makeTempDir(prefix: string): string {
      return Deno.makeTempDirSync({ prefix });
    },
    remove(path: string): void {
      try {
        Deno.removeSync(path, { recursive: true });
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    },
    listDir(path: string): string[] | null {
      return probe(() => [...Deno.readDirSync(path)].map((e) => e.name), null);
    },
    createExclusive(path: string, content: string, mode = 0o600): boolean {
      try {
        Deno.writeTextFileSync(path, content, { createNew: true, mode });
        return true;
      } catch (e) {
        if (e instanceof Deno.errors.AlreadyExists) return false;
        throw e;
      }
    },
    fileStamp(path: string): string | null {
      return probe(() => {
        const info = Deno.statSync(path);
        return `${info.size}:${info.mtime?.getTime() ?? 0}:${info.ino ?? 0}`;
      }, null);
    },
    pid: Deno.pid,
    processStart,
    kill(pid: number, signal: "SIGTERM" | "SIGKILL"): boolean {
      return probe(() => {
        Deno.kill(pid, signal);
        return true;
      }, false);
    },
    cleanupOnSignal,
    now: () => Date.now(),
    sleep: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
    // Only docker sessions ask the Engine API: loaded then.
    unixHttpGet: async (socket, path) => (await import("./unix_http.ts")).unixHttpGet(socket, path),
  };
}

/** Interactive children running now: while there are any, signals are theirs (`interactive`). */
let interactiveRuns = 0;

const TERMINATING: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];
const cleanups = new Set<() => void>();
const terminators = new Map<Deno.Signal, () => void>();

function cleanupOnSignal(cleanup: () => void): () => void {
  const entry = () => cleanup();
  cleanups.add(entry);
  if (terminators.size === 0) {
    for (const sig of TERMINATING) {
      const handler = () => {
        if (interactiveRuns > 0) return;
        for (const c of cleanups) {
          try {
            c();
          } catch { /* the others still run, and the process still ends */ }
        }
        Deno.exit(128 + signalNumber(sig));
      };
      terminators.set(sig, handler);
      Deno.addSignalListener(sig, handler);
    }
  }
  return () => {
    cleanups.delete(entry);
    if (cleanups.size > 0) return;
    // With no listener left a signal ends the process by default again.
    for (const [sig, handler] of terminators) Deno.removeSignalListener(sig, handler);
    terminators.clear();
  };
}

/**
 * A process's start time, which with its pid names it uniquely: on Linux
 * field 22 of /proc/PID/stat (read directly, no child process), elsewhere
 * what `ps` says.
 */
function processStart(pid: number): string | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  if (Deno.build.os === "linux") {
    const stat = probe(() => Deno.readTextFileSync(`/proc/${pid}/stat`), null);
    if (stat === null) return null;
    // The command name (field 2) may hold spaces and parentheses: count from its end.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] ?? null;
  }
  const out = probe(
    () => new Deno.Command("ps", { args: ["-o", "lstart=", "-p", String(pid)] }).outputSync(),
    null,
  );
  const text = out?.success ? new TextDecoder().decode(out.stdout).trim() : "";
  return text === "" ? null : text;
}

async function prompt(question: string): Promise<string | null> {
  writeAll(Deno.stderr, new TextEncoder().encode(question));
  // One byte at a time, so nothing after the answer's newline is consumed.
  const bytes: number[] = [];
  const buf = new Uint8Array(1);
  for (;;) {
    const n = await Deno.stdin.read(buf);
    if (n === null) {
      return bytes.length === 0 ? null : new TextDecoder().decode(new Uint8Array(bytes));
    }
    if (n === 0) continue;
    if (buf[0] === 0x0a) break;
    bytes.push(buf[0]);
  }
  return new TextDecoder().decode(new Uint8Array(bytes)).replace(/\r$/, "");
}

/**
 * Run a look-up that often fails (a file that may be absent, a PATH entry)
 * without capturing stack traces: they are never shown, and building them
 * makes each miss about three times slower on the start-up path. Failures
 * give `fallback`, or are rethrown (stackless) when `rethrow` is set.
 */
function probe<T, F>(fn: () => T, fallback: F, rethrow = false): T | F {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return fn();
  } catch (e) {
    if (rethrow) throw e;
    return fallback;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function stat(path: string): FileKind | null {
  return probe(() => {
    const info = Deno.statSync(path);
    return info.isFile ? "file" : info.isDirectory ? "dir" : "other";
  }, null);
}

/** Find an executable on a PATH string (a directory listed twice is looked in once). */
export function which(name: string, path: string): string | null {
  if (name.includes("/")) return isExecutable(name) ? name : null;
  for (const dir of new Set(path.split(":"))) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function isExecutable(path: string): boolean {
  return probe(() => {
    const info = Deno.statSync(path);
    return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
  }, false);
}

function writeAll(target: { writeSync(p: Uint8Array): number }, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += target.writeSync(data.subarray(off));
}

/** Write `content` to `path` through a temporary file in the same directory and a rename. */
export function writeFileAtomic(
  path: string,
  content: string | Uint8Array,
  mode = 0o600,
  durable = true,
): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${crypto.randomUUID()}.tmp`);
  const data = typeof content === "string" ? new TextEncoder().encode(content) : content;
  try {
    // createNew is O_EXCL: it never follows a link planted at the name.
    using file = Deno.openSync(tmp, { write: true, createNew: true, mode });
    const opened = file.statSync();
    // The umask may have narrowed the mode; credential files need exactly it.
    // Deno has no fchmod, so chmod by name, but only the file just opened:
    // in a directory the agent can write, the name may have been swapped.
    if (((opened.mode ?? mode) & 0o7777) !== mode) {
      const named = Deno.lstatSync(tmp);
      if (!named.isFile || named.ino !== opened.ino || named.dev !== opened.dev) {
        throw new Error(`${tmp} was replaced while being written; nothing was written to ${path}`);
      }
      Deno.chmodSync(tmp, mode);
    }
    writeAll(file, data);
    if (durable) file.syncSync();
  } catch (e) {
    try {
      Deno.removeSync(tmp);
    } catch { /* it was never created */ }
    throw e;
  }
  Deno.renameSync(tmp, path);
}

async function output(argv: readonly string[], options: RunOptions = {}): Promise<ProcessOutput> {
  try {
    const child = new Deno.Command(argv[0], {
      args: argv.slice(1),
      cwd: options.cwd,
      env: options.env,
      clearEnv: options.clearEnv,
      stdin: options.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    if (options.stdin !== undefined) {
      const w = child.stdin.getWriter();
      await w.write(new TextEncoder().encode(options.stdin));
      await w.close();
    }
    const out = await child.output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      return { code: 127, stdout: "", stderr: `${argv[0]}: not found` };
    }
    throw e;
  }
}

const FORWARDED: Deno.Signal[] = ["SIGTERM", "SIGHUP"];

async function interactive(
  argv: readonly string[],
  options: RunOptions = {},
): Promise<InteractiveResult> {
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd: options.cwd,
    env: options.env,
    clearEnv: options.clearEnv,
    stdin: "inherit",
    stdout: "inherit",
    stderr: options.inheritStderr ? "inherit" : "piped",
  }).spawn();
  options.onSpawn?.(child.pid);
  // Ctrl-C reaches the child through the terminal's process group (or, with
  // a TTY, as a keystroke); this process only has to outlive it.
  const ignoreInt = () => {};
  const forward = new Map<Deno.Signal, () => void>();
  Deno.addSignalListener("SIGINT", ignoreInt);
  for (const sig of FORWARDED) {
    const handler = () => {
      if (options.onSignal?.(sig as "SIGTERM" | "SIGHUP")) return;
      try {
        child.kill(sig);
      } catch { /* already gone */ }
    };
    forward.set(sig, handler);
    Deno.addSignalListener(sig, handler);
  }
  let tail = new Uint8Array(0);
  interactiveRuns++;
  try {
    for await (const chunk of options.inheritStderr ? [] : child.stderr) {
      writeAll(Deno.stderr, chunk);
      const joined = new Uint8Array(tail.length + chunk.length);
      joined.set(tail);
      joined.set(chunk, tail.length);
      tail = joined.subarray(Math.max(0, joined.length - TAIL_BYTES));
    }
    const status = await child.status;
    const code = status.signal ? 128 + signalNumber(status.signal) : status.code;
    return { code, stderrTail: new TextDecoder().decode(tail) };
  } finally {
    interactiveRuns--;
    Deno.removeSignalListener("SIGINT", ignoreInt);
    for (const [sig, handler] of forward) Deno.removeSignalListener(sig, handler);
  }
}

function signalNumber(signal: Deno.Signal): number {
  const numbers: Partial<Record<Deno.Signal, number>> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGQUIT: 3,
    SIGKILL: 9,
    SIGTERM: 15,
  };
  return numbers[signal] ?? 1;
}
