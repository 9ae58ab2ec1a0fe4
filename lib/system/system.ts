/**
 * The seam between `llm` and the machine: the only interface through which
 * commands read the environment, touch files and run processes. Tests hand
 * in their own implementation.
 */
import type { HostFacts } from "../launch/host_facts.ts";

/** Output of a captured child process. */
export interface ProcessOutput {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** How to run a child process. */
export interface RunOptions {
  readonly cwd?: string;
  /** Extra variables for the child, on top of the inherited environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Inherit nothing: `env` is the child's whole environment. */
  readonly clearEnv?: boolean;
  /**
   * Interactive runs: called for each SIGTERM/SIGHUP instead of forwarding it
   * to the child, when it returns true (it delivered the signal itself).
   */
  readonly onSignal?: (signal: "SIGTERM" | "SIGHUP") => boolean;
  /** Text to write to the child's stdin (captured runs only). */
  readonly stdin?: string;
  /**
   * Interactive runs: hand the child this process's stderr itself (a
   * terminal stays a terminal: progress bars, the agent's own TTY checks)
   * instead of passing it through a pipe that keeps the tail. The result's
   * `stderrTail` is then empty.
   */
  readonly inheritStderr?: boolean;
  /** Interactive runs: called with the child's pid once it is spawned. */
  readonly onSpawn?: (pid: number) => void;
}

/** Result of an interactive child process. */
export interface InteractiveResult {
  readonly code: number;
  /** The last few kilobytes the child wrote to stderr (also shown to the user); "" when inherited. */
  readonly stderrTail: string;
}

/**
 * What `readBounded` found at a path: the bytes of a regular file, or why
 * there are none. A symlink is reported only when not following them.
 */
export type BoundedRead =
  | { readonly kind: "file"; readonly bytes: Uint8Array }
  | { readonly kind: "absent" | "symlink" | "dir" | "other" | "too-large" };

/**
 * A place below a credential root (`~/.aws`, `~/.pi`, ...). The root is the
 * user's own and, in a launch, a mount point the agent cannot replace, so
 * symlinks on the way to it are followed; everything below it the agent may
 * have written, so nothing in `rel` is ever followed.
 */
export interface TreePath {
  /** Absolute path of the trusted directory. */
  readonly root: string;
  /** `/`-separated path below `root` without `.` or `..` parts; "" is the root itself. */
  readonly rel: string;
}

/** What stopped a credential-tree operation, at which absolute path. */
export type TreeProblem =
  | { readonly kind: "symlink"; readonly path: string; readonly target: string }
  /** `changed`: replaced while being used (a race with a running agent). */
  | { readonly kind: "not-dir" | "not-file" | "too-large" | "changed"; readonly path: string };

/** A credential-tree operation's value, or what stopped it (nothing was changed then). */
export type TreeResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: TreeProblem };

/**
 * Files below credential roots, read and written without following a
 * symlink below the root: each directory on the way is entered only after
 * checking it is a real directory, and the check holds for the operation.
 */
export interface CredentialTree {
  /** What is at `path`: "absent" also when a directory on the way is missing. */
  inspect(path: TreePath): TreeResult<"absent" | "file" | "dir">;
  /** The bytes of the regular file at `path`, at most `limit`; null when absent. */
  read(path: TreePath, limit: number): TreeResult<Uint8Array | null>;
  /**
   * Replace the file at `path` by `content`: a temporary file of llm's own
   * naming beside it, created with `mode` from its first byte, renamed over
   * it (a symlink there is refused first, and a link swapped in later is
   * replaced, never followed). Missing directories are made 0700.
   */
  write(path: TreePath, content: Uint8Array, mode: number): TreeResult<void>;
  /** Delete the temporary files a killed write left in directory `dir`; the names removed. */
  removeStaleTemps(dir: TreePath): TreeResult<string[]>;
  /**
   * Refuse (a "symlink" problem) when an entry of directory `dir` is a
   * symlink: for caches that other programs (the AWS CLI) write with links
   * followed. An absent `dir` is fine.
   */
  refuseLinksIn(dir: TreePath): TreeResult<void>;
}

