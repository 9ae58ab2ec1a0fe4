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
   * The temporary directory made for this launch when the adapter declares
   * `scratchDirs` (a placeholder on `--dry-run`); its subdirectories exist.
   */
  readonly scratch?: string;
  /** Docker only: the engine runs rootless (container root is the invoking user). */
  readonly rootless?: boolean;
}

/** Argv to run, and anything the user should know about it. */
export interface RuntimeCommand {
  readonly argv: readonly string[];
  /** Shown as `llm: warning: ...` before the launch. */
  readonly warnings?: readonly string[];
}

/** A container runtime turning plans into commands. */
export interface RuntimeAdapter {
  readonly name: string;
  /**
   * Subdirectories of a temporary directory the launch needs (Singularity's
   * empty home, an empty directory for masks). The caller creates them before
   * the launch and removes the whole directory on every exit path.
   */
  readonly scratchDirs?: readonly string[];
  command(plan: LaunchPlan, facts: InvocationFacts): RuntimeCommand;
}
