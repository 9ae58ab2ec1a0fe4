/**
 * `llm conda-bootstrap` and `llm conda` end to end: a real HTTP server on
 * 127.0.0.1 serves a small fake Miniforge installer and its `.sha256`, and
 * real podman (rootful and rootless) runs it in the busybox test image.
 *
 * The fake installer honours `-b -u -s -p PREFIX` like the real one and
 * creates `PREFIX/bin/conda`, a script that records its arguments, PATH and
 * working directory in `PREFIX/conda-call.log`.
 */
import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import { join } from "../../lib/std/path.ts";
import {
  ignoreUnless,
  makeSandbox,
  type Mode,
  type Ran,
  runAs,
  runLlm,
  type Sandbox,
  spawnLlm,
  testImage,
} from "./_harness.ts";

const IMAGE = testImage();
const INSTALLER = "Miniforge3-Linux-x86_64.sh";

/** A fake installer; `version` is recorded in `PREFIX/install.log` on each run. */
function fakeInstaller(version: string): string {
  return `#!/bin/bash
# Fake Miniforge installer for tests: honours -b -u -s -p PREFIX like the real one.
set -e
batch=0 update=0 silent=0 prefix=
while [ $# -gt 0 ]; do
  case "$1" in
    -b) batch=1 ;;
    -u) update=1 ;;
    -s) silent=1 ;;
    -p) prefix="$2"; shift ;;
    *) echo "fake installer: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ "$batch$silent" = 11 ] || { echo "fake installer: expected -b and -s" >&2; exit 2; }
[ -n "$prefix" ] || { echo "fake installer: -p PREFIX missing" >&2; exit 2; }
if [ -e "$prefix" ] && [ "$update" != 1 ]; then
  echo "ERROR: File or directory already exists: '$prefix'" >&2; exit 1
fi
echo "PREFIX=$prefix"
echo "Unpacking payload ..."
mkdir -p "$prefix/bin"
cat > "$prefix/bin/conda" <<'CONDA'
#!/bin/bash
# Fake conda: records its arguments, PATH and working directory beside the install.
here="$(cd "$(dirname "$0")/.." && pwd)"
{ printf 'ARG %s\\n' "$@"; printf 'PATH %s\\n' "$PATH"; printf 'CWD %s\\n' "$PWD"; } > "$here/conda-call.log"
if [ "$1" = create ] && [ "$2" = -p ]; then mkdir -p "$3/bin"; fi
echo "fake conda ran: $*"
CONDA
chmod +x "$prefix/bin/conda"
echo "${version}" >> "$prefix/install.log"
id -u > "$prefix/installer-uid"
echo "installation finished."
`;
}

/** An installer that fails its own checks before touching the prefix. */
const FAILING_INSTALLER = `#!/bin/bash
echo "Checking payload ..."
echo "fake failure: payload is damaged" >&2
exit 3
`;

/** An installer that gets part of the way, then fails like a full disk would. */
const PARTIAL_INSTALLER = `#!/bin/bash
while [ $# -gt 0 ]; do [ "$1" = -p ] && prefix="$2"; shift; done
echo "Unpacking payload ..."
mkdir -p "$prefix/bin" && echo partial > "$prefix/bin/conda"
echo "fake failure: No space left on device" >&2
exit 3
`;

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** What the server answers for a path. */
type Route = () => Response | Promise<Response>;

/** The test's HTTP server on 127.0.0.1: routes by path, and a log of requested paths. */
interface Server {
  readonly base: string;
  readonly requests: string[];
  readonly routes: Map<string, Route>;
  close(): Promise<void>;
}

function startServer(): Server {
  const requests: string[] = [];
  const routes = new Map<string, Route>();
  const http = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    requests.push(path);
    const route = routes.get(path);
    return route ? route() : new Response("not found", { status: 404 });
  });
  return {
    base: `http://127.0.0.1:${http.addr.port}`,
    requests,
    routes,
    close: () => http.shutdown(),
  };
}

