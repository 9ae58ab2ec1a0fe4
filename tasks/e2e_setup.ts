/**
 * Prepares what the end-to-end tests need and records it in
 * `.e2e/state.json`: a tiny busybox image (no registry is reachable here),
 * imported for root (rootful podman) and for an unprivileged user (rootless
 * podman), and a bundled `llm` that the unprivileged user can run.
 *
 * Sandbox quirks (crun, ulimits, network, overlay with user namespaces) are
 * handled by the containers.conf and storage.conf written here; they belong
 * to the test set-up, never to the product. Tests whose needs are not met
 * are skipped and say why.
 *
 * Run as: deno run -A tasks/e2e_setup.ts
 */
import { join } from "../lib/std/path.ts";
import { which } from "../lib/system/real.ts";

export const E2E_DIR = join(new URL("..", import.meta.url).pathname, ".e2e");
export const TEST_IMAGE = "localhost/llm-test:latest";
export const ROOTLESS_USER = "llm-e2e";

/** What the end-to-end tests can use. */
export interface E2EState {
  readonly podman: string | null;
  /** Why rootful tests cannot run, or null when they can. */
  readonly rootfulSkip: string | null;
  readonly rootlessSkip: string | null;
  readonly rootlessUser: string;
  readonly rootlessHome: string;
  readonly image: string;
  /** Bundled llm, runnable with `deno run -A` by any user. */
  readonly bundle: string;
  /** Variables that point podman at the test configuration. */
  readonly podmanEnv: Record<string, string>;
  /** The same for the rootless user (its own storage). */
  readonly rootlessEnv: Record<string, string>;
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

/** Set up everything possible and write the state file. */
export async function setupE2E(): Promise<E2EState> {
  await Deno.mkdir(E2E_DIR, { recursive: true });
  await Deno.chmod(E2E_DIR, 0o755);
  const confPath = join(E2E_DIR, "containers.conf");
  const storagePath = join(E2E_DIR, "storage.conf");
  await Deno.writeTextFile(confPath, CONTAINERS_CONF);
  // Overlay with an explicit user namespace fails in this sandbox; vfs works.
  await Deno.writeTextFile(
    storagePath,
    `[storage]\ndriver = "vfs"\nrunroot = "${E2E_DIR}/storage/run"\ngraphroot = "${E2E_DIR}/storage/root"\n`,
  );
  await Deno.chmod(confPath, 0o644);
  const podmanEnv = { CONTAINERS_CONF: confPath, CONTAINERS_STORAGE_CONF: storagePath };
  const podman = which("podman", Deno.env.get("PATH") ?? "");
  const rootlessStorage = join(E2E_DIR, "storage-rootless.conf");
  // The test user must exist before its uid can name its podman run directory.
  let userProblem: string | null = null;
  if (podman && Deno.uid() === 0 && !(await run(["id", "-u", ROOTLESS_USER])).success) {
    const added = await run(["useradd", "-m", ROOTLESS_USER]);
    if (!added.success) userProblem = `useradd ${ROOTLESS_USER} failed: ${text(added)}`;
  }
  const rootlessUid = await userId(ROOTLESS_USER);
  // Tests give llm a scratch HOME; pin the rootless store to the test user's own.
  await Deno.writeTextFile(
    rootlessStorage,
    `[storage]\ndriver = "vfs"\nrunroot = "/tmp/podman-run-${rootlessUid}/containers"\n` +
      `graphroot = "/home/${ROOTLESS_USER}/.local/share/containers/storage"\n` +
      `rootless_storage_path = "/home/${ROOTLESS_USER}/.local/share/containers/storage"\n`,
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

  if (!podman) {
    rootfulSkip =
      rootlessSkip =
        "podman is not installed (apt-get install podman runc uidmap busybox-static bash-static)";
  } else {
    const tar = await buildRootfs(E2E_DIR);
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
      rootlessHome = `/home/${ROOTLESS_USER}`;
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
  const state: E2EState = {
    podman,
    rootfulSkip,
    rootlessSkip,
    rootlessUser: ROOTLESS_USER,
    rootlessHome,
    image: TEST_IMAGE,
    bundle,
    podmanEnv,
    rootlessEnv,
  };
  await Deno.writeTextFile(join(E2E_DIR, "state.json"), JSON.stringify(state, null, 2) + "\n");
  return state;
}

if (import.meta.main) {
  const state = await setupE2E();
  console.log(
    `e2e: rootful ${state.rootfulSkip ? `skipped (${state.rootfulSkip})` : "ready"}; ` +
      `rootless ${state.rootlessSkip ? `skipped (${state.rootlessSkip})` : "ready"}`,
  );
}
