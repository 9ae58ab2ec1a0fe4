/**
 * The labels every session's container carries, so `podman ps --filter
 * label=llm.session=ID` finds it without llm. Pure.
 */
import type { SessionTag } from "../launch/plan.ts";

/** The label keys, as the issue and docs/sessions.md name them. */
export const LABEL_SESSION = "llm.session";
export const LABEL_AGENT = "llm.agent";
export const LABEL_WORKSPACE = "llm.workspace";
export const LABEL_VERSION = "llm.version";

/**
 * The container name and labels of a session.
 *
 * @example
 * ```ts
 * import { sessionTag } from "./labels.ts";
 * sessionTag({ id: "0a1b2c3d4e5f", name: "codex-proj", agent: "codex", workspace: "/p", version: "0.1.0" })
 *   .labels[0]; // ["llm.session", "0a1b2c3d4e5f"]
 * ```
 */
export function sessionTag(session: {
  readonly id: string;
  readonly name: string;
  readonly agent: string;
  readonly workspace: string;
  readonly version: string;
}): SessionTag {
  return {
    name: session.name,
    labels: [
      [LABEL_SESSION, session.id],
      [LABEL_AGENT, session.agent],
      [LABEL_WORKSPACE, session.workspace],
      [LABEL_VERSION, session.version],
    ],
  };
}