/** Serve `script` as the installer with its correct checksum. */
async function serveInstaller(server: Server, script: string): Promise<void> {
  const sum = await sha256(script);
  server.routes.set(`/${INSTALLER}`, () => new Response(script));
  server.routes.set(`/${INSTALLER}.sha256`, () => new Response(`${sum}  ${INSTALLER}\n`));
}

function bootstrap(s: Sandbox, server: Server, ...extra: string[]): Promise<Ran> {
  return runLlm(s, [
    "--image-name",
    IMAGE,
    "conda-bootstrap",
    "--arch",
    "linux/amd64",
    "--installer-url",
    `${server.base}/${INSTALLER}`,
    ...extra,
  ]);
}

function paths(s: Sandbox) {
  const prefix = join(s.home, ".local/share/llm/miniforge");
  return { prefix, conda: join(prefix, "bin/conda"), cache: join(s.home, ".cache/llm") };
}

async function readOr(path: string, fallback: string): Promise<string> {
  return await Deno.readTextFile(path).catch(() => fallback);
}

async function listDir(path: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(path)) names.push(e.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return names.sort();
}

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

async function withServer(
  mode: Mode,
  fn: (s: Sandbox, server: Server) => Promise<void>,
): Promise<void> {
  const sandbox = await makeSandbox(mode);
  const server = startServer();
  try {
    await fn(sandbox, server);
  } finally {
    await server.close();
    await sandbox.cleanup();
  }
}

