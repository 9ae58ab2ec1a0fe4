/**
 * Private Docker engines for the end-to-end tests: a rootful dockerd on a
 * socket under `.e2e/` (never /var/run/docker.sock) and a rootless one for
 * the unprivileged test user, both started by the set-up and stopped when
 * the tests end. Recipes measured in the machine notes (Docker section).
 *
 * The network flags keep dockerd off the host's iptables and forwarding;
 * rootless networking uses the host's (slirp needs /dev/net/tun, absent
 * here). Both engines run under `tini -s`: a subreaper reaps the exited
 * containerd shims, which otherwise stay as zombies of a PID 1 that does
 * not reap.
 */
import { join } from "../lib/std/path.ts";
import { which } from "../lib/system/real.ts";

/** One engine the set-up runs. */
export interface DockerEngine {
  /** `unix://...` for DOCKER_HOST. */
  readonly host: string;
  /** Where its state and pid file live; every process of the engine names it. */
  readonly dir: string;
  readonly pidFile: string;
  readonly log: string;
}

const NETWORK_FLAGS = [
  "--iptables=false",
  "--ip6tables=false",
  "--ip-forward=false",
  "--ip-masq=false",
  "--bridge=none",
];

/** Children started by this process, awaited when stopped so none is left a zombie. */
const started = new Map<string, Deno.ChildProcess>();

/** The rootful engine's layout under `base`. */
export function rootfulEngine(base: string): DockerEngine {
  const dir = join(base, "docker-rootful");
  return {
    host: `unix://${dir}/docker.sock`,
    dir,
    pidFile: join(dir, "dockerd.pid"),
    log: join(dir, "dockerd.log"),
  };
}

/** The rootless engine's layout: `base` becomes the user's XDG_RUNTIME_DIR. */
export function rootlessEngine(base: string): DockerEngine {
  const dir = join(base, "docker-rootless");
  return {
    host: `unix://${dir}/docker.sock`,
    dir,
    // dockerd-rootless.sh leaves dockerd's default pid file in XDG_RUNTIME_DIR.
    pidFile: join(dir, "docker.pid"),
    log: join(base, "docker-rootless.log"),
  };
}

async function output(
  argv: string[],
  options: Deno.CommandOptions = {},
): Promise<Deno.CommandOutput> {
  return await new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    ...options,
  }).output();
}

function tail(out: Deno.CommandOutput): string {
  return new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" | ");
}

/** Pids of live processes whose command line mentions `needle` (never this process). */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid) || pid === Deno.pid) continue;
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
      if (cmdline.includes(needle) && alive(pid)) pids.push(pid);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return pids;
}

/** True while `pid` runs (a zombie has finished). */
function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

