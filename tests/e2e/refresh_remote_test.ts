/**
 * `llm refresh --remote` end to end: a real sshd on 127.0.0.1 (its own host
 * key, a free port, `UsePAM=no`) and real rsync push to a second local user's
 * home (`llm-remote`, created here). Checks the files that arrive, their
 * modes and owner, that nothing else is copied, that one rsync runs for the
 * whole set, and that an unreachable host gives a clear error and leaves the
 * local files alone. Skips, saying why, unless run as root with sshd, ssh,
 * rsync and useradd installed.
 */
import { join } from "../../lib/std/path.ts";
import { assertEquals, assertStringIncludes } from "../_assert.ts";
import { loggedIn, makeWorld, modeOf, type RefreshWorld, runRefresh } from "./_refresh_fixtures.ts";

const REMOTE_USER = "llm-remote";
const TOOLS = ["/usr/sbin/sshd", "/usr/bin/ssh", "/usr/bin/ssh-keygen", "/usr/bin/rsync"];

function skipReason(): string | null {
  if (Deno.uid() !== 0) return "needs root to create a second user and start sshd";
  for (const t of [...TOOLS, "/usr/sbin/useradd"]) {
    try {
      Deno.statSync(t);
    } catch {
      return `${t} is missing (apt-get install openssh-server openssh-client rsync)`;
    }
  }
  return null;
}

const SKIP = skipReason();
if (SKIP) console.log(`skipping refresh --remote tests: ${SKIP}`);

async function sh(argv: string[]): Promise<string> {
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  if (!out.success) throw new Error(`${argv.join(" ")}: ${dec.decode(out.stderr)}`);
  return dec.decode(out.stdout);
}

interface RemoteUser {
  readonly uid: number;
  readonly home: string;
}

