/**
 * A launch's session: its name claimed, its manifest written before the
 * container starts and completed when it ends, and the image facts (id,
 * digests, agent version) filled in once the container exists. They are
 * read where the runtime keeps them (podman's store files, the Docker Engine
 * API), which costs no process. Only where that fails (podman on a remote
 * machine, say) is `image inspect` asked: once the container has started
 * (podman's --pidfile; for docker a second after it was created), so it does
 * not compete with the start, or at the end of a shorter session. The
 * runtime's version is asked once per executable, and an agent's version
 * (for an image without labels) once per image id; both are cached.
 */
import { LlmError } from "../errors.ts";
import type { LaunchPlan } from "../launch/plan.ts";
import { join } from "../std/path.ts";
import type { System } from "../system/system.ts";
import type { RunHooks } from "../runtime/run.ts";
import { imageFactsWithoutProcess } from "./image_lookup.ts";
import {
  agentVersionArgv,
  agentVersionFromLabels,
  type ImageFacts,
  imageInspectArgv,
  parseImageInspect,
  runtimeVersionArgv,
  versionFromOutput,
} from "./image_facts.ts";
import { sessionTag } from "./labels.ts";
import { pruneSessions } from "./prune.ts";
import { finishManifest, type SessionManifest, startManifest } from "./manifest.ts";
import {
  checkSessionName,
  defaultSessionName,
  isSessionId,
  numberedName,
  sessionId,
} from "./names.ts";
import {
  claimName,
  ensureSessionsDir,
  manifestPath,
  readCache,
  releaseName,
  sessionsDir,
  stateDir,
  writeCache,
  writeManifest,
} from "./store.ts";

/** What a launch tells the session about itself. */
export interface SessionStart {
  readonly plan: LaunchPlan;
  /** `--name`, when given. */
  readonly name?: string;
  readonly workspace: string;
  readonly runtime: { readonly name: string; readonly executable: string };
  readonly llmVersion: string;
  readonly worktree?: SessionManifest["worktree"];
}

/** A session under way. */
export interface Session {
  readonly id: string;
  readonly name: string;
  /** The plan with the session's container name and labels (podman, docker). */
  readonly plan: LaunchPlan;
  /** Hooks for `runCommand`. */
  readonly hooks: RunHooks;
  /** Record the end (exit code) and give the name back. */
  finish(exitCode: number): Promise<void>;
  /** Give the name back without recording an end: the launch failed before it started. */
  abandon(): void;
}

/**
 * The agents asked for their version when the image has no label: the
 * built-in ones, whose `--version` prints and exits at once.
 */
const ASKABLE_AGENTS = ["codex", "claude", "pi"];

/** How long after the container exists to ask for the image's id and labels. */
const IMAGE_QUERY_DELAY_MS = 1000;

/** How many numbered default names to try (`codex-proj-2`...). */
const MAX_NUMBERED = 99;