for (const mode of ["rootful", "rootless"] as Mode[]) {
  const ignore = ignoreUnless(mode);
  const test = (name: string, fn: (s: Sandbox, server: Server) => Promise<void>) =>
    Deno.test({ name: `${name} (${mode} podman)`, ignore, fn: () => withServer(mode, fn) });

  test(
    "conda-bootstrap installs, skips a second time, and --force re-runs from the cache",
    async (s, server) => {
      const { prefix, conda, cache } = paths(s);
      await serveInstaller(server, fakeInstaller("v1"));

      const first = await bootstrap(s, server);
      assertEquals(first.code, 0, first.stderr);
      assertStringIncludes(first.stderr, `llm: downloading ${server.base}/${INSTALLER}`);
      assertStringIncludes(first.stderr, "Unpacking payload");
      assertStringIncludes(first.stderr, `Miniforge is installed at ${prefix}`);
      // Rootful podman runs the container user as root without capabilities.
      assertEquals(
        await readOr(join(prefix, "installer-uid"), ""),
        s.mode === "rootful" ? "0\n" : "1000\n",
        "the container user",
      );
      assertEquals(await readOr(join(prefix, "install.log"), ""), "v1\n");
      assertEquals(await listDir(cache), [INSTALLER]);
      const uid = (await runAs(s, ["id", "-u"])).stdout.trim();
      assertEquals(String((await Deno.stat(conda)).uid), uid, "conda belongs to the host user");
      assertEquals(String((await Deno.stat(join(prefix, "install.log"))).uid), uid);
      for (const d of [".devcontainer/.conda", ".devcontainer/.cache"]) {
        assert(await exists(join(s.home, d)), `${d} was created`);
      }

      const before = server.requests.length;
      const second = await bootstrap(s, server);
      assertEquals(second.code, 0, second.stderr);
      assertStringIncludes(second.stderr, "already installed");
      assertEquals(server.requests.length, before, "nothing downloaded");
      assertEquals(await readOr(join(prefix, "install.log"), ""), "v1\n");

      const forced = await bootstrap(s, server, "--force");
      assertEquals(forced.code, 0, forced.stderr);
      assertStringIncludes(forced.stderr, "using the cached installer");
      assertEquals(server.requests.slice(before), [`/${INSTALLER}.sha256`]);
      assertEquals(await readOr(join(prefix, "install.log"), ""), "v1\nv1\n");
    },
  );

  test(
    "llm conda reaches the installed conda with its arguments, PATH and workspace",
    async (s, server) => {
      const { prefix } = paths(s);
      await serveInstaller(server, fakeInstaller("v1"));
      assertEquals((await bootstrap(s, server)).code, 0);
      await runAs(s, ["sh", "-c", "echo numpy > requirements.txt"]);
      const env = join(prefix, "..", "proj-env");

      const r = await runLlm(s, [
        "--image-name",
        IMAGE,
        "conda",
        "create",
        "-p",
        env,
        "--file",
        "requirements.txt",
      ]);
      assertEquals(r.code, 0, r.stderr);
      assertStringIncludes(r.stdout, `fake conda ran: create -p ${env} --file requirements.txt`);
      const log = (await Deno.readTextFile(join(prefix, "conda-call.log"))).split("\n");
      assertEquals(log.filter((l) => l.startsWith("ARG ")), [
        "ARG create",
        "ARG -p",
        `ARG ${env}`,
        "ARG --file",
        "ARG requirements.txt",
      ]);
      const path = log.find((l) => l.startsWith("PATH "))?.slice(5) ?? "";
      assertEquals(path.split(":")[0], join(prefix, "bin"));
      assertEquals(log.find((l) => l.startsWith("CWD ")), `CWD ${s.workspace}`);
      const uid = (await runAs(s, ["id", "-u"])).stdout.trim();
      assertEquals(String((await Deno.stat(join(env, "bin"))).uid), uid);

      // The environment it made is handed to an agent with --conda-env.
      const used = await runLlm(s, [
        "--image-name",
        IMAGE,
        "--conda-env",
        env,
        "shell",
        "--",
        "bash",
        "-c",
        'echo "$PATH"',
      ]);
      assertEquals(used.code, 0, used.stderr);
      assertEquals(used.stdout.trim().split(":")[0], join(env, "bin"));
    },
  );

  test(
    "a failing installer is reported with its exit code and last lines; the install stays",
    async (s, server) => {
      const { prefix, conda } = paths(s);
      await serveInstaller(server, fakeInstaller("v1"));
      assertEquals((await bootstrap(s, server)).code, 0);
      const condaBefore = await Deno.readTextFile(conda);

      await serveInstaller(server, FAILING_INSTALLER);
      const r = await bootstrap(s, server, "--force");
      assertEquals(r.code, 1, r.stderr);
      assertStringIncludes(r.stderr, "llm: the installer's last lines:\n");
      assertStringIncludes(
        r.stderr,
        "  Checking payload ...\n  fake failure: payload is damaged\n",
      );
      assertStringIncludes(
        r.stderr,
        `llm: error: the Miniforge installer failed with exit code 3; the previous install at ` +
          `${prefix} was left as it was`,
      );
      assertEquals(await readOr(join(prefix, "install.log"), ""), "v1\n");
      assertEquals(await Deno.readTextFile(conda), condaBefore);
    },
  );
}

// Downloads happen on the host before any container runs, so one podman mode
// is enough for these; rootful runs llm directly, which lets a test signal it.
const ignoreRootful = ignoreUnless("rootful");
const failure = (name: string, fn: (s: Sandbox, server: Server) => Promise<void>) =>
  Deno.test({ name, ignore: ignoreRootful, fn: () => withServer("rootful", fn) });

/** Nothing of the install or the download is left. */
async function assertNothingLeft(s: Sandbox): Promise<void> {
  const { prefix, cache } = paths(s);
  assertEquals(await exists(prefix), false, "no prefix");
  assertEquals(await listDir(cache), [], "no installer and no partial file in the cache");
}

failure("a checksum mismatch installs nothing and keeps no file", async (s, server) => {
  await serveInstaller(server, fakeInstaller("v1"));
  server.routes.set(`/${INSTALLER}.sha256`, () => new Response(`${"0".repeat(64)}  x\n`));
  const r = await bootstrap(s, server);
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, `llm: error: checksum mismatch for ${server.base}/${INSTALLER}`);
  await assertNothingLeft(s);
});

