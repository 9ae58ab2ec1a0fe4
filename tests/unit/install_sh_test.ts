/**
 * install.sh against a fake release served on 127.0.0.1 (Deno.serve). The
 * machine it "detects" comes from recorded fake `uname` and `sysctl`
 * executables on PATH, so every platform can be tried on any machine.
 */
import { join } from "../../lib/std/path.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../_assert.ts";

const INSTALL_SH = new URL("../../install.sh", import.meta.url).pathname;

function hasCommand(name: string): boolean {
  return new Deno.Command("sh", { args: ["-c", `command -v ${name}`], stdout: "null" })
    .outputSync().success;
}

/** install.sh downloads with curl or wget; without either these tests cannot run. */
const NO_DOWNLOADER = !hasCommand("curl") && !hasCommand("wget");
if (NO_DOWNLOADER) console.log("skipping install.sh tests: neither curl nor wget is installed");

/** A fake release binary: a script that answers --version. */
function fakeBinary(target: string): Uint8Array {
  return new TextEncoder().encode(`#!/bin/sh\necho "llm 9.8.7 (${target})"\n`);
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

interface Release {
  /** URL path -> body. */
  readonly files: Map<string, Uint8Array>;
  /** Paths requested, in order. */
  readonly requested: string[];
  readonly url: string;
  close(): Promise<void>;
}

/** Serve `files` on 127.0.0.1 under /releases. */
function serveRelease(files: Map<string, Uint8Array>): Release {
  const requested: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    requested.push(path);
    const body = files.get(path);
    return body
      ? new Response(body as Uint8Array<ArrayBuffer>)
      : new Response("no such asset", { status: 404 });
  });
  return {
    files,
    requested,
    url: `http://127.0.0.1:${server.addr.port}/releases`,
    close: () => server.shutdown(),
  };
}

/** A release directory with every target's binary and an honest SHA256SUMS. */
async function releaseFiles(prefix: string, targets: string[]): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  const sums: string[] = [];
  for (const t of targets) {
    const bytes = fakeBinary(t);
    files.set(`${prefix}/llm-${t}`, bytes);
    sums.push(`${await sha256Hex(bytes)}  llm-${t}\n`);
  }
  files.set(`${prefix}/SHA256SUMS`, new TextEncoder().encode(sums.join("")));
  return files;
}

const ALL = [
  "x86_64-unknown-linux-gnu",
  "aarch64-apple-darwin",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
];

interface Machine {
  readonly os: string;
  readonly arch: string;
  /** What `sysctl -n sysctl.proc_translated` says on macOS (1 under Rosetta). */
  readonly translated?: string;
}

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly home: string;
  readonly dir: string;
}