/** Start a session: claim its name and write its manifest. */
export function beginSession(start: SessionStart, system: System): Session {
  const dir = sessionsDir(system.env, system.home);
  const id = presetId(system, dir) ?? sessionId(crypto.getRandomValues(new Uint8Array(6)));
  try {
    ensureSessionsDir(system, dir);
  } catch (e) {
    // A state directory that cannot be made must not stop the agent.
    system.stderr(
      `llm: warning: this session is not recorded (llm ps will not list it): cannot make ` +
        `${dir}: ${(e as Error).message}; set XDG_STATE_HOME to a writable directory\n`,
    );
    return unrecorded(start, id);
  }
  const name = claim(start, dir, id, system);
  const oci = isOci(start);
  const plan = tagged(start, id, name);
  const versions = join(stateDir(system.env, system.home), "runtime-versions.json");
  const stamp = runtimeStamp(start.runtime.executable, system);
  const cachedVersion = stamp === null ? undefined : readCache(system, versions)[stamp];
  let manifest = startManifest(plan, {
    id,
    name,
    llmVersion: start.llmVersion,
    pid: system.pid,
    // Free on Linux (/proc); elsewhere it would cost a `ps` on every launch, and
    // the pid alone serves (a reused pid is the rare price).
    pidStart: system.os === "linux" ? system.processStart(system.pid) : null,
    workspace: start.workspace,
    runtime: start.runtime,
    runtimeVersion: cachedVersion ?? null,
    container: oci ? name : null,
    now: system.now(),
    ...(start.worktree ? { worktree: start.worktree } : {}),
  });
  const update = (change: Partial<SessionManifest>) => {
    manifest = { ...manifest, ...change };
    writeManifest(system, dir, manifest);
  };
  try {
    writeManifest(system, dir, manifest);
  } catch (e) {
    releaseName(system, dir, name, id);
    throw e;
  }
  const pending: Promise<void>[] = [];
  const background = (work: Promise<void>) => pending.push(work.catch(() => {}));
  if (cachedVersion === undefined && stamp !== null) {
    background((async () => {
      const out = await system.output(runtimeVersionArgv(start.runtime.executable));
      const version = out.code === 0 ? versionFromOutput(out.stdout) : null;
      if (version === null) return;
      writeCache(system, versions, stamp, version);
      update({ runtime: { ...manifest.runtime, version } });
    })());
  }
  const apply = async (facts: ImageFacts) => {
    const agentVersion = agentVersionFromLabels(facts.labels, plan.agent);
    update({
      image: { ...manifest.image, id: facts.id, repoDigests: facts.repoDigests },
      ...(agentVersion === null ? {} : { agentVersion, agentVersionSource: "label" }),
    });
    if (agentVersion === null) await askAgentVersion(facts.id);
  };
  // The runtime's store or API, read once the container exists: no process.
  let fromStore: Promise<boolean> = Promise.resolve(false);
  // Else `image inspect`, once.
  let byProcess: Promise<void> | undefined;
  const askImage = () =>
    byProcess ??= (async () => {
      const out = await system.output(imageInspectArgv(start.runtime.executable, plan.image));
      const facts = out.code === 0 ? parseImageInspect(out.stdout) : null;
      if (facts !== null) await apply(facts);
    })();
  const askImageUnlessStored = () =>
    background(fromStore.then((found) => found ? undefined : askImage()));
  let askTimer: ReturnType<typeof setTimeout> | undefined;
  // An image without the version labels: ask its agent once, cached by image id.
  const askAgentVersion = async (imageId: string) => {
    if (!ASKABLE_AGENTS.includes(plan.agent)) return;
    const cachePath = join(stateDir(system.env, system.home), "agent-versions.json");
    const key = `${imageId} ${plan.agent}`;
    let version: string | null = readCache(system, cachePath)[key] ?? null;
    if (version === null) {
      const out = await system.output(
        agentVersionArgv(start.runtime.executable, imageId, plan.agent),
      );
      version = out.code === 0 ? versionFromOutput(out.stdout) : null;
      if (version === null) return;
      writeCache(system, cachePath, key, version);
    }
    update({ agentVersion: version, agentVersionSource: "asked" });
  };
  const hooks: RunHooks = {
    onSpawn(pid) {
      if (!oci) update({ runtimePid: pid });
    },
    onCreated(containerId) {
      // Written with the image facts or the end: one write fewer at the start.
      manifest = { ...manifest, containerId };
      fromStore = imageFactsWithoutProcess(system, start.runtime.name, containerId)
        .then(async (facts) => {
          if (facts === null) return false;
          await apply(facts);
          return true;
        })
        .catch(() => false);
      background(fromStore.then(() => {}));
      // The inspect is not asked at once: beside a container being created it
      // slows the start (podman takes its storage lock for both). Podman says
      // when the container runs; docker does not, so a second later. A
      // session that ends sooner is asked at its end.
      askTimer = setTimeout(askImageUnlessStored, IMAGE_QUERY_DELAY_MS);
    },
    onStarted() {
      clearTimeout(askTimer);
      askImageUnlessStored();
    },
  };
  return {
    id,
    name,
    plan,
    hooks,
    async finish(exitCode: number) {
      clearTimeout(askTimer);
      if (manifest.containerId !== null) askImageUnlessStored();
      await Promise.all(pending);
      try {
        manifest = finishManifest(manifest, exitCode, system.now());
        writeManifest(system, dir, manifest);
      } finally {
        releaseName(system, dir, name, id);
      }
      try {
        pruneSessions(system, dir);
      } catch (e) {
        // Tidying must not turn a finished session into a failure.
        system.stderr(`llm: warning: old session manifests not pruned: ${(e as Error).message}\n`);
      }
    },
    abandon() {
      releaseName(system, dir, name, id);
    },
  };
}

