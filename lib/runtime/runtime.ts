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
}

/** Argv to run, plus scratch paths the caller must create first and remove after. */
export interface RuntimeCommand {
  readonly argv: readonly string[];
}

/** A container runtime turning plans into commands. */
export interface RuntimeAdapter {
  readonly name: string;
  command(plan: LaunchPlan, facts: InvocationFacts): RuntimeCommand;
}
