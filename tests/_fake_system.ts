/**
 * An in-memory `System` for unit tests: a small file tree, a PATH of named
 * executables, scripted process results, and a record of everything done.
 */
import type { FileKind } from "../lib/launch/host_facts.ts";
import { dirname, normalize } from "../lib/std/path.ts";
import { fakeCredentialTree } from "./_fake_credential_tree.ts";
import type {
  BoundedRead,
  HttpAnswer,
  InteractiveResult,
  ProcessOutput,
  RunOptions,
  System,
} from "../lib/system/system.ts";

/** What a `.pem` path listed in `files` holds. */
export const FAKE_PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

/** The container id the fake runtime writes to `--cidfile`. */
export const FAKE_CONTAINER_ID = "c0ffee0000000000000000000000000000000000000000000000000000000001";
/** The pid `interactive` reports for the runtime process it "spawns". */
export const FAKE_RUNTIME_PID = 31337;

/** A file in the fake tree. */
export interface FakeFile {
  kind: FileKind;
  content?: Uint8Array;
  mode?: number;
  /** Target for a symlink (resolved by realPath). */
  linkTo?: string;
  /** Hard-link count (default 1). */
  links?: number;
}

/** How to build a fake system. */
export interface FakeSystemOptions {
  env?: Record<string, string>;
  cwd?: string;
  home?: string;
  os?: string;
  arch?: string;
  uid?: number;
  gid?: number;
  /**
   * Paths that exist: a trailing `/` makes a directory; parents are implied.
   * Files are empty, but a `.pem` holds one certificate (FAKE_PEM).
   */
  files?: readonly string[];
  /** Paths whose look-up is refused for lack of permission (they and what is below them). */
  denied?: readonly string[];
  /** Executables on PATH, by name. */
  executables?: readonly string[];
  terminal?: boolean;
  /** Output streams that are a terminal, for `isTerminal(stream)` (default none). */
  terminalStreams?: readonly ("stdout" | "stderr")[];
  /** Answers for `output`, matched by the joined argv's prefix. */
  outputs?: Record<string, Partial<ProcessOutput>>;
  /** Result of `interactive`. */
  interactiveResult?: InteractiveResult;
  /**
   * How far the fake runtime gets before the result: it writes the markers a
   * real podman/docker writes (`--cidfile`, `--pidfile`). Default "started".
   */
  runtimeReached?: "none" | "created" | "started";
  /** Results of `interactive` by the joined argv's prefix; others get `interactiveResult`. */
  interactiveResults?: Record<string, InteractiveResult>;
  /** What the agent does while its container runs (`interactive`): writes to mounted files. */
  agent?: (argv: readonly string[], system: FakeSystem) => void;
  /** Lines typed in answer to `prompt`, in order; null (end of input) once used up. */
  answers?: readonly string[];
  /** Running processes by pid, with their start times (`processStart`); default: this one. */
  processes?: Record<number, string>;
  /** The fake clock's start, ms since the epoch (default 2026-12-01T10:00:00Z). */
  now?: number;
  /** This process's pid (default 4242). */
  pid?: number;
  /** Answers of `unixHttpGet`, by socket and then request path; others get null. */
  sockets?: Record<string, Record<string, HttpAnswer>>;
}

/** A fake system plus what was done to it. */
export interface FakeSystem extends System {
  readonly files: Map<string, FakeFile>;
  readonly out: string[];
  readonly err: string[];
  /**
   * Every argv run, captured or interactive, in order, except the session
   * record's own queries (lib/session/record.ts), which go to `background`.
   */
  readonly ran: string[][];
  /** The session record's image and runtime-version queries, in order. */
  readonly background: string[][];
  /** The options of each interactive run, in order. */
  readonly interactiveOptions: RunOptions[];
  /** The lines of the `--env-file` each interactive argv named, as it was at launch. */
  readonly envFileOf: Map<readonly string[], string[]>;
  /** Mutating file operations, e.g. `mkdir /h/.codex`. */
  readonly changes: string[];
  /** Questions asked with `prompt`, in order. */
  readonly prompts: string[];
  /** Signals sent with `kill`, as `SIGNAL PID`. */
  readonly signals: string[];
  /** Running processes (pid to start time); `kill` with SIGKILL ends one. */
  readonly processes: Map<number, string>;
  /** Requests made with `unixHttpGet`, as `SOCKET PATH`. */
  readonly httpGets: string[];
  /** Move the fake clock on. */
  advance(ms: number): void;
  /**
   * A SIGINT, SIGTERM or SIGHUP outside an interactive run: the `cleanupOnSignal`
   * clean-ups run and their exit status goes to `exits` (the fake cannot end).
   */
  raise(signal: "SIGINT" | "SIGTERM" | "SIGHUP"): void;
  /** Exit statuses `cleanupOnSignal` ended the process with, in order. */
  readonly exits: number[];
}