/** Everything commands may do to the machine. */
export interface System extends HostFacts {
  /** The executable of `name` found on PATH, or null. */
  which(name: string): string | null;
  /** Run a child to completion, capturing its output. A missing executable gives code 127. */
  output(argv: readonly string[], options?: RunOptions): Promise<ProcessOutput>;
  /**
   * Run a child attached to the terminal; SIGTERM and SIGHUP are forwarded
   * to it, and this process survives SIGINT so it can clean up after it.
   */
  interactive(argv: readonly string[], options?: RunOptions): Promise<InteractiveResult>;
  /**
   * Without `stream`: stdin and stdout are both a terminal (an interactive
   * session). With one: that output stream alone is (for colour).
   */
  isTerminal(stream?: "stdout" | "stderr"): boolean;
  /**
   * Ask on the terminal: write `question` to stderr, read one line from
   * stdin (without its newline). Null at end of input.
   */
  prompt(question: string): Promise<string | null>;
  stdout(text: string): void;
  stderr(text: string): void;
  mkdir(path: string, mode?: number): void;
  /** Create `path` with `content` unless it exists; never touches an existing file. */
  createFileIfAbsent(path: string, content: string, mode?: number): void;
  /**
   * Read a regular file of at most `limit` bytes, never reading more than
   * that and never blocking (a FIFO or device is "other", never opened for
   * reading). With `followSymlinks` false a symlink at `path` is "symlink".
   * For files the agent may have replaced (config files).
   */
  readBounded(path: string, limit: number, followSymlinks: boolean): Promise<BoundedRead>;
  /** Read a text file, or null when absent. */
  readText(path: string): string | null;
  /** Reads and writes below credential roots that never follow a symlink (loaded on demand). */
  credentialTree(): Promise<CredentialTree>;
  /**
   * Write atomically: a temporary file in the same directory, then rename.
   * The data reaches the disk before the rename unless `durable` is false
   * (records rewritten often, where a torn file after a crash is skipped).
   */
  writeFileAtomic(
    path: string,
    content: string | Uint8Array,
    mode?: number,
    durable?: boolean,
  ): void;
  makeTempDir(prefix: string): string;
  remove(path: string): void;
  /** Names of the entries of directory `path`, or null when it cannot be read. */
  listDir(path: string): string[] | null;
  /**
   * Create `path` with `content` only if nothing is there (O_EXCL, a link
   * there is never followed): false when something is. For claims that two
   * processes may race for.
   */
  createExclusive(path: string, content: string, mode?: number): boolean;
  /**
   * Something that changes when the file at `path` is replaced (its size,
   * modification time and inode), or null when absent: a cache key.
   */
  fileStamp(path: string): string | null;
  /** This process's id. */
  readonly pid: number;
  /**
   * Something that tells process `pid` from a later one given the same id
   * (its start time), or null when no such process runs.
   */
  processStart(pid: number): string | null;
  /** Send `signal` to process `pid`; false when there is no such process. */
  kill(pid: number, signal: "SIGTERM" | "SIGKILL"): boolean;
  /**
   * Until the returned function is called: a SIGINT, SIGTERM or SIGHUP that
   * comes while no `interactive` child runs calls `cleanup` and ends this
   * process as the signal would have (exit 128 + its number). During an
   * interactive run the child gets the signal and the caller cleans up after
   * it returns, as without this.
   */
  cleanupOnSignal(cleanup: () => void): () => void;
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
  /**
   * `GET path` (HTTP/1.0) on the Unix socket `socket`: the status and body,
   * or null when there is no answer (no socket, refused, too slow, too big).
   */
  unixHttpGet(socket: string, path: string): Promise<HttpAnswer | null>;
}

/** An HTTP status and body. */
export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}
