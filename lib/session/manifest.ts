/**
 * The session manifest: what a session ran and what it could see, written
 * when it starts and completed when it ends. It records variable NAMES,
 * never their values, so it can be kept and shared (data-protection
 * records) without leaking a credential. Pure: built from the plan.
 */
import type { LaunchPlan } from "../launch/plan.ts";
import type { Resources } from "../launch/resources.ts";

/** The manifest format; bumped when a field changes meaning. */
export const MANIFEST_SCHEMA = 1;

/** A mount as the manifest records it. */
export interface ManifestMount {
  /** Host path; a file of the launch's temporary directory is `<temporary>/NAME`. */
  readonly source: string;
  readonly target: string;
  readonly mode: "ro" | "rw";
  /** Why it is there (`workspace`, `credentials ~/.codex`, `--mount ...`). */
  readonly origin: string;
}

/** A path hidden from the agent. */
export interface ManifestMask {
  readonly target: string;
  readonly origin: string;
}

/** The image, as asked for and as the runtime resolved it. */
export interface ManifestImage {
  readonly reference: string;
  /** The image id (`sha256:` of its configuration), once the runtime has said; null before. */
  readonly id: string | null;
  /** Registry digests (`name@sha256:...`) of that image; empty for a locally built one. */
  readonly repoDigests: readonly string[];
}

/** What the network policy (lib/egress/policy.ts) let the session reach. */
export interface ManifestNetwork {
  /** `open`, `none` or `allow`. */
  readonly policy: string;
  /** Under `allow`: every allow-list entry, in its written form (`*.github.com:443`). */
  readonly allow?: readonly string[];
}

/** Stored state: "running" until llm records the end. */
export type StoredState = "running" | "exited";

/** One session's record. */
export interface SessionManifest {
  readonly schema: number;
  readonly id: string;
  readonly name: string;
  readonly state: StoredState;
  readonly llmVersion: string;
  /** The llm process that runs the session, and its start time (pids are reused). */
  readonly pid: number;
  readonly pidStart: string | null;
  readonly agent: string;
  /** The agent CLI's version, and where it was learnt (`label`, `asked`), or null. */
  readonly agentVersion: string | null;
  readonly agentVersionSource: "label" | "asked" | null;
  /** Host working directory (the workspace). */
  readonly workspace: string;
  /** Container path of the workspace. */
  readonly workdir: string;
  /** `--worktree`: the branch the session works on. */
  readonly worktree?: { readonly name: string; readonly branch: string; readonly repo: string };
  readonly runtime: {
    readonly name: string;
    readonly executable: string;
    readonly version: string | null;
  };
  /** Container name (podman, docker) or null (Singularity/Apptainer: tracked by pid). */
  readonly container: string | null;
  /** Container id from the runtime, once created. */
  readonly containerId: string | null;
  /** Singularity/Apptainer: the runtime process, which `llm stop` signals. */
  readonly runtimePid: number | null;
  readonly image: ManifestImage;
  readonly platform: string;
  readonly command: readonly string[];
  readonly mounts: readonly ManifestMount[];
  readonly masks: readonly ManifestMask[];
  /** Container paths the agent cannot write (read-only mounts). */
  readonly readOnly: readonly string[];
  /** Names of the variables set in the container; never their values. */
  readonly env: readonly string[];
  readonly network: ManifestNetwork;
  readonly resources: Resources;
  /** `--runtime-arg`s, verbatim: outside llm's guarantees, so worth a record. */
  readonly runtimeArgs: readonly string[];
  /** ISO 8601 times; `ended` null while running. */
  readonly started: string;
  readonly ended: string | null;
  readonly exitCode: number | null;
}

/** The facts a manifest needs beyond the plan. */
export interface ManifestStart {
  readonly id: string;
  readonly name: string;
  readonly llmVersion: string;
  readonly pid: number;
  readonly pidStart: string | null;
  readonly workspace: string;
  readonly runtime: { readonly name: string; readonly executable: string };
  readonly runtimeVersion: string | null;
  /** Container name, or null where the runtime names no container. */
  readonly container: string | null;
  readonly now: number;
  readonly worktree?: SessionManifest["worktree"];
}

/** The network record for a plan: its policy, and the allow list under `allow`. */
export function networkRecord(plan: LaunchPlan): ManifestNetwork {
  const network = plan.network;
  return network.mode === "allow"
    ? { policy: "allow", allow: network.entries.map((e) => e.text) }
    : { policy: network.mode };
}

/** The manifest written when a session starts. */
export function startManifest(plan: LaunchPlan, start: ManifestStart): SessionManifest {
  const mounts: ManifestMount[] = [];
  const masks: ManifestMask[] = [];
  for (const m of plan.mounts) {
    if (m.kind === "bind") {
      mounts.push({
        source: m.inScratch ? `<temporary>/${m.source}` : m.source,
        target: m.target,
        mode: m.readOnly ? "ro" : "rw",
        origin: m.origin,
      });
    } else masks.push({ target: m.target, origin: m.origin });
  }
  return {
    schema: MANIFEST_SCHEMA,
    id: start.id,
    name: start.name,
    state: "running",
    llmVersion: start.llmVersion,
    pid: start.pid,
    pidStart: start.pidStart,
    agent: plan.agent,
    agentVersion: null,
    agentVersionSource: null,
    workspace: start.workspace,
    workdir: plan.workdir,
    ...(start.worktree ? { worktree: start.worktree } : {}),
    runtime: { ...start.runtime, version: start.runtimeVersion },
    container: start.container,
    containerId: null,
    runtimePid: null,
    image: { reference: plan.image, id: null, repoDigests: [] },
    platform: plan.platform,
    command: plan.command,
    mounts,
    masks,
    readOnly: mounts.filter((m) => m.mode === "ro").map((m) => m.target),
    env: [...new Set(plan.env.map(([k]) => k))].sort(),
    network: networkRecord(plan),
    resources: plan.resources ?? {},
    runtimeArgs: plan.runtimeArgs ?? [],
    started: new Date(start.now).toISOString(),
    ended: null,
    exitCode: null,
  };
}

/** The manifest completed at exit. */
export function finishManifest(
  manifest: SessionManifest,
  exitCode: number,
  now: number,
): SessionManifest {
  return { ...manifest, state: "exited", ended: new Date(now).toISOString(), exitCode };
}

/**
 * Parse a manifest file, or null when it is not one (a foreign or truncated
 * file is skipped by `llm ps`, never trusted).
 */
export function parseManifest(text: string): SessionManifest | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const m = value as Record<string, unknown>;
  const str = (k: string) => typeof m[k] === "string";
  if (
    m.schema !== MANIFEST_SCHEMA || !str("id") || !str("name") || !str("agent") ||
    !str("workspace") || !str("started") || typeof m.pid !== "number" ||
    (m.state !== "running" && m.state !== "exited") ||
    typeof m.runtime !== "object" || m.runtime === null ||
    typeof m.image !== "object" || m.image === null
  ) {
    return null;
  }
  return value as SessionManifest;
}

/** The manifest as written to disk. */
export function manifestText(manifest: SessionManifest): string {
  return JSON.stringify(manifest, null, 2) + "\n";
}