failure("a missing checksum is an error and nothing is downloaded", async (s, server) => {
  await serveInstaller(server, fakeInstaller("v1"));
  server.routes.delete(`/${INSTALLER}.sha256`);
  const r = await bootstrap(s, server);
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, "llm: error: no checksum for the installer");
  assertStringIncludes(r.stderr, "HTTP 404");
  assertEquals(server.requests.includes(`/${INSTALLER}`), false);
  await assertNothingLeft(s);
});

failure("an installer URL answering 404 is an error naming the URL", async (s, server) => {
  await serveInstaller(server, fakeInstaller("v1"));
  server.routes.delete(`/${INSTALLER}`);
  const r = await bootstrap(s, server);
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(
    r.stderr,
    `llm: error: could not download ${server.base}/${INSTALLER}: the server answered HTTP 404`,
  );
  await assertNothingLeft(s);
});

failure("a refused connection is an error saying so", async (s) => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const r = await runLlm(s, [
    "--image-name",
    IMAGE,
    "conda-bootstrap",
    "--installer-url",
    `http://127.0.0.1:${port}/${INSTALLER}`,
  ]);
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, "Connection refused");
  await assertNothingLeft(s);
});

failure("a server closing mid-download leaves no partial file", async (s, server) => {
  const script = fakeInstaller("v1");
  await serveInstaller(server, script);
  server.routes.set(`/${INSTALLER}`, () =>
    new Response(
      new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode(script.slice(0, 100)));
          setTimeout(() => c.error(new Error("server went away")), 50);
        },
      }),
      { headers: { "content-length": String(script.length) } },
    ));
  const r = await bootstrap(s, server);
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, `llm: error: download of ${server.base}/${INSTALLER} broke off`);
  await assertNothingLeft(s);
});

failure("Ctrl-C during the download exits 130 and leaves no partial file", async (s, server) => {
  const { cache } = paths(s);
  const script = fakeInstaller("v1");
  await serveInstaller(server, script);
  let stall: ReadableStreamDefaultController<Uint8Array> | undefined;
  server.routes.set(`/${INSTALLER}`, () =>
    new Response(
      new ReadableStream({
        start(c) {
          // Half the body, then nothing until the test ends.
          c.enqueue(new TextEncoder().encode(script.slice(0, 100)));
          stall = c;
        },
      }),
      { headers: { "content-length": String(script.length) } },
    ));
  const child = spawnLlm(s, [
    "--image-name",
    IMAGE,
    "conda-bootstrap",
    "--installer-url",
    `${server.base}/${INSTALLER}`,
  ]);
  try {
    // Wait for the partial file to appear, then interrupt.
    for (let i = 0; i < 200 && (await listDir(cache)).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    assertEquals((await listDir(cache)).length, 1, "a partial file exists during the download");
    child.kill("SIGINT");
    const out = await child.output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 130, stderr);
    assertStringIncludes(stderr, "interrupted; nothing was kept");
    await assertNothingLeft(s);
  } finally {
    try {
      stall?.close();
    } catch { /* already closed */ }
  }
});

failure("a fresh install whose installer fails leaves no partial prefix", async (s, server) => {
  const { prefix } = paths(s);
  await serveInstaller(server, PARTIAL_INSTALLER);
  const r = await bootstrap(s, server);
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, "exit code 3; the partial install at");
  assertEquals(await exists(prefix), false);
  // The verified installer stays cached for the next attempt.
  assertEquals(await listDir(paths(s).cache), [INSTALLER]);
});

failure("llm conda without a bootstrap names llm conda-bootstrap", async (s) => {
  const r = await runLlm(s, ["--image-name", IMAGE, "conda", "info"]);
  assertEquals(r.code, 1);
  assertStringIncludes(r.stderr, "install it with 'llm conda-bootstrap'");
});
