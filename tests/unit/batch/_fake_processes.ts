/**
 * A fake `Processes` for the batch runner's unit tests, over a fake
 * `System`'s file tree: each spawned task finishes when the test says, or
 * at once with a scripted exit code, and the most tasks ever running at
 * the same time is recorded.
 */
import type { Ended, Launched, Processes, SpawnOptions } from "../../../lib/batch/_process.ts";
import type { ProgramFacts } from "../../../lib/batch/self.ts";
import { dirname } from "../../../lib/std/path.ts";
import type { FakeSystem } from "../../_fake_system.ts";

/** One spawned task. */
export interface FakeChild {
  readonly argv: readonly string[];
  readonly options: SpawnOptions;
  readonly signals: string[];
  finish(ended: Ended): void;
}

/** The fake plus what happened. */
export interface FakeProcesses extends Processes {
  readonly children: FakeChild[];
  /** The most children running at once. */
  readonly peak: () => number;
  /** Signals sent with `signal(pid, ...)`. */
  readonly sent: [number, string][];
  /** Deliver a terminal signal (Ctrl-C) to the handlers. */
  terminate(signal: string): void;
}

/** Options of `fakeProcesses`. */
export interface FakeProcessOptions {
  /** Exit code of a task by its argv (joined); undefined: the test finishes it. */
  exitOf?: (argv: readonly string[]) => number | undefined;
  /** Pids that exist. */
  alive?: readonly number[];
  program?: ProgramFacts;
  cpus?: number;
  /** End a child at once on SIGTERM with 143 (default true). */
  endOnTerm?: boolean;
}

export function fakeProcesses(system: FakeSystem, options: FakeProcessOptions = {}): FakeProcesses {
  const children: FakeChild[] = [];
  const handlers = new Set<(s: string) => void>();
  const sent: [number, string][] = [];
  let running = 0;
  let peak = 0;
  let nextPid = 1000;
  return {
    pid: 42,
    children,
    sent,
    peak: () => peak,
    terminate(signal) {
      for (const h of [...handlers]) h(signal);
    },
    spawn(argv, spawnOptions): Launched {
      running++;
      peak = Math.max(peak, running);
      let resolve!: (e: Ended) => void;
      const ended = new Promise<Ended>((r) => (resolve = r));
      let done = false;
      const child: FakeChild = {
        argv,
        options: spawnOptions,
        signals: [],
        finish(e) {
          if (done) return;
          done = true;
          running--;
          resolve(e);
        },
      };
      children.push(child);
      system.writeFileAtomic(spawnOptions.stdoutPath, `out of ${argv.at(-1)}\n`);
      system.writeFileAtomic(spawnOptions.stderrPath, "");
      const code = options.exitOf?.(argv);
      // Finish on a later turn, as a real process would.
      if (code !== undefined) setTimeout(() => child.finish({ code, signal: null }), 1);
      return {
        pid: nextPid++,
        kill(signal) {
          child.signals.push(signal);
          if (signal === "SIGKILL" || options.endOnTerm !== false) {
            child.finish({ code: signal === "SIGKILL" ? 137 : 143, signal });
          }
        },
        ended,
      };
    },
    onTerminate(handler) {
      handlers.add(handler);
      return () => void handlers.delete(handler);
    },
    alive: (pid) => (options.alive ?? []).includes(pid),
    signal(pid, signal) {
      sent.push([pid, signal]);
      return (options.alive ?? []).includes(pid);
    },
    entries(dir) {
      const out: string[] = [];
      for (const p of system.files.keys()) {
        if (dirname(p) === dir && p !== dir) out.push(p.slice(dir.length + 1));
      }
      return out;
    },
    move(from, to) {
      for (const [p, f] of [...system.files]) {
        if (p === from || p.startsWith(`${from}/`)) {
          system.files.delete(p);
          system.files.set(to + p.slice(from.length), f);
        }
      }
    },
    hostname: () => "node1",
    cpus: () => options.cpus ?? 4,
    program: () =>
      options.program ?? { execPath: "/shared/bin/llm", mainModule: "file:///x", standalone: true },
  };
}
