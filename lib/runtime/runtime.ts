/**
 * What a runtime adapter is: a pure function from a launch plan and a few
 * facts about how it is invoked to an argv.
 */
import type { LaunchPlan } from "../launch/plan.ts";

/** Facts a runtime adapter needs beyond the plan. */
export interface InvocationFacts {
  /** The runtime executable, as found on PATH or named by the user. */
  readonly executable: string;
  /** stdin and stdout are both terminals: allocate a TTY. */
  readonly tty: boolean;
  /** The invoking user's uid and gid on the host. */
  readonly uid: number;
  readonly gid: number;
  /** Host OS (`darwin`, `linux`). */
  readonly os: string;
  /**
   * The temporary directory made for this launch (a placeholder on
   * `--dry-run`): see lib/runtime/scratch.ts for what lives in it. Its
   * `scratchDirs` subdirectories exist.
   */
  readonly scratch: string;
  /** Docker only: the engine runs rootless (container root is the invoking user). */
  readonly rootless?: boolean;
}

/** A file the launch writes into the scratch directory before the runtime starts. */
export interface ScratchFile {
  readonly path: string;
  readonly content: string;
  readonly mode: number;
}

/** Argv to run, and everything around it that the runtime needs. */
export interface RuntimeCommand {
  readonly argv: readonly string[];
  /**
   * Variables for the runtime process itself, on top of the host's
   * (Singularity's `SINGULARITYENV_*`). Values go here, never into argv,
   * where every user of the host could read them in /proc.
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Host variables the runtime process must not inherit (a trailing `*`
   * matches a prefix): ones it would pass on into the container by itself.
   */
  readonly unsetEnv?: readonly string[];
  /**
   * The environment file named on the argv (podman and docker), written with
   * mode 0600 before the launch and removed as soon as the container exists.
   */
  readonly envFile?: { readonly path: string; readonly lines: readonly string[] };
  /** Written by the runtime once the container exists (podman, docker). */
  readonly createdMarker?: string;
  /** Written by the runtime once the container's process runs (podman). */
  readonly startedMarker?: string;
  /** Shown as `llm: warning: ...` before the launch. */
  readonly warnings?: readonly string[];
}

/** A container runtime turning plans into commands. */
export interface RuntimeAdapter {
  readonly name: string;
  /** Subdirectories of the scratch directory the launch needs (Singularity's empty home). */
  readonly scratchDirs: readonly string[];
  command(plan: LaunchPlan, facts: InvocationFacts): RuntimeCommand;
}
