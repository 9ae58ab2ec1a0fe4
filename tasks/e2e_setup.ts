/**
 * Prepares what the end-to-end tests need and records it in
 * `.e2e/state.json`: a tiny busybox image (no registry is reachable here),
 * imported for root (rootful podman) and for an unprivileged user (rootless
 * podman), private rootful and rootless Docker engines holding the same
 * image, and a bundled `llm` that the unprivileged user can run.
 *
 * Rootful podman uses the machine's default storage (overlay), so the tests
 * meet what users get. Sandbox quirks (crun, ulimits, network) are handled
 * by the containers.conf written here; they belong to the test set-up,
 * never to the product. The rootless store is pinned to the test user's
 * own (tests give llm a scratch HOME) on the overlay driver. Tests whose
 * needs are not met are skipped and say why.
 *
 * Run as: deno run -A tasks/e2e_setup.ts        (leaves the engines running)
 *         deno run -A tasks/e2e_setup.ts --stop (stops them)
 * `deno task test` does both around the test run.
 */
import { join } from "../lib/std/path.ts";
import { which } from "../lib/system/real.ts";
import {
  type DockerEngine,
  importImage,
  rootfulEngine,
  rootlessEngine,
  startRootful,
  startRootless,
  stopEngine,
} from "./e2e_docker.ts";
import { type SlurmState, startSlurm, stopSlurm } from "./e2e_slurm.ts";

export const E2E_DIR = join(new URL("..", import.meta.url).pathname, ".e2e");
export const TEST_IMAGE = "localhost/llm-test:latest";
export const ROOTLESS_USER = "llm-e2e";

/** What the end-to-end tests can use. */
export interface E2EState extends SlurmState {
  readonly podman: string | null;
  /** Why rootful podman tests cannot run, or null when they can. */
  readonly rootfulSkip: string | null;
  /** Why rootless podman tests cannot run, or null when they can. */
  readonly rootlessSkip: string | null;
  readonly rootlessUser: string;
  readonly rootlessHome: string;
  readonly image: string;
  /** Bundled llm, runnable with `deno run -A` by any user. */
  readonly bundle: string;
  /** Variables that point rootful podman at the test configuration (default storage). */
  readonly podmanEnv: Record<string, string>;
  /** The same for the rootless user (its own storage). */
  readonly rootlessEnv: Record<string, string>;
  /** The docker client, or null when not installed. */
  readonly docker: string | null;
  /** DOCKER_HOST of the private rootful engine (run the client as root). */
  readonly dockerRootfulHost: string;
  /** DOCKER_HOST of the test user's rootless engine (run the client as that user). */
  readonly dockerRootlessHost: string;
  /** Why rootful docker tests cannot run, or null when they can. */
  readonly dockerRootfulSkip: string | null;
  /** Why rootless docker tests cannot run, or null when they can. */
  readonly dockerRootlessSkip: string | null;
}

const CONTAINERS_CONF = `[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
netns = "host"
[engine]
runtime = "runc"
`;

async function run(argv: string[], options: Deno.CommandOptions = {}): Promise<Deno.CommandOutput> {
  return await new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdout: "piped",
    stderr: "piped",
    ...options,
  }).output();
}

function text(out: Deno.CommandOutput): string {
  return new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" | ");
}

async function buildRootfs(dir: string): Promise<string> {
  const root = join(dir, "rootfs");
  await Deno.remove(root, { recursive: true }).catch(() => {});
  for (const d of ["bin", "etc", "tmp", "home/devuser", "usr/local/bin", "usr/bin"]) {
    await Deno.mkdir(join(root, d), { recursive: true });
  }
  const busybox = which("busybox", Deno.env.get("PATH") ?? "") ?? "/bin/busybox";
  await Deno.copyFile(busybox, join(root, "bin/busybox"));
  const list = await run([busybox, "--list"]);
  for (const applet of new TextDecoder().decode(list.stdout).split("\n").filter(Boolean)) {
    if (applet === "busybox") continue;
    await Deno.symlink("busybox", join(root, "bin", applet)).catch(() => {});
  }
  const bash = which("bash-static", "/bin:/usr/bin");
  if (bash) {
    await Deno.remove(join(root, "bin/bash")).catch(() => {});
    await Deno.copyFile(bash, join(root, "bin/bash"));
  }
  await Deno.writeTextFile(
    join(root, "etc/passwd"),
    "root:x:0:0:root:/root:/bin/sh\ndevuser:x:1000:1000:devuser:/home/devuser:/bin/bash\n",
  );
  await Deno.writeTextFile(join(root, "etc/group"), "root:x:0:\ndevuser:x:1000:\n");
  await Deno.chmod(join(root, "tmp"), 0o1777);
  await Deno.chown(join(root, "home/devuser"), 1000, 1000);
  const tar = join(dir, "rootfs.tar");
  const out = await run(["tar", "-C", root, "--numeric-owner", "-cf", tar, "."]);
  if (!out.success) throw new Error(`tar failed: ${text(out)}`);
  await Deno.chmod(tar, 0o644);
  return tar;
}