/** Run install.sh as if on `machine`, with HOME and the install dir in a scratch dir. */
async function install(
  release: Release,
  machine: Machine,
  args: string[] = [],
  env: Record<string, string> = {},
  before?: (dir: string) => Promise<void>,
): Promise<Ran> {
  const dir = await Deno.makeTempDir({ prefix: "llm-install-" });
  const bin = join(dir, "fakebin");
  const home = join(dir, "home");
  await Deno.mkdir(bin);
  await Deno.mkdir(home);
  // Recorded answers of uname and sysctl on the machine being imitated.
  await Deno.writeTextFile(
    join(bin, "uname"),
    `#!/bin/sh\ncase $1 in -s) echo '${machine.os}' ;; -m) echo '${machine.arch}' ;; esac\n`,
  );
  await Deno.writeTextFile(
    join(bin, "sysctl"),
    `#!/bin/sh\n${machine.translated === undefined ? "exit 1" : `echo '${machine.translated}'`}\n`,
  );
  await Deno.chmod(join(bin, "uname"), 0o755);
  await Deno.chmod(join(bin, "sysctl"), 0o755);
  if (before) await before(dir);
  // Absolute: Deno looks a bare name up on the child's PATH, which tests restrict.
  const out = await new Deno.Command(whichSync("sh"), {
    args: [INSTALL_SH, ...args],
    env: {
      PATH: `${bin}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
      HOME: home,
      SHELL: "/bin/bash",
      LLM_RELEASE_URL: release.url,
      no_proxy: "127.0.0.1",
      NO_PROXY: "127.0.0.1",
      ...env,
      ...(env.PATH === undefined ? {} : { PATH: env.PATH.replace("{fakebin}", bin) }),
    },
    clearEnv: true,
    stdin: "null",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr), home, dir };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name: "install.sh installs the latest Linux x86_64 binary into ~/.local/bin",
  ignore: NO_DOWNLOADER,
}, async () => {
  const release = serveRelease(await releaseFiles("/releases/latest/download", ALL));
  try {
    const r = await install(release, { os: "Linux", arch: "x86_64" });
    assertEquals(r.code, 0, r.stderr);
    const installed = join(r.home, ".local/bin/llm");
    assertEquals(
      await Deno.readFile(installed),
      release.files.get("/releases/latest/download/llm-x86_64-unknown-linux-gnu"),
    );
    assertEquals(((await Deno.stat(installed)).mode ?? 0) & 0o777, 0o755);
    assertStringIncludes(r.stdout, "llm 9.8.7 (x86_64-unknown-linux-gnu)");
    assertStringIncludes(r.stdout, `export PATH="${join(r.home, ".local/bin")}:$PATH"`);
    assertEquals(release.requested, [
      "/releases/latest/download/llm-x86_64-unknown-linux-gnu",
      "/releases/latest/download/SHA256SUMS",
    ]);
    await Deno.remove(r.dir, { recursive: true });
  } finally {
    await release.close();
  }
});

Deno.test({
  name: "install.sh installs a given version for Apple silicon into LLM_INSTALL_DIR",
  ignore: NO_DOWNLOADER,
}, async () => {
  const release = serveRelease(await releaseFiles("/releases/download/v1.2.3", ALL));
  try {
    const target = await Deno.makeTempDir({ prefix: "llm-install-dir-" });
    const r = await install(release, { os: "Darwin", arch: "arm64" }, ["1.2.3"], {
      LLM_INSTALL_DIR: join(target, "bin"),
    });
    assertEquals(r.code, 0, r.stderr);
    assertEquals(
      await Deno.readTextFile(join(target, "bin/llm")),
      '#!/bin/sh\necho "llm 9.8.7 (aarch64-apple-darwin)"\n',
    );
    assertEquals(release.requested[0], "/releases/download/v1.2.3/llm-aarch64-apple-darwin");
    await Deno.remove(target, { recursive: true });
    await Deno.remove(r.dir, { recursive: true });
  } finally {
    await release.close();
  }
});

Deno.test({
  name: "install.sh picks the arm64 build for a shell under Rosetta",
  ignore: NO_DOWNLOADER,
}, async () => {
  const release = serveRelease(await releaseFiles("/releases/latest/download", ALL));
  try {
    const r = await install(release, { os: "Darwin", arch: "x86_64", translated: "1" });
    assertEquals(r.code, 0, r.stderr);
    assertEquals(release.requested[0], "/releases/latest/download/llm-aarch64-apple-darwin");
    await Deno.remove(r.dir, { recursive: true });
  } finally {
    await release.close();
  }
});

Deno.test({
  name: "install.sh installs nothing when the checksum does not match",
  ignore: NO_DOWNLOADER,
}, async () => {
  const files = await releaseFiles("/releases/latest/download", ALL);
  // The binary changed after SHA256SUMS was written.
  files.set(
    "/releases/latest/download/llm-aarch64-unknown-linux-gnu",
    new TextEncoder().encode("#!/bin/sh\necho tampered\n"),
  );
  const release = serveRelease(files);
  try {
    const r = await install(release, { os: "Linux", arch: "aarch64" }, [], {}, async (dir) => {
      await Deno.mkdir(join(dir, "home/.local/bin"), { recursive: true });
      await Deno.writeTextFile(join(dir, "home/.local/bin/llm"), "old llm\n");
    });
    assertEquals(r.code, 1);
    const lines = r.stderr.trimEnd().split("\n");
    assertEquals(lines.length, 1, r.stderr);
    assertMatch(
      lines[0],
      /^install\.sh: error: checksum mismatch for llm-aarch64-unknown-linux-gnu/,
    );
    assertStringIncludes(lines[0], "nothing was installed");
    assertEquals(await Deno.readTextFile(join(r.home, ".local/bin/llm")), "old llm\n");
    const leftovers = [...Deno.readDirSync(join(r.home, ".local/bin"))].map((e) => e.name);
    assertEquals(leftovers, ["llm"]);
    await Deno.remove(r.dir, { recursive: true });
  } finally {
    await release.close();
  }
});

Deno.test({
  name: "install.sh refuses an unknown operating system or architecture",
  ignore: NO_DOWNLOADER,
}, async () => {
  const release = serveRelease(await releaseFiles("/releases/latest/download", ALL));
  try {
    const bsd = await install(release, { os: "FreeBSD", arch: "amd64" });
    assertEquals(bsd.code, 1);
    assertMatch(bsd.stderr, /^install\.sh: error: no llm build for operating system 'FreeBSD'/);
    const mips = await install(release, { os: "Linux", arch: "mips64" });
    assertEquals(mips.code, 1);
    assertMatch(mips.stderr, /^install\.sh: error: no llm build for architecture 'mips64'/);
    assertEquals(release.requested, []);
    assert(!(await exists(join(bsd.home, ".local/bin/llm"))));
    for (const r of [bsd, mips]) await Deno.remove(r.dir, { recursive: true });
  } finally {
    await release.close();
  }
});

Deno.test(
  { name: "install.sh names the URL when a release does not exist", ignore: NO_DOWNLOADER },
  async () => {
    const release = serveRelease(await releaseFiles("/releases/latest/download", ALL));
    try {
      const r = await install(release, { os: "Linux", arch: "x86_64" }, ["v0.0.1"]);
      assertEquals(r.code, 1);
      assertStringIncludes(
        r.stderr,
        `could not download ${release.url}/download/v0.0.1/llm-x86_64-unknown-linux-gnu`,
      );
      assertStringIncludes(r.stderr, "does release 'v0.0.1' exist?");
      assert(!(await exists(join(r.home, ".local/bin/llm"))));
      await Deno.remove(r.dir, { recursive: true });
    } finally {
      await release.close();
    }
  },
);

Deno.test({
  name: "install.sh fails when SHA256SUMS has no line for the binary",
  ignore: NO_DOWNLOADER,
}, async () => {
  const files = await releaseFiles("/releases/latest/download", ALL);
  files.set("/releases/latest/download/SHA256SUMS", new TextEncoder().encode("abc  other\n"));
  const release = serveRelease(files);
  try {
    const r = await install(release, { os: "Linux", arch: "x86_64" });
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, "has no line for llm-x86_64-unknown-linux-gnu");
    await Deno.remove(r.dir, { recursive: true });
  } finally {
    await release.close();
  }
});

/** The absolute path of `name` on this machine's PATH. */
function whichSync(name: string): string {
  const out = new Deno.Command("sh", { args: ["-c", `command -v ${name}`], stdout: "piped" })
    .outputSync();
  return new TextDecoder().decode(out.stdout).trim();
}

const NO_WGET = !hasCommand("wget");
if (NO_WGET) console.log("skipping the install.sh wget test: wget is not installed");

Deno.test(
  { name: "install.sh downloads with wget where curl is missing", ignore: NO_WGET },
  async () => {
    // A PATH holding only the tools install.sh needs, and wget but no curl.
    const tools = await Deno.makeTempDir({ prefix: "llm-install-tools-" });
    const sha = hasCommand("sha256sum") ? "sha256sum" : "shasum";
    for (const t of ["wget", sha, "awk", "cut", "mktemp", "mkdir", "cp", "chmod", "mv", "rm"]) {
      await Deno.symlink(whichSync(t), join(tools, t));
    }
    const release = serveRelease(await releaseFiles("/releases/latest/download", ALL));
    try {
      const r = await install(release, { os: "Linux", arch: "x86_64" }, [], {
        PATH: `{fakebin}:${tools}`,
      });
      assertEquals(r.code, 0, r.stderr);
      assertStringIncludes(r.stdout, "llm 9.8.7 (x86_64-unknown-linux-gnu)");
      assertEquals(release.requested.length, 2);
      await Deno.remove(r.dir, { recursive: true });
    } finally {
      await release.close();
      await Deno.remove(tools, { recursive: true });
    }
  },
);

Deno.test(
  { name: "install.sh takes the version from LLM_VERSION", ignore: NO_DOWNLOADER },
  async () => {
    const release = serveRelease(await releaseFiles("/releases/download/v2.0.0", ALL));
    try {
      const r = await install(release, { os: "Linux", arch: "aarch64" }, [], {
        LLM_VERSION: "v2.0.0",
      });
      assertEquals(r.code, 0, r.stderr);
      assertEquals(release.requested[0], "/releases/download/v2.0.0/llm-aarch64-unknown-linux-gnu");
      await Deno.remove(r.dir, { recursive: true });
    } finally {
      await release.close();
    }
  },
);

Deno.test("install.sh --help explains itself and an unknown option is refused", async () => {
  const release = serveRelease(new Map());
  try {
    const help = await install(release, { os: "Linux", arch: "x86_64" }, ["--help"]);
    assertEquals(help.code, 0);
    assertStringIncludes(help.stdout, "Usage: install.sh [VERSION]");
    const bad = await install(release, { os: "Linux", arch: "x86_64" }, ["--force"]);
    assertEquals(bad.code, 1);
    assertMatch(bad.stderr, /^install\.sh: error: unknown option '--force'/);
    assertEquals(release.requested, []);
    for (const r of [help, bad]) await Deno.remove(r.dir, { recursive: true });
  } finally {
    await release.close();
  }
});