/**
 * The id `LLM_SESSION_ID` gives the session, or null when unset: `llm batch`
 * sets it for each task, to find the task's manifest afterwards.
 */
function presetId(system: System, dir: string): string | null {
  const id = system.env.LLM_SESSION_ID;
  if (id === undefined || id === "") return null;
  if (!isSessionId(id)) {
    throw new LlmError(
      `LLM_SESSION_ID='${id}' is not a session id (12 lowercase hexadecimal digits); ` +
        `unset it to let llm choose one`,
    );
  }
  if (system.stat(manifestPath(dir, id)) !== null) {
    throw new LlmError(
      `LLM_SESSION_ID=${id} names a session that exists already (see 'llm show ${id}'); ` +
        `unset it to let llm choose one`,
    );
  }
  return id;
}

/** Podman and docker name and label containers; Singularity/Apptainer have none. */
function isOci(start: SessionStart): boolean {
  return start.runtime.name === "podman" || start.runtime.name === "docker";
}

/** The plan with the session's container name and labels, where the runtime has containers. */
function tagged(start: SessionStart, id: string, name: string): LaunchPlan {
  if (!isOci(start)) return start.plan;
  const tag = sessionTag({
    id,
    name,
    agent: start.plan.agent,
    workspace: start.workspace,
    version: start.llmVersion,
  });
  return { ...start.plan, session: tag };
}

/** A session run without a record: named and labelled, but not listed. */
function unrecorded(start: SessionStart, id: string): Session {
  const name = start.name === undefined
    ? defaultSessionName(start.plan.agent, start.workspace)
    : checkSessionName(start.name);
  return {
    id,
    name,
    plan: tagged(start, id, name),
    hooks: {},
    finish: () => Promise.resolve(),
    abandon: () => {},
  };
}

/** The name the session gets: `--name`, or the first free default. */
function claim(start: SessionStart, dir: string, id: string, system: System): string {
  if (start.name !== undefined) {
    const name = checkSessionName(start.name);
    if (!claimName(system, dir, name, id)) {
      throw new LlmError(
        `a session named ${name} is already running (see 'llm ps'); give another --name, or ` +
          `end it with 'llm stop ${name}'`,
      );
    }
    return name;
  }
  const base = defaultSessionName(start.plan.agent, start.workspace);
  for (let n = 1; n <= MAX_NUMBERED; n++) {
    const name = numberedName(base, n);
    if (claimName(system, dir, name, id)) return name;
  }
  throw new LlmError(
    `${MAX_NUMBERED} sessions named ${base}... are running; give this one a --name`,
  );
}

/** The runtime-version cache key: the executable's real path and its stamp. */
function runtimeStamp(executable: string, system: System): string | null {
  const found = executable.includes("/") ? executable : system.which(executable);
  if (found === null) return null;
  const real = system.realPath(found) ?? found;
  const stamp = system.fileStamp(real);
  return stamp === null ? null : `${real} ${stamp}`;
}