/** Make a fake system. */
export function fakeSystem(options: FakeSystemOptions = {}): FakeSystem {
  const files = new Map<string, FakeFile>();
  const addDir = (path: string) => {
    let p = path;
    while (p !== "/" && !files.has(p)) {
      files.set(p, { kind: "dir" });
      p = dirname(p);
    }
    files.set("/", { kind: "dir" });
  };
  const cwd = options.cwd ?? "/work/project";
  const home = options.home ?? "/home/user";
  addDir(cwd);
  addDir(home);
  for (const f of options.files ?? []) {
    if (f.endsWith("/")) addDir(normalize(f.slice(0, -1)));
    else {
      addDir(dirname(f));
      // A listed `.pem` holds one certificate, as launches now check; others are empty.
      const content = f.endsWith(".pem") ? new TextEncoder().encode(FAKE_PEM) : new Uint8Array();
      files.set(f, { kind: "file", content });
    }
  }
  const out: string[] = [];
  const err: string[] = [];
  const ran: string[][] = [];
  const background: string[][] = [];
  const httpGets: string[] = [];
  // Off the launch's path, so kept apart: tests of a launch look at what it runs.
  const isSessionQuery = (argv: readonly string[]) =>
    (argv.length === 2 && argv[1] === "--version") ||
    argv.some((a) => a.includes("{{json .RepoDigests}}")) ||
    (argv[1] === "run" && argv.includes("--network=none") && argv.at(-1) === "--version");
  const envFileOf = new Map<readonly string[], string[]>();
  const interactiveOptions: RunOptions[] = [];
  const changes: string[] = [];
  const prompts: string[] = [];
  const signals: string[] = [];
  const terminators = new Set<() => void>();
  const exits: number[] = [];
  const pid = options.pid ?? 4242;
  const processes = new Map<number, string>(
    Object.entries(options.processes ?? { [pid]: "1000" }).map(([k, v]) => [Number(k), v]),
  );
  let clock = options.now ?? Date.parse("2026-12-01T10:00:00Z");
  const answers = [...(options.answers ?? [])];
  const executables = new Set(options.executables ?? ["podman"]);
  const resolveLinks = (path: string): string => {
    let p = normalize(path);
    for (let i = 0; i < 20; i++) {
      const f = files.get(p);
      if (!f?.linkTo) break;
      p = normalize(f.linkTo);
    }
    return p;
  };
  const answer = (argv: readonly string[]): ProcessOutput => {
    const line = argv.join(" ");
    const keys = Object.keys(options.outputs ?? {}).sort((a, b) => b.length - a.length);
    const key = keys.find((k) => line.startsWith(k));
    const found = key === undefined ? undefined : options.outputs?.[key];
    if (found) {
      return { code: found.code ?? 0, stdout: found.stdout ?? "", stderr: found.stderr ?? "" };
    }
    if (!executables.has(argv[0])) {
      return { code: 127, stdout: "", stderr: `${argv[0]}: not found` };
    }
    return { code: 0, stdout: "", stderr: "" };
  };
  const system: FakeSystem = {
    env: options.env ?? {},
    cwd,
    home,
    os: options.os ?? "linux",
    arch: options.arch ?? "x86_64",
    uid: options.uid ?? 1000,
    gid: options.gid ?? 1000,
    files,
    out,
    err,
    ran,
    background,
    envFileOf,
    interactiveOptions,
    changes,
    prompts,
    signals,
    processes,
    pid,
    httpGets,
    unixHttpGet(socket: string, path: string): Promise<HttpAnswer | null> {
      httpGets.push(`${socket} ${path}`);
      return Promise.resolve(options.sockets?.[socket]?.[path] ?? null);
    },
    advance(ms: number): void {
      clock += ms;
    },
    cleanupOnSignal(cleanup: () => void): () => void {
      const entry = () => cleanup();
      terminators.add(entry);
      return () => void terminators.delete(entry);
    },
    raise(signal: "SIGINT" | "SIGTERM" | "SIGHUP"): void {
      if (terminators.size === 0) return;
      for (const cleanup of terminators) cleanup();
      exits.push(128 + { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }[signal]);
    },
    exits,
    now: () => clock,
    sleep(ms: number): Promise<void> {
      clock += ms;
      return Promise.resolve();
    },
    fileStamp(path: string): string | null {
      const f = files.get(resolveLinks(path));
      return f ? `${f.content?.length ?? 0}:0:0` : null;
    },
    processStart: (p: number) => processes.get(p) ?? null,
    kill(p: number, signal: "SIGTERM" | "SIGKILL"): boolean {
      signals.push(`${signal} ${p}`);
      if (!processes.has(p)) return false;
      if (signal === "SIGKILL") processes.delete(p);
      return true;
    },
    listDir(path: string): string[] | null {
      const dir = normalize(path);
      if (files.get(resolveLinks(dir))?.kind !== "dir") return null;
      const prefix = dir === "/" ? "/" : `${dir}/`;
      return [...files.keys()].filter((k) =>
        k.startsWith(prefix) && k.length > prefix.length && !k.slice(prefix.length).includes("/")
      ).map((k) => k.slice(prefix.length));
    },
    createExclusive(path: string, content: string, mode?: number): boolean {
      if (files.has(normalize(path))) return false;
      if (files.get(resolveLinks(dirname(path)))?.kind !== "dir") {
        throw new Deno.errors.NotFound(`fake: no directory ${dirname(path)} for ${path}`);
      }
      changes.push(`create ${path}`);
      files.set(normalize(path), {
        kind: "file",
        content: new TextEncoder().encode(content),
        mode,
      });
      return true;
    },
    stat(path: string): FileKind | null {
      return files.get(resolveLinks(path))?.kind ?? null;
    },
    realPath(path: string): string | null {
      // Resolve symlinks in every component, as the real call does.
      const parts = normalize(path).split("/").filter(Boolean);
      let p = "/";
      for (const part of parts) {
        p = resolveLinks(p === "/" ? `/${part}` : `${p}/${part}`);
        if (!files.has(p)) return null;
      }
      return p;
    },
    readLink(path: string): string | null {
      return files.get(normalize(path))?.linkTo ?? null;
    },
    linkCount(path: string): number | null {
      const f = files.get(resolveLinks(path));
      return f ? f.links ?? 1 : null;
    },
    denied(path: string): boolean {
      const p = normalize(path);
      return (options.denied ?? []).some((d) => p === d || p.startsWith(`${d}/`));
    },
    readHead(path: string, bytes: number): Uint8Array | null {
      const f = files.get(resolveLinks(path));
      // No read bit at all stands for a file the user cannot read.
      if (f?.kind !== "file" || (f.mode !== undefined && (f.mode & 0o444) === 0)) return null;
      return (f.content ?? new Uint8Array()).subarray(0, bytes);
    },
    which(name: string): string | null {
      return executables.has(name) ? `/usr/bin/${name}` : null;
    },
    output(argv: readonly string[], _options?: RunOptions): Promise<ProcessOutput> {
      (isSessionQuery(argv) ? background : ran).push([...argv]);
      return Promise.resolve(answer(argv));
    },
    interactive(argv: readonly string[], runOptions?: RunOptions): Promise<InteractiveResult> {
      const copy = [...argv];
      ran.push(copy);
      interactiveOptions.push(runOptions ?? {});
      const flag = (name: string) =>
        argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
      const envFile = flag("env-file");
      const content = envFile === undefined ? undefined : files.get(envFile)?.content;
      if (content) {
        envFileOf.set(copy, new TextDecoder().decode(content).split("\n").filter((l) => l));
      }
      const reached = options.runtimeReached ?? "started";
      const markers = [
        ...(reached === "none" ? [] : [flag("cidfile")]),
        ...(reached === "started" ? [flag("pidfile")] : []),
      ];
      runOptions?.onSpawn?.(FAKE_RUNTIME_PID);
      for (const m of markers) if (m !== undefined) files.set(m, { kind: "file", mode: 0o644 });
      // What podman writes to --cidfile: the container id.
      const cidfile = reached === "none" ? undefined : flag("cidfile");
      if (cidfile !== undefined) {
        files.set(cidfile, {
          kind: "file",
          mode: 0o644,
          content: new TextEncoder().encode(FAKE_CONTAINER_ID),
        });
      }
      options.agent?.(copy, system);
      const line = argv.join(" ");
      const key = Object.keys(options.interactiveResults ?? {})
        .sort((a, b) => b.length - a.length)
        .find((k) => line.startsWith(k));
      const scripted = key === undefined ? undefined : options.interactiveResults?.[key];
      return Promise.resolve(
        scripted ?? options.interactiveResult ?? { code: 0, stderrTail: "" },
      );
    },
    isTerminal: (stream) =>
      stream === undefined
        ? options.terminal ?? false
        : options.terminalStreams?.includes(stream) ?? false,
    prompt(question: string): Promise<string | null> {
      prompts.push(question);
      return Promise.resolve(answers.shift() ?? null);
    },
    stdout: (text: string) => void out.push(text),
    stderr: (text: string) => void err.push(text),
    mkdir(path: string, mode?: number): void {
      changes.push(`mkdir ${path}`);
      addDir(path);
      const f = files.get(path);
      if (f) f.mode = mode;
    },
    createFileIfAbsent(path: string, content: string, mode?: number): void {
      if (files.has(path)) return;
      // As the real call: no parents are made.
      if (files.get(resolveLinks(dirname(path)))?.kind !== "dir") {
        throw new Deno.errors.NotFound(`fake: no directory ${dirname(path)} for ${path}`);
      }
      changes.push(`create ${path}`);
      files.set(path, { kind: "file", content: new TextEncoder().encode(content), mode });
    },
    readBounded(path: string, limit: number, followSymlinks: boolean): Promise<BoundedRead> {
      const at = files.get(normalize(path));
      if (at?.linkTo !== undefined && !followSymlinks) return Promise.resolve({ kind: "symlink" });
      const f = files.get(resolveLinks(path));
      if (f === undefined) return Promise.resolve({ kind: "absent" });
      if (f.kind !== "file") return Promise.resolve({ kind: f.kind });
      const bytes = f.content ?? new Uint8Array();
      return Promise.resolve(
        bytes.length > limit ? { kind: "too-large" } : { kind: "file", bytes },
      );
    },
    credentialTree() {
      return Promise.resolve(
        fakeCredentialTree({ files, changes, realPath: (p) => this.realPath(p) }),
      );
    },
    readText(path: string): string | null {
      const f = files.get(resolveLinks(path));
      return f?.kind === "file" ? new TextDecoder().decode(f.content ?? new Uint8Array()) : null;
    },
    writeFileAtomic(path: string, content: string | Uint8Array, mode = 0o600): void {
      changes.push(`write ${path}`);
      const data = typeof content === "string" ? new TextEncoder().encode(content) : content;
      files.set(path, { kind: "file", content: data, mode });
    },
    makeTempDir(prefix: string): string {
      const path = `/tmp/${prefix}${files.size}`;
      changes.push(`mktemp ${path}`);
      addDir(path);
      return path;
    },
    remove(path: string): void {
      changes.push(`remove ${path}`);
      for (const k of [...files.keys()]) {
        if (k === path || k.startsWith(`${path}/`)) files.delete(k);
      }
    },
  };
  return system;
}

/** Add a symlink at `path` pointing to `target` in a fake system. */
export function addSymlink(system: FakeSystem, path: string, target: string): void {
  system.files.set(path, { kind: "other", linkTo: target });
}

/** Put bytes in a fake file. */
export function setContent(system: FakeSystem, path: string, content: Uint8Array | string): void {
  const data = typeof content === "string" ? new TextEncoder().encode(content) : content;
  system.files.set(path, { kind: "file", content: data });
}
