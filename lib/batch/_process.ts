/**
 * The batch runner's edge: starting a task's process with its output going
 * to log files, signalling processes, and hearing Ctrl-C/SIGTERM. `System`
 * runs processes to completion or attached to the terminal; a batch needs
 * many at once, each writing to files, and ends them itself, so it has this
 * small interface of its own (tests hand in a fake).
 */
import type { ProgramFacts } from "./self.ts";

/** How a task's process ended. */
export interface Ended {
  /** The exit code; 128 + the signal's number when a signal ended it. */
  readonly code: number;
  readonly signal: string | null;
}

/** A running task process. */
export interface Launched {
  readonly pid: number;
  kill(signal: "SIGTERM" | "SIGKILL"): void;
  readonly ended: Promise<Ended>;
}

/** Where a task's process runs and writes. */
export interface SpawnOptions {
  readonly cwd: string;
  /** Variables added to the runner's own environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly stdoutPath: string;
  readonly stderrPath: string;
}

/** What the runner does to processes. */
export interface Processes {
  /** Start `argv` with stdin empty and stdout/stderr appended to the files (made 0600). */
  spawn(argv: readonly string[], options: SpawnOptions): Launched;
  /** Call `handler` on SIGINT, SIGTERM or SIGHUP until the returned function is called. */
  onTerminate(handler: (signal: string) => void): () => void;
  /** Whether a process with `pid` exists. */
  alive(pid: number): boolean;
  /** Send `signal` to `pid`; false when there is no such process. */
  signal(pid: number, signal: "SIGTERM" | "SIGKILL"): boolean;
  readonly pid: number;
  /** Names in directory `dir` ([] when absent). */
  entries(dir: string): string[];
  /** Rename `from` to `to` (same file system). */
  move(from: string, to: string): void;
  hostname(): string;
  cpus(): number;
  /** What this program is, for `selfInvocation`. */
  program(): ProgramFacts;
}

/**
 * Copy a child's output to `file` chunk by chunk, closing it at the end:
 * `pipeTo(file.writable)` held everything back until the child ended, and
 * `tail -f stdout.log` of a running task must show what it printed so far.
 */
async function copy(stream: ReadableStream<Uint8Array>, file: Deno.FsFile): Promise<void> {
  try {
    for await (const chunk of stream) {
      for (let n = 0; n < chunk.length;) n += file.writeSync(chunk.subarray(n));
    }
  } finally {
    file.close();
  }
}

const SIGNALS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** The real processes. */
export function realProcesses(): Processes {
  return {
    pid: Deno.pid,
    spawn(argv, options): Launched {
      const open = (path: string) =>
        Deno.openSync(path, { write: true, create: true, append: true, mode: 0o600 });
      const out = open(options.stdoutPath);
      const err = open(options.stderrPath);
      let child: Deno.ChildProcess;
      try {
        child = new Deno.Command(argv[0], {
          args: argv.slice(1),
          cwd: options.cwd,
          ...(options.env ? { env: { ...options.env } } : {}),
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
          // A session of its own: Ctrl-C reaches the runner alone, which ends
          // each launch in order (SIGTERM, which llm hands to the container),
          // rather than every launch and runtime client racing the same SIGINT.
          detached: true,
        }).spawn();
      } catch (e) {
        const message = e instanceof Deno.errors.NotFound
          ? `llm: error: cannot run ${argv[0]}: not found\n`
          : `llm: error: cannot run ${argv[0]}: ${(e as Error).message}\n`;
        err.writeSync(new TextEncoder().encode(message));
        out.close();
        err.close();
        return { pid: 0, kill() {}, ended: Promise.resolve({ code: 127, signal: null }) };
      }
      const ended = (async () => {
        await Promise.all([copy(child.stdout, out), copy(child.stderr, err)]);
        const status = await child.status;
        return {
          code: status.signal ? 128 + (SIGNALS[status.signal] ?? 1) : status.code,
          signal: status.signal ?? null,
        };
      })();
      return {
        pid: child.pid,
        kill(signal) {
          try {
            // The last resort takes the launch's whole group (llm and its runtime client).
            if (signal === "SIGKILL") Deno.kill(-child.pid, signal);
            else child.kill(signal);
          } catch {
            try {
              child.kill(signal);
            } catch { /* already gone */ }
          }
        },
        ended,
      };
    },
    onTerminate(handler) {
      const sigs: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];
      const listeners = sigs.map((s) => [s, () => handler(s)] as const);
      for (const [s, l] of listeners) Deno.addSignalListener(s, l);
      return () => {
        for (const [s, l] of listeners) Deno.removeSignalListener(s, l);
      };
    },
    alive(pid) {
      try {
        Deno.kill(pid, "SIGCONT");
        return true;
      } catch (e) {
        // Not ours to signal still means it exists.
        return e instanceof Deno.errors.PermissionDenied;
      }
    },
    signal(pid, signal) {
      try {
        Deno.kill(pid, signal);
        return true;
      } catch {
        return false;
      }
    },
    entries(dir) {
      try {
        return [...Deno.readDirSync(dir)].map((e) => e.name);
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return [];
        throw e;
      }
    },
    move(from, to) {
      Deno.renameSync(from, to);
    },
    hostname: () => Deno.hostname(),
    cpus: () => navigator.hardwareConcurrency ?? 1,
    program: () => ({
      execPath: Deno.execPath(),
      mainModule: Deno.mainModule,
      standalone: Deno.build.standalone === true,
    }),
  };
}