async function userId(name: string): Promise<string> {
  const out = await run(["id", "-u", name]);
  return out.success ? new TextDecoder().decode(out.stdout).trim() : "0";
}

/** The engines the set-up starts; `stopE2E` stops them. */
function engines(): DockerEngine[] {
  return [rootfulEngine(E2E_DIR), rootlessEngine(E2E_DIR)];
}

/**
 * Stop the Docker engines of this or an earlier (killed) run. Returns one
 * line per engine that could not be cleaned up.
 */
export async function stopE2E(): Promise<string[]> {
  const problems: string[] = [];
  for (const engine of engines()) {
    const problem = await stopEngine(engine);
    if (problem) problems.push(problem);
  }
  problems.push(...await stopSlurm(join(E2E_DIR, "slurm")));
  return problems;
}

/** Set up everything possible and write the state file. */
export async function setupE2E(): Promise<E2EState> {
  await Deno.mkdir(E2E_DIR, { recursive: true });
  await Deno.chmod(E2E_DIR, 0o755);
  const confPath = join(E2E_DIR, "containers.conf");
  await Deno.writeTextFile(confPath, CONTAINERS_CONF);
  await Deno.chmod(confPath, 0o644);
  // No storage.conf for root: its default store (overlay) is what users have.
  await Deno.remove(join(E2E_DIR, "storage.conf")).catch(() => {});
  const podmanEnv = { CONTAINERS_CONF: confPath };
  const podman = which("podman", Deno.env.get("PATH") ?? "");
  const docker = which("docker", Deno.env.get("PATH") ?? "");
  const rootlessStorage = join(E2E_DIR, "storage-rootless.conf");
  // The test user must exist before its uid can name its podman run directory.
  let userProblem: string | null = null;
  if ((podman || docker) && Deno.uid() === 0 && !(await run(["id", "-u", ROOTLESS_USER])).success) {
    const added = await run(["useradd", "-m", ROOTLESS_USER]);
    if (!added.success) userProblem = `useradd ${ROOTLESS_USER} failed: ${text(added)}`;
  }
  const rootlessUid = await userId(ROOTLESS_USER);
  const userHome = `/home/${ROOTLESS_USER}`;
  // Tests give llm a scratch HOME; pin the rootless store to the test user's
  // own. Overlay, not podman 4.3's rootless fallback (vfs without
  // fuse-overlayfs): the kernel's native rootless overlay works here, and it
  // is the driver users get. A directory of its own, because a store keeps
  // the driver it was created with.
  const rootlessGraph = `${userHome}/.local/share/containers/storage-overlay`;
  await Deno.writeTextFile(
    rootlessStorage,
    `[storage]\ndriver = "overlay"\nrunroot = "/tmp/podman-run-${rootlessUid}/containers"\n` +
      `graphroot = "${rootlessGraph}"\nrootless_storage_path = "${rootlessGraph}"\n`,
  );
  await Deno.chmod(rootlessStorage, 0o644);
  const rootlessEnv = { CONTAINERS_CONF: confPath, CONTAINERS_STORAGE_CONF: rootlessStorage };
  const bundle = join(E2E_DIR, "llm.js");
  let rootfulSkip: string | null = null;
  let rootlessSkip: string | null = null;
  let rootlessHome = "";

  const bundled = await run([
    Deno.execPath(),
    "bundle",
    "--quiet",
    join(E2E_DIR, "..", "main.ts"),
    "-o",
    bundle,
  ]);
  if (!bundled.success) throw new Error(`deno bundle failed: ${text(bundled)}`);
  await Deno.chmod(bundle, 0o644);
  const tar = await buildRootfs(E2E_DIR);
  if (Deno.uid() === 0) rootlessHome = userHome;

  if (!podman) {
    rootfulSkip =
      rootlessSkip =
        "podman is not installed (apt-get install podman runc uidmap busybox-static bash-static)";
  } else {
    if (Deno.uid() === 0) {
      // Re-importing under the same tag would leave the old image dangling.
      await run([podman, "rmi", "--force", TEST_IMAGE], { env: podmanEnv });
      await run([podman, "image", "prune", "--force"], { env: podmanEnv });
      const imported = await run([podman, "import", tar, TEST_IMAGE], {
        env: podmanEnv,
      });
      if (!imported.success) rootfulSkip = `podman import failed as root: ${text(imported)}`;
    } else {
      rootfulSkip = "rootful podman needs root; these tests run as root in CI";
    }
    if (Deno.uid() === 0) {
      rootlessSkip = userProblem;
      if (rootlessSkip === null) {
        const asUser = [
          "runuser",
          "-u",
          ROOTLESS_USER,
          "--",
          "env",
          ...Object.entries(rootlessEnv).map(([k, v]) => `${k}=${v}`),
          podman,
        ];
        await run([...asUser, "rmi", "--force", TEST_IMAGE], { cwd: "/" });
        await run([...asUser, "image", "prune", "--force"], { cwd: "/" });
        const imported = await run([...asUser, "import", tar, TEST_IMAGE], { cwd: "/" });
        if (!imported.success) rootlessSkip = `rootless podman import failed: ${text(imported)}`;
      }
    } else {
      rootlessSkip = "rootless tests switch to a test user, which needs root to create";
    }
  }

  const [rootful, rootless] = engines();
  let dockerRootfulSkip: string | null = null;
  let dockerRootlessSkip: string | null = null;
  if (!docker) {
    dockerRootfulSkip =
      dockerRootlessSkip =
        "docker is not installed (apt-get install docker.io rootlesskit)";
  } else if (Deno.uid() !== 0) {
    dockerRootfulSkip =
      "the private rootful docker engine needs root; these tests run as root in CI";
    dockerRootlessSkip = "rootless docker tests switch to a test user, which needs root to create";
  } else {
    dockerRootfulSkip = await startRootful(docker, rootful) ??
      await importImage(docker, rootful, tar, TEST_IMAGE, []);
    dockerRootlessSkip = userProblem ??
      await startRootless(docker, rootless, ROOTLESS_USER, userHome) ??
      await importImage(docker, rootless, tar, TEST_IMAGE, ["runuser", "-u", ROOTLESS_USER, "--"]);
  }

  // A single-node Slurm (with accounting) for llm batch's job arrays.
  const slurm = await startSlurm(join(E2E_DIR, "slurm"));

  const state: E2EState = {
    ...slurm,
    podman,
    rootfulSkip,
    rootlessSkip,
    rootlessUser: ROOTLESS_USER,
    rootlessHome,
    image: TEST_IMAGE,
    bundle,
    podmanEnv,
    rootlessEnv,
    docker,
    dockerRootfulHost: rootful.host,
    dockerRootlessHost: rootless.host,
    dockerRootfulSkip,
    dockerRootlessSkip,
  };
  await Deno.writeTextFile(join(E2E_DIR, "state.json"), JSON.stringify(state, null, 2) + "\n");
  return state;
}

/** One line saying what is ready and what is skipped, and why. */
export function describeState(state: E2EState): string {
  const one = (what: string, skip: string | null) =>
    `${what} ${skip ? `unavailable: ${skip}` : "ready"}`;
  return [
    one("rootful podman", state.rootfulSkip),
    one("rootless podman", state.rootlessSkip),
    one("rootful docker", state.dockerRootfulSkip),
    one("rootless docker", state.dockerRootlessSkip),
    one("slurm", state.slurmSkip),
  ].join("; ");
}

if (import.meta.main) {
  if (Deno.args.includes("--stop")) {
    const problems = await stopE2E();
    for (const p of problems) console.error(`e2e: ${p}`);
    Deno.exit(problems.length ? 1 : 0);
  }
  const state = await setupE2E();
  console.log(`e2e: ${describeState(state)}`);
  if (state.dockerRootfulSkip === null || state.dockerRootlessSkip === null || !state.slurmSkip) {
    console.log(
      "e2e: docker engines and Slurm keep running; stop them with: deno run -A tasks/e2e_setup.ts --stop",
    );
  }
}
