/**
 * A single-node Slurm cluster for the end-to-end tests, all under one
 * scratch directory: munged with its own key, a loopback MariaDB for
 * slurmdbd (so `sacct` works), slurmctld and slurmd on 127.0.0.1. Started
 * by `setupE2E()`, stopped by `stopE2E()`; every daemon is stopped by its
 * pid file, including those of an earlier run that was killed.
 *
 * Needs root (slurmd runs jobs as other users) and the Debian packages
 * `slurm-wlm munge slurmdbd mariadb-server-core mariadb-client-core`.
 * Ports are parameters so a developer's own cluster can run beside the
 * shared one.
 */
import { join } from "../lib/std/path.ts";
import { which } from "../lib/system/real.ts";

/** What the tests need of the cluster. */
export interface SlurmState {
  /** Why Slurm tests cannot run, or null when the cluster is up. */
  readonly slurmSkip: string | null;
  /** `SLURM_CONF` for every client (sbatch, squeue, sacct, scancel). */
  readonly slurmConf: string;
  /** Whether `sacct` answers (slurmdbd and MariaDB are up). */
  readonly slurmAccounting: boolean;
}

/** The ports of one cluster. */
export interface SlurmPorts {
  readonly slurmctld: number;
  readonly slurmd: number;
  readonly slurmdbd: number;
  readonly mariadb: number;
}

export const DEFAULT_PORTS: SlurmPorts = {
  slurmctld: 6817,
  slurmd: 6818,
  slurmdbd: 6819,
  mariadb: 3406,
};

/** The packages a cluster needs, for skip messages and `.ci/run`. */
export const SLURM_PACKAGES = "slurm-wlm munge slurmdbd mariadb-server-core mariadb-client-core";

const DB_PASSWORD = "llm-e2e-slurm";

async function run(
  argv: string[],
  options: Deno.CommandOptions = {},
): Promise<{ ok: boolean; out: string; err: string }> {
  try {
    const o = await new Deno.Command(argv[0], {
      args: argv.slice(1),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      ...options,
    }).output();
    const dec = new TextDecoder();
    return { ok: o.success, out: dec.decode(o.stdout), err: dec.decode(o.stderr) };
  } catch (e) {
    return { ok: false, out: "", err: (e as Error).message };
  }
}

function tail(text: string): string {
  return text.trim().split("\n").slice(-3).join(" | ");
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Poll `check` every 100 ms for up to `seconds`. */
async function until(seconds: number, check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < seconds * 10; i++) {
    if (await check()) return true;
    await sleep(100);
  }
  return false;
}

function slurmConf(dir: string, host: string, ports: SlurmPorts): string {
  const socket = join(dir, "munge/munge.socket.2");
  // No more than the machine has, or slurmd drains the node ("Low RealMemory").
  const cpus = Math.max(1, navigator.hardwareConcurrency ?? 1);
  const memoryMb = Math.min(2000, Math.floor(Deno.systemMemoryInfo().total / 1048576 / 2));
  return `# Written by tasks/e2e_slurm.ts: a single-node cluster for the tests.
ClusterName=llme2e
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
SlurmctldPort=${ports.slurmctld}
SlurmdPort=${ports.slurmd}
AuthType=auth/munge
AuthInfo=socket=${socket}
CredType=cred/munge
StateSaveLocation=${dir}/state
SlurmdSpoolDir=${dir}/spool
SlurmctldPidFile=${dir}/run/slurmctld.pid
SlurmdPidFile=${dir}/run/slurmd.pid
SlurmctldLogFile=${dir}/log/slurmctld.log
SlurmdLogFile=${dir}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=${ports.slurmdbd}
AccountingStoragePass=${socket}
MailProg=/bin/true
ReturnToService=2
KillWait=5
MinJobAge=300
MaxArraySize=1001
SchedulerParameters=sched_interval=1
NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${memoryMb} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
`;
}

function slurmdbdConf(dir: string, ports: SlurmPorts): string {
  return `# Written by tasks/e2e_slurm.ts.
AuthType=auth/munge
AuthInfo=socket=${dir}/munge/munge.socket.2
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort=${ports.slurmdbd}
SlurmUser=root
PidFile=${dir}/run/slurmdbd.pid
LogFile=${dir}/log/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=${ports.mariadb}
StorageUser=slurm
StoragePass=${DB_PASSWORD}
StorageLoc=slurm_acct_db
`;
}

/** The pid files of the daemons, in the order they are stopped. */
function pidFiles(dir: string): string[] {
  return ["run/slurmd.pid", "run/slurmctld.pid", "run/slurmdbd.pid", "mysql/mariadbd.pid"]
    .map((f) => join(dir, f))
    .concat(join(dir, "munge/munged.pid"));
}