/** Create the remote user once (a usable password field lets sshd accept its key). */
async function remoteUser(): Promise<RemoteUser> {
  const line = () =>
    Deno.readTextFileSync("/etc/passwd").split("\n").find((l) => l.startsWith(`${REMOTE_USER}:`));
  if (!line()) await sh(["useradd", "-m", "-s", "/bin/sh", REMOTE_USER]);
  await sh(["usermod", "-p", "*", REMOTE_USER]);
  const fields = (line() ?? "").split(":");
  return { uid: Number(fields[2]), home: fields[5] };
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A running sshd and the client options that reach it. */
interface Sshd {
  readonly user: RemoteUser;
  readonly sshOptions: string[];
  stop(): Promise<void>;
}

async function startSshd(dir: string): Promise<Sshd> {
  const user = await remoteUser();
  await sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", join(dir, "host_key")]);
  await sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", join(dir, "client_key")]);
  const sshDir = join(user.home, ".ssh");
  Deno.mkdirSync(sshDir, { recursive: true, mode: 0o700 });
  Deno.copyFileSync(join(dir, "client_key.pub"), join(sshDir, "authorized_keys"));
  Deno.chmodSync(join(sshDir, "authorized_keys"), 0o600);
  Deno.chownSync(sshDir, user.uid, null);
  Deno.chownSync(join(sshDir, "authorized_keys"), user.uid, null);
  Deno.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const port = freePort();
  const child = new Deno.Command("/usr/sbin/sshd", {
    args: [
      "-D",
      "-f",
      "/dev/null",
      "-E",
      join(dir, "sshd.log"),
      "-p",
      String(port),
      "-o",
      "ListenAddress=127.0.0.1",
      "-o",
      `HostKey=${join(dir, "host_key")}`,
      "-o",
      "UsePAM=no",
      "-o",
      "PidFile=none",
      "-o",
      "PasswordAuthentication=no",
      "-o",
      "AuthorizedKeysFile=.ssh/authorized_keys",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  // Wait until it listens (polling, no timing assertion).
  for (let i = 0;; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch (e) {
      if (i > 200) {
        child.kill("SIGTERM");
        await child.status;
        throw new Error(`sshd did not start: ${e}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    user,
    sshOptions: [
      `Port=${port}`,
      `IdentityFile=${join(dir, "client_key")}`,
      "StrictHostKeyChecking=no",
      "UserKnownHostsFile=/dev/null",
      "BatchMode=yes",
      "LogLevel=ERROR",
    ],
    async stop() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

const PUSHED = [".codex", ".aws", ".pi", ".claude", ".claude.json"];

function safeClear(user: RemoteUser): void {
  for (const p of PUSHED) {
    try {
      Deno.removeSync(join(user.home, p), { recursive: true });
    } catch { /* absent */ }
  }
}

/** Every entry under `root` except `skip`, as relative path -> "file 600" / "dir 700". */
function tree(root: string, skip: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, rel: string) => {
    for (const e of Deno.readDirSync(dir)) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (skip.includes(r)) continue;
      const p = join(dir, e.name);
      out[r] = `${e.isDirectory ? "dir" : "file"} ${modeOf(p).toString(8)}`;
      if (e.isDirectory) walk(p, r);
    }
  };
  walk(root, "");
  return out;
}

const SKELETON = [".ssh", ".bashrc", ".profile", ".bash_logout"];

/** A world whose rsync is a wrapper that logs each run, then runs the real one. */
function pushWorld(): RefreshWorld {
  const world = makeWorld({ tools: ["ssh"] });
  Deno.writeTextFileSync(
    join(world.bin, "rsync"),
    `#!/bin/sh\necho "rsync $*" >> "$FAKE_STATE/log"\nexec /usr/bin/rsync "$@"\n`,
    { mode: 0o755 },
  );
  loggedIn(world);
  return world;
}

async function withRemote(fn: (sshd: Sshd, world: RefreshWorld) => Promise<void>): Promise<void> {
  const world = pushWorld();
  const sshd = await startSshd(world.root);
  safeClear(sshd.user);
  try {
    await fn(sshd, world);
  } finally {
    await sshd.stop();
    safeClear(sshd.user);
    world.cleanup();
  }
}

function remoteArgs(sshd: Sshd): string[] {
  return [
    "--remote",
    "127.0.0.1",
    "--user",
    REMOTE_USER,
    ...sshd.sshOptions.flatMap((o) => ["--ssh-option", o]),
  ];
}

Deno.test({
  name: "refresh --remote pushes the auth set in one rsync, owner-only, and nothing else",
  ignore: SKIP !== null,
  async fn() {
    await withRemote(async (sshd, world) => {
      // Loose local modes and files outside the list, which must not travel.
      Deno.chmodSync(join(world.home, ".codex/auth.json"), 0o644);
      Deno.chmodSync(join(world.home, ".codex"), 0o755);
      Deno.writeTextFileSync(join(world.home, ".codex/history.jsonl"), "{}\n");
      Deno.writeTextFileSync(join(world.home, ".codex/config.toml"), "model = 'x'\n");
      Deno.mkdirSync(join(world.home, ".aws/sso/cache"), { recursive: true });
      Deno.writeTextFileSync(join(world.home, ".aws/sso/cache/token.json"), "{}\n");
      const homeMode = modeOf(sshd.user.home);

      const r = await runRefresh(world, remoteArgs(sshd));
      assertEquals(r.code, 0, r.stderr);
      assertEquals(world.log().filter((l) => l.startsWith("rsync ")).length, 1);
      assertEquals(tree(sshd.user.home, SKELETON), {
        ".aws": "dir 700",
        ".aws/config": "file 600",
        ".aws/credentials.json": "file 600",
        ".codex": "dir 700",
        ".codex/auth.json": "file 600",
        ".pi": "dir 700",
        ".pi/agent": "dir 700",
        ".pi/agent/auth.json": "file 600",
      });
      for (const f of [".codex/auth.json", ".aws/credentials.json", ".pi/agent/auth.json"]) {
        const remote = join(sshd.user.home, f);
        assertEquals(Deno.readTextFileSync(remote), Deno.readTextFileSync(join(world.home, f)));
        assertEquals(Deno.statSync(remote).uid, sshd.user.uid, f);
      }
      assertEquals(modeOf(sshd.user.home), homeMode);
    });
  },
});

Deno.test({
  name: "refresh --remote --full copies skill directories, keeping scripts runnable by the owner",
  ignore: SKIP !== null,
  async fn() {
    await withRemote(async (sshd, world) => {
      const skills = join(world.home, ".codex/skills/review");
      Deno.mkdirSync(skills, { recursive: true, mode: 0o755 });
      Deno.writeTextFileSync(join(skills, "SKILL.md"), "# review\n", { mode: 0o644 });
      Deno.writeTextFileSync(join(skills, "run.sh"), "#!/bin/sh\n", { mode: 0o755 });
      Deno.writeTextFileSync(join(world.home, ".codex/config.toml"), "model = 'x'\n");

      const r = await runRefresh(world, ["--kind", "codex", "--full", ...remoteArgs(sshd)]);
      assertEquals(r.code, 0, r.stderr);
      assertStringIncludes(r.stderr, "warning: ~/.codex/memories/ not found; not pushing it");
      assertEquals(tree(sshd.user.home, SKELETON), {
        ".codex": "dir 700",
        ".codex/auth.json": "file 600",
        ".codex/config.toml": "file 600",
        ".codex/skills": "dir 700",
        ".codex/skills/review": "dir 700",
        ".codex/skills/review/SKILL.md": "file 600",
        ".codex/skills/review/run.sh": "file 700",
      });
    });
  },
});

Deno.test({
  name: "refresh --remote to an unreachable host fails clearly and leaves local files alone",
  ignore: SKIP !== null,
  async fn() {
    await withRemote(async (sshd, world) => {
      assertEquals((await runRefresh(world, [])).code, 0);
      const before = tree(world.home);
      const contents = Object.keys(before).filter((k) => before[k].startsWith("file"))
        .map((k) => Deno.readTextFileSync(join(world.home, k)));
      const closed = freePort();
      const options = sshd.sshOptions.map((o) => o.startsWith("Port=") ? `Port=${closed}` : o);
      const r = await runRefresh(world, [
        "--remote",
        "127.0.0.1",
        "--user",
        REMOTE_USER,
        ...options.flatMap((o) => ["--ssh-option", o]),
      ]);
      assertEquals(r.code, 1);
      assertStringIncludes(
        r.stderr,
        `llm: error: rsync to ${REMOTE_USER}@127.0.0.1 failed (exit `,
      );
      assertStringIncludes(r.stderr, "Connection refused; check that");
      assertEquals(tree(world.home), before);
      assertEquals(
        Object.keys(before).filter((k) => before[k].startsWith("file"))
          .map((k) => Deno.readTextFileSync(join(world.home, k))),
        contents,
      );
      assertEquals(tree(sshd.user.home, SKELETON), {});
    });
  },
});

Deno.test({
  name:
    "refresh --remote never sends a link's target: links out of the tree are dropped, a linked path refused",
  ignore: SKIP !== null,
  async fn() {
    await withRemote(async (sshd, world) => {
      const secret = join(world.home, "secret");
      Deno.mkdirSync(secret);
      Deno.writeTextFileSync(join(secret, "SKILL.md"), "SECRET\n");
      const skills = join(world.home, ".codex/skills/review");
      Deno.mkdirSync(skills, { recursive: true });
      Deno.writeTextFileSync(join(skills, "run.sh"), "#!/bin/sh\n");
      Deno.symlinkSync("/etc/passwd", join(skills, "abs"));
      Deno.symlinkSync("../../../../../etc", join(skills, "escapes"));
      Deno.symlinkSync("run.sh", join(skills, "inside"));
      const r = await runRefresh(world, ["--kind", "codex", "--full", ...remoteArgs(sshd)]);
      assertEquals(r.code, 0, r.stderr);
      const remote = join(sshd.user.home, ".codex/skills/review");
      const got = [...Deno.readDirSync(remote)].map((e) => e.name).sort();
      assertEquals(got, ["inside", "run.sh"]);
      assertEquals(Deno.readLinkSync(join(remote, "inside")), "run.sh");

      // A pushed directory that is itself a link would be followed by rsync: refused first.
      safeClear(sshd.user);
      Deno.removeSync(join(world.home, ".codex/skills"), { recursive: true });
      Deno.symlinkSync(secret, join(world.home, ".codex/skills"));
      const before = world.log().length;
      const refused = await runRefresh(world, ["--kind", "codex", "--full", ...remoteArgs(sshd)]);
      assertEquals(refused.code, 1);
      assertStringIncludes(
        refused.stderr,
        `llm: error: ~/.codex/skills is a symlink to ${secret}; llm refresh never follows links`,
      );
      assertEquals(world.log().slice(before).filter((l) => l.startsWith("rsync")), []);
      assertEquals(tree(sshd.user.home, SKELETON), {});
    });
  },
});

Deno.test({
  name:
    "refresh --remote replaces links planted on the remote side instead of writing through them",
  ignore: SKIP !== null,
  async fn() {
    await withRemote(async (sshd, world) => {
      const bashrc = join(sshd.user.home, ".bashrc");
      const before = Deno.readFileSync(bashrc);
      Deno.mkdirSync(join(sshd.user.home, ".aws"));
      Deno.symlinkSync(bashrc, join(sshd.user.home, ".aws/config"));
      Deno.chownSync(join(sshd.user.home, ".aws"), sshd.user.uid, null);
      const r = await runRefresh(world, ["--kind", "claude", ...remoteArgs(sshd)]);
      assertEquals(r.code, 0, r.stderr);
      assertEquals(Deno.readFileSync(bashrc), before);
      assertEquals(Deno.lstatSync(join(sshd.user.home, ".aws/config")).isFile, true);
    });
  },
});
