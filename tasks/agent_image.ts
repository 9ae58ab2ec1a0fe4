/**
 * The real-agent image for the end-to-end tests: Codex, Claude Code and Pi
 * on Debian, built without a registry (tasks/_agent_rootfs.ts), cached as a
 * tar outside the checkout and imported into every runtime that the e2e
 * set-up made ready. The outcome goes to `.e2e/agent-image.json`, which the
 * tests under tests/e2e/agents/ read to run or to say why they are skipped.
 *
 * Warm runs cost a few image inspections: the tar is keyed by the pins and
 * the build scripts, and each runtime's copy carries that key as a label.
 *
 * Run as: deno run -A tasks/agent_image.ts (after tasks/e2e_setup.ts), or
 * through `deno task test`. `LLM_E2E_AGENT_IMAGE=skip` skips it; the cache
 * directory is `LLM_E2E_CACHE` (default /var/cache/llm-e2e).
 */
import { join } from "../lib/std/path.ts";
import { E2E_DIR, type E2EState, ROOTLESS_USER } from "./e2e_setup.ts";
import { buildAgentTar, buildKey, PINS } from "./_agent_rootfs.ts";

export const AGENT_IMAGE = "localhost/llm-agents:test";
/** The image label holding the build key. */
export const KEY_LABEL = "io.github.nichd-bspc.llm.e2e-key";
/** Outside the checkout: CI clones afresh on the same machine, and the cache must survive it. */
export const CACHE_DIR = Deno.env.get("LLM_E2E_CACHE") ?? "/var/cache/llm-e2e";
export const AGENT_STATE = join(E2E_DIR, "agent-image.json");

/** Where each runtime stands: null when the agent image is ready there, else why not. */
export interface AgentImageState {
  readonly image: string;
  readonly key: string;
  readonly pins: typeof PINS;
  readonly tar: string | null;
  /** Seconds spent building the tar in this run, or null when the cache had it. */
  readonly buildSeconds: number | null;
  readonly podmanRootful: string | null;
  readonly podmanRootless: string | null;
  readonly dockerRootful: string | null;
  readonly dockerRootless: string | null;
}

/** The fields the Docker set-up adds to E2EState, read only when present. */
interface DockerFields {
  readonly docker?: string | null;
  readonly dockerRootfulHost?: string;
  readonly dockerRootlessHost?: string;
  readonly dockerRootfulSkip?: string | null;
  readonly dockerRootlessSkip?: string | null;
}

async function output(argv: string[], options: Deno.CommandOptions = {}) {
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    cwd: "/",
    ...options,
  }).output();
  const dec = new TextDecoder();
  return {
    success: out.success,
    stdout: dec.decode(out.stdout).trim(),
    stderr: dec.decode(out.stderr).trim().split("\n").slice(-3).join(" | "),
  };
}