function readPid(path: string): number | null {
  try {
    const pid = Number(Deno.readTextFileSync(path).trim());
    return Number.isInteger(pid) && pid > 1 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

/**
 * Stop the cluster in `dir` (this run's or a killed one's): its jobs, then
 * each daemon by its pid file (TERM, KILL after 10 s). One line per daemon
 * that would not stop.
 */
export async function stopSlurm(dir: string): Promise<string[]> {
  const conf = join(dir, "slurm.conf");
  const problems: string[] = [];
  if (readPid(join(dir, "run/slurmctld.pid")) !== null && which("scancel", "/usr/bin:/bin")) {
    // Jobs first, so no container is left behind by a job the daemons forget.
    const users = await run(["squeue", "-h", "-o", "%u"], { env: { SLURM_CONF: conf } });
    for (const user of new Set(users.out.split("\n").filter(Boolean))) {
      await run(["scancel", "-u", user], { env: { SLURM_CONF: conf } });
    }
    await until(15, async () => {
      const q = await run(["squeue", "-h"], { env: { SLURM_CONF: conf } });
      return !q.ok || q.out.trim() === "";
    });
  }
  for (const file of pidFiles(dir)) {
    const pid = readPid(file);
    if (pid === null || !alive(pid)) continue;
    try {
      Deno.kill(pid, "SIGTERM");
    } catch { /* gone */ }
    if (!(await until(10, () => Promise.resolve(!alive(pid))))) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch { /* gone */ }
      if (!(await until(5, () => Promise.resolve(!alive(pid))))) {
        problems.push(`slurm: pid ${pid} (${file}) does not stop`);
      }
    }
    await Deno.remove(file).catch(() => {});
  }
  return problems;
}

/**
 * Start a cluster in `dir` (emptied first). Returns the state to record;
 * on any failure the daemons started so far are stopped and `slurmSkip`
 * says what went wrong.
 */
export async function startSlurm(
  dir: string,
  ports: SlurmPorts = DEFAULT_PORTS,
): Promise<SlurmState> {
  const conf = join(dir, "slurm.conf");
  const skip = (why: string): SlurmState => ({
    slurmSkip: why,
    slurmConf: conf,
    slurmAccounting: false,
  });
  const path = "/usr/sbin:/usr/bin:/sbin:/bin";
  for (const tool of ["slurmctld", "slurmd", "munged", "mungekey", "sbatch"]) {
    if (!which(tool, path)) {
      return skip(`${tool} is not installed (apt-get install ${SLURM_PACKAGES})`);
    }
  }
  if (Deno.uid() !== 0) return skip("a test Slurm cluster needs root (slurmd runs jobs as users)");
  await stopSlurm(dir);
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  for (const d of ["", "state", "spool", "run", "log", "munge", "mysql"]) {
    await Deno.mkdir(join(dir, d), { recursive: true });
  }
  // Jobs run as the test user: it must reach the config and the munge socket.
  await Deno.chmod(dir, 0o755);
  const problem = await startDaemons(dir, conf, ports);
  if (problem !== null) {
    await stopSlurm(dir);
    return skip(problem);
  }
  const env = { SLURM_CONF: conf };
  const accounting = await until(20, async () => (await run(["sacct", "-n", "-X"], { env })).ok);
  return { slurmSkip: null, slurmConf: conf, slurmAccounting: accounting };
}

async function startDaemons(dir: string, conf: string, ports: SlurmPorts): Promise<string | null> {
  const host = (await run(["hostname", "-s"])).out.trim() || "localhost";
  // munge: its own key and socket, run as the munge user as munged insists.
  const munge = join(dir, "munge");
  const key = join(munge, "munge.key");
  const made = await run(["mungekey", "--create", `--keyfile=${key}`]);
  if (!made.ok) return `mungekey failed: ${tail(made.err)}`;
  const mungeUser = await run(["id", "-u", "munge"]);
  const mungeGroup = await run(["id", "-g", "munge"]);
  if (!mungeUser.ok) return "no munge user (apt-get install munge)";
  const [uid, gid] = [Number(mungeUser.out), Number(mungeGroup.out)];
  await Deno.chown(munge, uid, gid);
  await Deno.chown(key, uid, gid);
  await Deno.chmod(munge, 0o755);
  await Deno.chmod(key, 0o600);
  const socket = join(munge, "munge.socket.2");
  const munged = await run([
    "runuser",
    "-u",
    "munge",
    "--",
    "munged",
    `--socket=${socket}`,
    `--key-file=${key}`,
    `--pid-file=${join(munge, "munged.pid")}`,
    `--log-file=${join(munge, "munged.log")}`,
    `--seed-file=${join(munge, "munged.seed")}`,
  ]);
  if (!munged.ok) return `munged failed: ${tail(munged.err)}`;
  if (!(await until(5, async () => (await Deno.stat(socket).catch(() => null)) !== null))) {
    return "munged made no socket";
  }

  await Deno.writeTextFile(conf, slurmConf(dir, host, ports));
  await Deno.chmod(conf, 0o644);
  const dbdConf = join(dir, "slurmdbd.conf");
  await Deno.writeTextFile(dbdConf, slurmdbdConf(dir, ports));
  await Deno.chmod(dbdConf, 0o600);

  const dbProblem = await startMariadb(dir, ports);
  if (dbProblem !== null) return dbProblem;
  const env = { SLURM_CONF: conf };
  const dbd = await run(["slurmdbd"], { env });
  if (!dbd.ok) return `slurmdbd failed: ${tail(dbd.err)}`;
  const dbdUp = await until(20, async () => {
    const c = await Deno.connect({ hostname: "127.0.0.1", port: ports.slurmdbd }).catch(() => null);
    c?.close();
    return c !== null;
  });
  if (!dbdUp) return `slurmdbd did not listen on 127.0.0.1:${ports.slurmdbd}: see ${dir}/log`;
  const ctld = await run(["slurmctld"], { env });
  if (!ctld.ok) return `slurmctld failed: ${tail(ctld.err)}`;
  const slurmd = await run(["slurmd"], { env });
  if (!slurmd.ok) return `slurmd failed: ${tail(slurmd.err)}`;
  const idle = await until(30, async () => {
    const s = await run(["sinfo", "-h", "-o", "%t"], { env });
    return s.ok && /^(idle|mix|alloc)/m.test(s.out);
  });
  if (!idle) return `the node did not come up: see ${dir}/log`;
  // slurmctld adds its cluster to the database itself; make sure, for sacct.
  const clusters = await run(["sacctmgr", "-n", "-P", "list", "cluster", "format=cluster"], {
    env,
  });
  if (clusters.ok && !/^llme2e$/m.test(clusters.out)) {
    await run(["sacctmgr", "-i", "add", "cluster", "llme2e"], { env });
  }
  return null;
}

async function startMariadb(dir: string, ports: SlurmPorts): Promise<string | null> {
  const path = "/usr/sbin:/usr/bin:/sbin:/bin";
  if (!which("mariadbd", path) || !which("mariadb-install-db", path)) {
    return `mariadbd is not installed (apt-get install ${SLURM_PACKAGES})`;
  }
  const db = join(dir, "mysql");
  const data = join(db, "data");
  const sock = join(db, "mysqld.sock");
  const installed = await run([
    "mariadb-install-db",
    "--no-defaults",
    `--datadir=${data}`,
    "--user=root",
    "--skip-test-db",
    "--auth-root-authentication-method=socket",
  ]);
  if (!installed.ok) return `mariadb-install-db failed: ${tail(installed.out + installed.err)}`;
  // mariadbd stays in the foreground: setsid -f lets it outlive this process.
  const spawned = new Deno.Command("setsid", {
    args: [
      "-f",
      "mariadbd",
      "--no-defaults",
      `--datadir=${data}`,
      `--socket=${sock}`,
      `--pid-file=${join(db, "mariadbd.pid")}`,
      `--port=${ports.mariadb}`,
      "--bind-address=127.0.0.1",
      "--user=root",
      "--skip-log-bin",
      "--innodb-buffer-pool-size=32M",
      `--log-error=${join(db, "mariadbd.log")}`,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  await spawned.status;
  const sql = (statement: string) =>
    run(["mariadb", "--no-defaults", `--socket=${sock}`, "-u", "root", "-e", statement]);
  if (!(await until(30, async () => (await sql("SELECT 1")).ok))) {
    return `mariadbd did not start: see ${db}/mariadbd.log`;
  }
  const grants = await sql(
    ["localhost", "127.0.0.1"].map((h) =>
      `CREATE USER IF NOT EXISTS 'slurm'@'${h}' IDENTIFIED BY '${DB_PASSWORD}'; ` +
      `GRANT ALL ON slurm_acct_db.* TO 'slurm'@'${h}';`
    ).join(" ") + " CREATE DATABASE IF NOT EXISTS slurm_acct_db;",
  );
  if (!grants.ok) return `mariadb grants failed: ${tail(grants.err)}`;
  return null;
}

/** The variables that point Slurm's clients at the cluster. */
export function slurmEnv(state: SlurmState): Record<string, string> {
  return { SLURM_CONF: state.slurmConf };
}

if (import.meta.main) {
  // For developing the Slurm tests alone: deno run -A tasks/e2e_slurm.ts DIR [--stop] [--ports=A,B,C,D]
  const dir = Deno.args.find((a) => !a.startsWith("--"));
  if (!dir) {
    console.error(
      "usage: deno run -A tasks/e2e_slurm.ts DIR [--stop] [--ports=CTLD,SLURMD,DBD,DB]",
    );
    Deno.exit(2);
  }
  if (Deno.args.includes("--stop")) {
    const problems = await stopSlurm(dir);
    for (const p of problems) console.error(p);
    Deno.exit(problems.length ? 1 : 0);
  }
  const p = Deno.args.find((a) => a.startsWith("--ports="))?.slice(8).split(",").map(Number);
  const ports = p && p.length === 4
    ? { slurmctld: p[0], slurmd: p[1], slurmdbd: p[2], mariadb: p[3] }
    : DEFAULT_PORTS;
  const state = await startSlurm(dir, ports);
  await Deno.writeTextFile(join(dir, "state.json"), JSON.stringify(state, null, 2) + "\n");
  console.log(JSON.stringify(state));
}