function signal(pid: number, sig: Deno.Signal): void {
  try {
    Deno.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

async function waitGone(pids: number[], ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (pids.some(alive)) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

function readPid(path: string): number | null {
  try {
    const pid = Number(Deno.readTextFileSync(path).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Mount points at or under `dir` in this mount namespace, deepest first. */
function mountsUnder(dir: string): string[] {
  let info = "";
  try {
    info = Deno.readTextFileSync("/proc/self/mountinfo");
  } catch {
    return [];
  }
  const points = info.split("\n").map((l) => l.split(" ")[4]).filter((p) =>
    p !== undefined && (p === dir || p.startsWith(dir + "/"))
  ).map((p) => p.replace(/\\(\d{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8))));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/**
 * Stop `engine` and everything it started, whether this process started it
 * or an earlier, killed run did: TERM to dockerd (which stops its
 * containerd), then TERM and at last KILL to any process still naming the
 * engine's directory, then unmount what it left mounted (the exec-root
 * netns). Returns what could not be cleaned up, or null.
 */
export async function stopEngine(engine: DockerEngine): Promise<string | null> {
  const pid = readPid(engine.pidFile);
  if (pid !== null && alive(pid)) {
    signal(pid, "SIGTERM");
    await waitGone([pid], 15_000);
  }
  // The trailing slash keeps one engine's directory from matching another's prefix.
  const needle = engine.dir + "/";
  let rest = processesMentioning(needle);
  for (const p of rest) signal(p, "SIGTERM");
  if (!(await waitGone(rest, 5_000))) {
    rest = processesMentioning(needle);
    for (const p of rest) signal(p, "SIGKILL");
    await waitGone(rest, 5_000);
  }
  const child = started.get(engine.dir);
  if (child) {
    started.delete(engine.dir);
    await child.status;
  }
  for (const point of mountsUnder(engine.dir)) {
    await output(["umount", point]);
    if (mountsUnder(engine.dir).includes(point)) await output(["umount", "-l", point]);
  }
  const left = processesMentioning(needle);
  const mounts = mountsUnder(engine.dir);
  await Deno.remove(engine.pidFile).catch(() => {});
  if (left.length === 0 && mounts.length === 0) return null;
  return `docker engine in ${engine.dir} left behind: pids ${left.join(", ") || "none"}; ` +
    `mounts ${mounts.join(", ") || "none"}`;
}

/** Start a process under `tini -s` (when available) with output to `log`, detached from ours. */
function startLogged(argv: string[], log: string, env: Record<string, string>): Deno.ChildProcess {
  const tini = which("tini", "/usr/bin:/bin:/usr/sbin") ??
    which("docker-init", "/usr/bin:/bin:/usr/sbin");
  const full = tini ? [tini, "-s", "--", ...argv] : argv;
  // A fixed script, the argv passed as its arguments: only the redirection is shell.
  const child = new Deno.Command("sh", {
    args: ["-c", 'exec "$@" >>"$E2E_DOCKER_LOG" 2>&1', "sh", ...full],
    env: { ...env, E2E_DOCKER_LOG: log },
    clearEnv: true,
    cwd: "/",
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  child.unref();
  return child;
}

/** Wait until `docker info` answers on `host`; the engine's log tail when it does not. */
async function waitReady(
  docker: string,
  engine: DockerEngine,
  child: Deno.ChildProcess,
  asUser: string[],
): Promise<string | null> {
  let exited = false;
  child.status.then(() => exited = true);
  const until = Date.now() + 60_000;
  while (Date.now() < until && !exited) {
    const out = await output([...asUser, docker, "version", "--format", "{{.Server.Version}}"], {
      env: { DOCKER_HOST: engine.host },
    });
    if (out.success) return null;
    await new Promise((r) => setTimeout(r, 150));
  }
  const log = await Deno.readTextFile(engine.log).catch(() => "");
  const last = log.trim().split("\n").filter((l) => !l.includes("level=info")).slice(-2)
    .join(" | ");
  return `dockerd did not come up on ${engine.host}${exited ? " (it exited)" : ""}: ${last}`;
}

/** Start the rootful engine (as root); null when it answers, else why not. */
export async function startRootful(docker: string, engine: DockerEngine): Promise<string | null> {
  const dockerd = which("dockerd", "/usr/sbin:/usr/bin:/sbin:/bin");
  if (!dockerd) return "dockerd is not installed (apt-get install docker.io)";
  const stale = await stopEngine(engine);
  if (stale) return stale;
  for (const d of ["root", "exec"]) await Deno.mkdir(join(engine.dir, d), { recursive: true });
  await Deno.chmod(engine.dir, 0o711);
  // --config-file /dev/null fails; an empty object works and shuts out /etc/docker/daemon.json.
  await Deno.writeTextFile(join(engine.dir, "daemon.json"), "{}\n");
  await Deno.writeTextFile(engine.log, "");
  const child = startLogged(
    [
      dockerd,
      "--data-root",
      join(engine.dir, "root"),
      "--exec-root",
      join(engine.dir, "exec"),
      "--pidfile",
      engine.pidFile,
      "-H",
      engine.host,
      "--config-file",
      join(engine.dir, "daemon.json"),
      "--storage-driver=overlay2",
      ...NETWORK_FLAGS,
    ],
    engine.log,
    { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
  );
  started.set(engine.dir, child);
  return await waitReady(docker, engine, child, []);
}

/**
 * Start the rootless engine for `user`, whose XDG_RUNTIME_DIR is the
 * engine's directory (made here, owned by the user, mode 0700).
 */
export async function startRootless(
  docker: string,
  engine: DockerEngine,
  user: string,
  home: string,
): Promise<string | null> {
  const script = "/usr/share/docker.io/contrib/dockerd-rootless.sh";
  if (!which("rootlesskit", "/usr/bin:/bin:/usr/sbin")) {
    return "rootlesskit is not installed (apt-get install rootlesskit)";
  }
  try {
    await Deno.stat(script);
  } catch {
    return `${script} is missing (apt-get install docker.io)`;
  }
  const stale = await stopEngine(engine);
  if (stale) return stale;
  const ids = await output(["id", "-u", user]);
  const gids = await output(["id", "-g", user]);
  if (!ids.success) return `no user ${user}`;
  const uid = Number(new TextDecoder().decode(ids.stdout));
  const gid = Number(new TextDecoder().decode(gids.stdout));
  await Deno.mkdir(engine.dir, { recursive: true });
  await Deno.chown(engine.dir, uid, gid);
  await Deno.chmod(engine.dir, 0o700);
  await Deno.writeTextFile(engine.log, "");
  const env = {
    HOME: home,
    USER: user,
    PATH: "/usr/sbin:/usr/bin:/sbin:/bin",
    XDG_RUNTIME_DIR: engine.dir,
    DOCKERD_ROOTLESS_ROOTLESSKIT_NET: "host",
    DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER: "none",
    // Inside the engine's directory, so a stale rootlesskit names it too.
    DOCKERD_ROOTLESS_ROOTLESSKIT_FLAGS: `--state-dir=${engine.dir}/rootlesskit`,
  };
  const child = startLogged(
    [
      "runuser",
      "-u",
      user,
      "--",
      "env",
      "-i",
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      script,
      ...NETWORK_FLAGS,
    ],
    engine.log,
    { PATH: env.PATH },
  );
  started.set(engine.dir, child);
  return await waitReady(docker, engine, child, ["runuser", "-u", user, "--"]);
}

/**
 * Replace `image` in the engine with the rootfs tarball's contents, running
 * the client as `asUser` (a `runuser` prefix, or nothing for root).
 */
export async function importImage(
  docker: string,
  engine: DockerEngine,
  tar: string,
  image: string,
  asUser: string[],
): Promise<string | null> {
  const env = { DOCKER_HOST: engine.host };
  await output([...asUser, docker, "rmi", "--force", image], { env, cwd: "/" });
  const imported = await output([...asUser, docker, "import", tar, image], { env, cwd: "/" });
  return imported.success ? null : `docker import failed on ${engine.host}: ${tail(imported)}`;
}