/** Dockerfile instructions of one kind, continuations joined, comments dropped. */
function instructions(dockerfile: string, kind: string): string[] {
  const joined = dockerfile.split("\n").filter((l) => !/^\s*#/.test(l)).join("\n")
    .replace(/\\\n/g, " ");
  return joined.split("\n").map((l) => l.trim()).filter((l) =>
    l.toUpperCase().startsWith(`${kind} `)
  ).map((l) => l.slice(kind.length + 1).replace(/\s+/g, " ").trim());
}

/**
 * The production image's runtime configuration (ENV, USER, WORKDIR, CMD),
 * read from the Dockerfile so both images start agents the same way.
 */
export function importChanges(dockerfile: string, key: string): string[] {
  const changes: string[] = [];
  for (const env of instructions(dockerfile, "ENV")) {
    for (const m of env.matchAll(/(\w+)=("[^"]*"|\S+)/g)) changes.push(`ENV ${m[1]}=${m[2]}`);
  }
  for (const kind of ["USER", "WORKDIR", "CMD"]) {
    const last = instructions(dockerfile, kind).at(-1);
    if (last) changes.push(`${kind} ${last}`);
  }
  changes.push(`LABEL ${KEY_LABEL}=${key}`);
  return changes;
}

/** The production image's version labels, with the pinned versions. */
export function versionLabels(pins: typeof PINS): string[] {
  return (["claude", "codex", "pi"] as const).map((agent) =>
    `LABEL io.github.nichd-bspc.llm.${agent}-version=${pins[agent]}`
  );
}

/** A runtime client to import into: its argv prefix and environment. */
interface Target {
  readonly name: string;
  readonly argv: string[];
  readonly env: Record<string, string>;
}

async function importInto(target: Target, tar: string, key: string, changes: string[]) {
  const label = await output(
    [
      ...target.argv,
      "image",
      "inspect",
      "--format",
      `{{index .Config.Labels "${KEY_LABEL}"}}`,
      AGENT_IMAGE,
    ],
    { env: target.env },
  );
  if (label.success && label.stdout === key) return null;
  // Re-importing under the same tag would leave the old image dangling.
  await output([...target.argv, "rmi", "--force", AGENT_IMAGE], { env: target.env });
  const imported = await output(
    [...target.argv, "import", ...changes.flatMap((c) => ["--change", c]), tar, AGENT_IMAGE],
    { env: target.env },
  );
  if (!imported.success) return `${target.name} import failed: ${imported.stderr}`;
  await output([...target.argv, "image", "prune", "--force"], { env: target.env });
  return null;
}

/** The cached tar for `key`, building it (and dropping older ones) when absent. */
async function cachedTar(key: string, log: (s: string) => void) {
  const tar = join(CACHE_DIR, `agent-image-${key}.tar`);
  try {
    await Deno.stat(tar);
    return { tar, buildSeconds: null };
  } catch { /* not cached yet */ }
  await Deno.mkdir(CACHE_DIR, { recursive: true });
  await Deno.chmod(CACHE_DIR, 0o755);
  const work = join(CACHE_DIR, `build-${key}-${Deno.pid}`);
  await Deno.remove(work, { recursive: true }).catch(() => {});
  await Deno.mkdir(work);
  const start = performance.now();
  try {
    await buildAgentTar(work, tar, log);
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
  const buildSeconds = Math.round((performance.now() - start) / 100) / 10;
  for (const e of Deno.readDirSync(CACHE_DIR)) {
    if (/^agent-image-.*\.tar$/.test(e.name) && e.name !== `agent-image-${key}.tar`) {
      await Deno.remove(join(CACHE_DIR, e.name)).catch(() => {});
    }
  }
  return { tar, buildSeconds };
}

/**
 * Build (or reuse) the agent image and import it into each ready runtime of
 * `state`; writes and returns `.e2e/agent-image.json`. Never throws: a
 * failure becomes the skip reason of every runtime.
 */
export async function prepareAgentImage(
  state: E2EState,
  log: (s: string) => void = (s) => console.error(s),
): Promise<AgentImageState> {
  const key = await buildKey();
  const docker = state as E2EState & DockerFields;
  const base = {
    image: AGENT_IMAGE,
    key,
    pins: PINS,
  };
  let result: AgentImageState;
  const skipAll = (reason: string, tar: string | null, buildSeconds: number | null) => ({
    ...base,
    tar,
    buildSeconds,
    podmanRootful: state.rootfulSkip ?? reason,
    podmanRootless: state.rootlessSkip ?? reason,
    dockerRootful: docker.dockerRootfulSkip ?? reason,
    dockerRootless: docker.dockerRootlessSkip ?? reason,
  });
  if (Deno.env.get("LLM_E2E_AGENT_IMAGE") === "skip") {
    result = skipAll("LLM_E2E_AGENT_IMAGE=skip", null, null);
  } else if (Deno.uid() !== 0) {
    result = skipAll("building the agent image needs root (debootstrap, chroot)", null, null);
  } else {
    let built: { tar: string; buildSeconds: number | null } | null = null;
    let problem: string | null = null;
    try {
      built = await cachedTar(key, log);
    } catch (e) {
      problem = `agent image build failed: ${(e as Error).message}`;
    }
    if (!built) {
      result = skipAll(problem ?? "agent image build failed", null, null);
    } else {
      const changes = [
        ...versionLabels(PINS),
        ...importChanges(await Deno.readTextFile(new URL("../Dockerfile", import.meta.url)), key),
      ];
      const asUser = ["runuser", "-u", ROOTLESS_USER, "--", "env"];
      const podman = state.podman ?? "podman";
      const dockerCli = docker.docker ?? "docker";
      const one = async (skip: string | null | undefined, target: Target) =>
        skip === undefined
          ? "the e2e set-up has no such engine"
          : skip ?? await importInto(target, built.tar, key, changes);
      result = {
        ...base,
        tar: built.tar,
        buildSeconds: built.buildSeconds,
        podmanRootful: await one(state.rootfulSkip, {
          name: "rootful podman",
          argv: [podman],
          env: state.podmanEnv,
        }),
        podmanRootless: await one(state.rootlessSkip, {
          name: "rootless podman",
          argv: [
            ...asUser,
            ...Object.entries(state.rootlessEnv).map(([k, v]) => `${k}=${v}`),
            podman,
          ],
          env: {},
        }),
        dockerRootful: await one(docker.dockerRootfulSkip, {
          name: "rootful docker",
          argv: [dockerCli],
          env: { DOCKER_HOST: docker.dockerRootfulHost ?? "" },
        }),
        dockerRootless: await one(docker.dockerRootlessSkip, {
          name: "rootless docker",
          argv: [...asUser, `DOCKER_HOST=${docker.dockerRootlessHost ?? ""}`, dockerCli],
          env: {},
        }),
      };
    }
  }
  await Deno.writeTextFile(AGENT_STATE, JSON.stringify(result, null, 2) + "\n");
  await Deno.chmod(AGENT_STATE, 0o644);
  log(describeAgentImage(result));
  return result;
}

/** One line for the test log: what is ready and what is not. */
export function describeAgentImage(s: AgentImageState): string {
  const one = (what: string, skip: string | null) =>
    `${what} ${skip ? `skipped (${skip})` : "ready"}`;
  const built = s.buildSeconds === null ? "cached" : `built in ${s.buildSeconds} s`;
  return `agent image ${s.image} (${built}): ` + [
    one("rootful podman", s.podmanRootful),
    one("rootless podman", s.podmanRootless),
    one("rootful docker", s.dockerRootful),
    one("rootless docker", s.dockerRootless),
  ].join("; ");
}

if (import.meta.main) {
  const state = JSON.parse(await Deno.readTextFile(join(E2E_DIR, "state.json"))) as E2EState;
  const start = performance.now();
  await prepareAgentImage(state);
  console.log(`agent image set-up: ${((performance.now() - start) / 1000).toFixed(1)} s`);
}
