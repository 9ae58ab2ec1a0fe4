import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "../../_assert.ts";
import { COMMAND_COMMON_OPTIONS, GLOBAL_OPTIONS } from "../../../lib/cli/options.ts";
import { parseOptions } from "../../../lib/cli/parse.ts";
import { main } from "../../../lib/cli/main.ts";
import { condaBootstrap, downloadCertificates, lastLines } from "../../../lib/conda/bootstrap.ts";
import { CONDA_BOOTSTRAP } from "../../../lib/conda/commands.ts";
import { LlmError, UsageError } from "../../../lib/errors.ts";
import { splitShellWords } from "../../../lib/text/shell_words.ts";
import {
  type FakeSystem,
  fakeSystem,
  type FakeSystemOptions,
  setContent,
} from "../../_fake_system.ts";
import { commandAfter, dryRunEnvValue, volumes } from "./_argv.ts";
import { type FakeDownloader, fakeDownloader, sha256 } from "./_fake_downloader.ts";

const HOME = "/home/ada";
const PREFIX = `${HOME}/.local/share/llm/miniforge`;
const CONDA = `${PREFIX}/bin/conda`;
const URL_X86 =
  "https://github.com/conda-forge/miniforge/releases/latest/download/Miniforge3-Linux-x86_64.sh";
const CACHED = `${HOME}/.cache/llm/Miniforge3-Linux-x86_64.sh`;
const IMAGE = "ghcr.io/nichd-bspc/llm:latest";
const SCRIPT = "#!/bin/bash\necho fake installer\n";

interface Run {
  code: number;
  sys: FakeSystem;
  dl: FakeDownloader;
  /** The container run, if any. */
  argv: string[] | undefined;
}

/** Host options plus, optionally, whether the installer "creates" bin/conda when it runs. */
interface Host extends FakeSystemOptions {
  installs?: boolean;
  bodies?: Record<string, string | Error>;
}

async function bodies(script = SCRIPT, url = URL_X86): Promise<Record<string, string>> {
  return { [url]: script, [`${url}.sha256`]: `${await sha256(script)}  installer.sh\n` };
}

async function bootstrap(args: string[], host: Host = {}): Promise<Run> {
  const sys = fakeSystem({ home: HOME, cwd: "/work/p", ...host });
  const interactive = sys.interactive;
  sys.interactive = async (argv, options) => {
    const result = await interactive(argv, options);
    // Like the installer, create bin/conda under the prefix: the command's last word.
    if (result.code === 0 && host.installs !== false) {
      setContent(sys, `${argv.at(-1)}/bin/conda`, "#!/bin/bash\n");
    }
    return result;
  };
  const dl = fakeDownloader(sys, host.bodies ?? (await bodies()));
  const parsed = parseOptions(args, [...CONDA_BOOTSTRAP.options, ...COMMAND_COMMON_OPTIONS], {
    stopAtPositional: false,
  });
  const code = await condaBootstrap(
    { options: parsed.options, args: parsed.rest, system: sys },
    { downloader: dl, now: () => 0 },
  );
  return { code, sys, dl, argv: sys.ran.at(-1) };
}

function stderr(sys: FakeSystem): string {
  return sys.err.join("");
}

Deno.test("conda-bootstrap does nothing when <prefix>/bin/conda exists", async () => {
  const r = await bootstrap([], { files: [CONDA] });
  assertEquals(r.code, 0);
  assertStringIncludes(stderr(r.sys), `Miniforge is already installed at ${PREFIX}; nothing to do`);
  assertEquals(r.dl.calls, []);
  assertEquals(r.sys.ran, []);
  assertEquals(r.sys.changes, []);
});

Deno.test("conda-bootstrap downloads, verifies and caches the installer, then runs it in the container", async () => {
  const r = await bootstrap([]);
  assertEquals(r.code, 0, stderr(r.sys));
  assertEquals(r.dl.calls, [
    `text ${URL_X86}.sha256`,
    `hash ${CACHED}`,
    `file ${URL_X86} -> ${CACHED}`,
  ]);
  assertEquals(new TextDecoder().decode(r.sys.files.get(CACHED)?.content), SCRIPT);
  const argv = r.argv ?? [];
  assertEquals(argv[0], "podman");
  assertEquals(commandAfter(argv, IMAGE), [
    "/bin/bash",
    "-c",
    'exec "$@" 1>&2',
    "bash",
    "bash",
    "/tmp/llm-conda-installer/Miniforge3-Linux-x86_64.sh",
    "-b",
    "-u",
    "-s",
    "-p",
    PREFIX,
  ]);
  // Only what the installer needs: the prefix (as the workspace), conda's state, the installer.
  assertEquals(volumes(argv), [
    `${PREFIX}:${PREFIX}`,
    `${HOME}/.devcontainer/.conda:/home/devuser/.conda`,
    `${HOME}/.devcontainer/.cache:/home/devuser/.cache`,
    `${CACHED}:/tmp/llm-conda-installer/Miniforge3-Linux-x86_64.sh:ro`,
  ]);
  assert(argv.includes(`--workdir=${PREFIX}`), argv.join(" "));
  assertStringIncludes(stderr(r.sys), `Miniforge is installed at ${PREFIX}`);
  assertStringIncludes(stderr(r.sys), "'llm conda create -p DIR ...'");
});

Deno.test("conda-bootstrap creates ~/.devcontainer/.conda and .cache (private) and the prefix", async () => {
  const r = await bootstrap([]);
  for (const d of [`${HOME}/.devcontainer/.conda`, `${HOME}/.devcontainer/.cache`]) {
    assert(r.sys.changes.includes(`mkdir ${d}`), d);
    assertEquals(r.sys.files.get(d)?.mode, 0o700);
  }
  assert(r.sys.changes.includes(`mkdir ${PREFIX}`));
});

Deno.test("conda-bootstrap run from the home mounts neither the home nor the config's mounts", async () => {
  const sys = fakeSystem({
    home: HOME,
    cwd: HOME,
    files: [`${HOME}/.config/llm/config.yaml`, `${HOME}/data/`, `${HOME}/.env`],
    env: { LLM_DEVCONTAINER_MOUNTS: `${HOME}/data:/data` },
  });
  setContent(
    sys,
    `${HOME}/.config/llm/config.yaml`,
    "mounts: [~/data]\nmask: [.env]\nenv:\n  SECRET: x\n",
  );
  assertEquals(await main(["--dry-run", "conda-bootstrap"], sys), 0, stderr(sys));
  const argv = splitShellWords(sys.out.join(""));
  assertEquals(volumes(argv), [
    `${PREFIX}:${PREFIX}`,
    `${HOME}/.devcontainer/.conda:/home/devuser/.conda`,
    `${HOME}/.devcontainer/.cache:/home/devuser/.cache`,
    `${CACHED}:/tmp/llm-conda-installer/Miniforge3-Linux-x86_64.sh:ro`,
  ]);
  assertEquals(dryRunEnvValue(argv, "SECRET"), undefined);
  // Config settings serve every launch: leaving them out here is not worth a warning.
  assertEquals(stderr(sys).includes("not used"), false, stderr(sys));
});

Deno.test("conda-bootstrap warns that command-line mounts and variables are not used", async () => {
  const sys = fakeSystem({ home: HOME, cwd: "/work/p", files: ["/work/p/data/"] });
  const code = await main(
    ["--dry-run", "--mount", "data", "--env", "A=1", "--mount", "/work/p", "conda-bootstrap"],
    sys,
  );
  assertEquals(code, 0, stderr(sys));
  assertStringIncludes(
    stderr(sys),
    "llm: warning: --mount, --env are not used: the installer's container gets only the prefix, " +
      "the installer and conda's state directories\n",
  );
  assertEquals(
    volumes(splitShellWords(sys.out.join(""))).includes("/work/p/data:/work/p/data"),
    false,
  );
});

Deno.test("conda-bootstrap runs the installer without a TTY so its output can be shown again", async () => {
  const r = await bootstrap([], { terminal: true });
  assertEquals(r.argv?.includes("-t"), false);
});

Deno.test("conda-bootstrap --force re-runs the installer over an existing install", async () => {
  const r = await bootstrap(["--force"], { files: [CONDA] });
  assertEquals(r.code, 0);
  assertEquals(commandAfter(r.argv ?? [], IMAGE).slice(-5), ["-b", "-u", "-s", "-p", PREFIX]);
  assertEquals(r.dl.calls[0], `text ${URL_X86}.sha256`);
});

Deno.test("conda-bootstrap reuses a cached installer whose checksum still matches", async () => {
  const r = await bootstrap([], { bodies: await bodies() });
  // Second run in the same fake host: the installer is now cached.
  assertEquals(r.code, 0);
  const again = await bootstrapOn(r.sys, ["--force"]);
  assertEquals(again.calls, [`text ${URL_X86}.sha256`, `hash ${CACHED}`]);
  assertStringIncludes(stderr(r.sys), `using the cached installer ${CACHED} (checksum matches)`);
});

/** Run the bootstrap again on an existing fake host. */
async function bootstrapOn(sys: FakeSystem, args: string[]): Promise<FakeDownloader> {
  const dl = fakeDownloader(sys, await bodies());
  const parsed = parseOptions(args, [...CONDA_BOOTSTRAP.options, ...COMMAND_COMMON_OPTIONS], {
    stopAtPositional: false,
  });
  await condaBootstrap({ options: parsed.options, args: [], system: sys }, {
    downloader: dl,
    now: () => 0,
  });
  return dl;
}

Deno.test("conda-bootstrap replaces a cached installer from an older release", async () => {
  const r = await bootstrap([], { files: [CACHED] });
  assertEquals(r.code, 0);
  assert(r.sys.changes.includes(`remove ${CACHED}`));
  assert(r.dl.calls.includes(`file ${URL_X86} -> ${CACHED}`));
  assertEquals(new TextDecoder().decode(r.sys.files.get(CACHED)?.content), SCRIPT);
});

Deno.test("conda-bootstrap stops on a checksum mismatch: nothing kept, nothing run", async () => {
  const b = await bodies();
  b[`${URL_X86}.sha256`] = `${"0".repeat(64)}  x\n`;
  const e = await assertRejects(() => bootstrap([], { bodies: b }), LlmError);
  assertStringIncludes(e.message, `checksum mismatch for ${URL_X86}: its SHA-256 is`);
  assertStringIncludes(e.message, "nothing was kept or run");
});

Deno.test("conda-bootstrap refuses to run without a published checksum", async () => {
  const b = await bodies();
  delete b[`${URL_X86}.sha256`];
  const e = await assertRejects(() => bootstrap([], { bodies: b }), LlmError);
  assertStringIncludes(e.message, "no checksum for the installer (could not download");
  assertStringIncludes(e.message, "HTTP 404");
  assertStringIncludes(e.message, "llm runs only an installer it has verified");
});

Deno.test("conda-bootstrap refuses a checksum file without a hash", async () => {
  const b = await bodies();
  b[`${URL_X86}.sha256`] = "<html>oops</html>";
  await assertRejects(() => bootstrap([], { bodies: b }), LlmError, "holds no SHA-256 checksum");
});

Deno.test("conda-bootstrap passes a download failure on, with nothing run", async () => {
  const b: Record<string, string | Error> = await bodies();
  b[URL_X86] = new LlmError("download of u broke off after 3 bytes (x); try again");
  await assertRejects(() => bootstrap([], { bodies: b }), LlmError, "broke off");
});

Deno.test("conda-bootstrap reports a failing installer's exit code and last lines; the old install stays", async () => {
  const tail = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join("\n") + "\n";
  const sys = fakeSystem({
    home: HOME,
    files: [CONDA],
    interactiveResult: { code: 3, stderrTail: tail },
  });
  const dl = fakeDownloader(sys, await bodies());
  const options = parseOptions(["--force"], CONDA_BOOTSTRAP.options).options;
  const e = await assertRejects(
    () => condaBootstrap({ options, args: [], system: sys }, { downloader: dl, now: () => 0 }),
    LlmError,
  );
  assertEquals(
    e.message,
    `the Miniforge installer failed with exit code 3; the previous install at ${PREFIX} was left as it was`,
  );
  const err = stderr(sys);
  assertStringIncludes(err, "llm: the installer's last lines:\n  line 9\n");
  assertStringIncludes(err, "  line 20\n");
  assertEquals(err.includes("line 8\n"), false);
  assertEquals(sys.changes.some((c) => c.startsWith(`remove ${PREFIX}`)), false);
});

Deno.test("conda-bootstrap removes the partial prefix when a fresh install fails", async () => {
  const sys = fakeSystem({ home: HOME, interactiveResult: { code: 1, stderrTail: "boom\n" } });
  const dl = fakeDownloader(sys, await bodies());
  const options = parseOptions([], CONDA_BOOTSTRAP.options).options;
  await assertRejects(
    () => condaBootstrap({ options, args: [], system: sys }, { downloader: dl, now: () => 0 }),
    LlmError,
    `the partial install at ${PREFIX} was removed`,
  );
  assert(sys.changes.includes(`remove ${PREFIX}`));
});

Deno.test("conda-bootstrap leaves a container runtime failure to the launcher's message", async () => {
  const sys = fakeSystem({ home: HOME, interactiveResult: { code: 125, stderrTail: "Error: x" } });
  const dl = fakeDownloader(sys, await bodies());
  const options = parseOptions([], CONDA_BOOTSTRAP.options).options;
  const code = await condaBootstrap({ options, args: [], system: sys }, {
    downloader: dl,
    now: () => 0,
  });
  assertEquals(code, 125);
  assertEquals(stderr(sys).includes("the Miniforge installer failed"), false);
});

Deno.test("conda-bootstrap fails when the installer succeeds without making bin/conda", async () => {
  await assertRejects(
    () => bootstrap([], { installs: false }),
    LlmError,
    `the installer finished but ${CONDA} is missing`,
  );
});

Deno.test("conda-bootstrap --prefix installs there and names it in the next step", async () => {
  const r = await bootstrap(["--prefix", "/data/ada/mf"]);
  assertEquals(r.code, 0, stderr(r.sys));
  assertEquals(commandAfter(r.argv ?? [], IMAGE).at(-1), "/data/ada/mf");
  assert(volumes(r.argv ?? []).includes("/data/ada/mf:/data/ada/mf"));
  assertEquals(volumes(r.argv ?? []).includes("/data/ada:/data/ada"), false);
});

Deno.test("conda-bootstrap --arch linux/arm64 fetches the aarch64 installer", async () => {
  const url = URL_X86.replace("x86_64", "aarch64");
  const r = await bootstrap(["--arch", "linux/arm64"], { bodies: await bodies(SCRIPT, url) });
  assertEquals(r.code, 0, stderr(r.sys));
  assert(r.dl.calls.includes(`file ${url} -> ${HOME}/.cache/llm/Miniforge3-Linux-aarch64.sh`));
  assert(r.argv?.includes("--platform=linux/arm64"));
});

Deno.test("conda-bootstrap on an aarch64 host fetches the aarch64 installer", async () => {
  const url = URL_X86.replace("x86_64", "aarch64");
  const r = await bootstrap([], { arch: "aarch64", bodies: await bodies(SCRIPT, url) });
  assertEquals(r.code, 0, stderr(r.sys));
  assertEquals(r.dl.calls[0], `text ${url}.sha256`);
});

Deno.test("conda-bootstrap --installer-url fetches that URL and URL.sha256", async () => {
  const url = "http://127.0.0.1:9/dl/custom-installer.sh";
  const r = await bootstrap(["--installer-url", url], { bodies: await bodies(SCRIPT, url) });
  assertEquals(r.code, 0, stderr(r.sys));
  assertEquals(r.dl.calls, [
    `text ${url}.sha256`,
    `hash ${HOME}/.cache/llm/custom-installer.sh`,
    `file ${url} -> ${HOME}/.cache/llm/custom-installer.sh`,
  ]);
});

Deno.test("conda-bootstrap caches under $XDG_CACHE_HOME/llm", async () => {
  const r = await bootstrap([], { env: { XDG_CACHE_HOME: "/scratch/cache" } });
  assert(r.dl.calls.includes(`file ${URL_X86} -> /scratch/cache/llm/Miniforge3-Linux-x86_64.sh`));
});

Deno.test("conda-bootstrap shows a progress bar on a terminal", async () => {
  const r = await bootstrap([], { terminal: true });
  assertStringIncludes(stderr(r.sys), "\r[==============================]  32 B / 32 B");
});

Deno.test("conda-bootstrap prints plain progress lines off a terminal", async () => {
  const r = await bootstrap([]);
  assertStringIncludes(stderr(r.sys), `llm: downloading ${URL_X86}\nllm: downloaded 32 B in 0.0 s`);
  assertEquals(stderr(r.sys).includes("\r"), false);
});

Deno.test("conda-bootstrap takes no positional arguments", async () => {
  await assertRejects(() => bootstrap(["now"]), UsageError, "takes no arguments (got 'now')");
});

Deno.test("conda-bootstrap on macOS stops when /Volumes/devel is missing, naming setup-macos-volume", async () => {
  const e = await assertRejects(
    () => bootstrap([], { os: "darwin", home: "/Users/ada" }),
    LlmError,
    "volume /Volumes/devel for the prefix /Volumes/devel/miniforge is not mounted",
  );
  assertStringIncludes(e.message, "llm setup-macos-volume");
});

Deno.test("conda-bootstrap on macOS installs onto /Volumes/devel, the prefix alone mounted at its own path", async () => {
  const r = await bootstrap(["--dry-run"], {
    os: "darwin",
    home: "/Users/ada",
    cwd: "/Users/ada/p",
    files: ["/Volumes/devel/"],
  });
  assertEquals(r.code, 0, stderr(r.sys));
  const argv = splitShellWords(r.sys.out.join(""));
  assert(volumes(argv).includes("/Volumes/devel/miniforge:/Volumes/devel/miniforge"));
  assertEquals(volumes(argv).includes("/Volumes/devel:/Volumes/devel"), false);
  assertEquals(commandAfter(argv, IMAGE).at(-1), "/Volumes/devel/miniforge");
});

Deno.test("conda-bootstrap --dry-run prints the container command and changes nothing", async () => {
  const sys = fakeSystem({ home: HOME, cwd: "/work/p" });
  const code = await main(["--dry-run", "conda-bootstrap"], sys);
  assertEquals(code, 0, stderr(sys));
  assertEquals(sys.changes, []);
  assertEquals(sys.ran, []);
  const argv = splitShellWords(sys.out.join(""));
  assertEquals(argv[0], "podman");
  assertEquals(commandAfter(argv, IMAGE).slice(4), [
    "bash",
    "/tmp/llm-conda-installer/Miniforge3-Linux-x86_64.sh",
    "-b",
    "-u",
    "-s",
    "-p",
    PREFIX,
  ]);
  assertEquals(dryRunEnvValue(argv, "TOOL"), "conda-bootstrap");
  assertStringIncludes(
    stderr(sys),
    `llm: would download ${URL_X86}, check it against ${URL_X86}.sha256`,
  );
});

Deno.test("conda-bootstrap mounts no agent credentials", async () => {
  const r = await bootstrap([], { files: [`${HOME}/.codex/`, `${HOME}/.claude.json`] });
  assertEquals(
    volumes(r.argv ?? []).some((v) => v.includes(".codex") || v.includes(".claude")),
    false,
  );
});

Deno.test("conda-bootstrap options after the command choose the image", async () => {
  const r = await bootstrap(["--image-name", "localhost/x:1"]);
  assert(r.argv?.includes("localhost/x:1"));
});

Deno.test("lastLines() keeps the last non-empty lines", () => {
  assertEquals(lastLines("a\n\nb\r\nc\n", 2), ["b", "c"]);
  assertEquals(lastLines("", 3), []);
});

Deno.test("downloadCertificates() reads the --certs bundle, else LLM_DEVCONTAINER_CERTS", () => {
  const sys = fakeSystem({
    home: HOME,
    cwd: "/work/p",
    env: { LLM_DEVCONTAINER_CERTS: "~/env.pem" },
  });
  setContent(sys, "/work/p/ca.pem", "PEM-FLAG");
  setContent(sys, `${HOME}/env.pem`, "PEM-ENV");
  const withFlag = parseOptions(["--certs", "ca.pem"], GLOBAL_OPTIONS).options;
  assertEquals(downloadCertificates({ options: withFlag, args: [], system: sys }), ["PEM-FLAG"]);
  const none = parseOptions([], GLOBAL_OPTIONS).options;
  assertEquals(downloadCertificates({ options: none, args: [], system: sys }), ["PEM-ENV"]);
  assertEquals(downloadCertificates({ options: none, args: [], system: fakeSystem() }), []);
});

Deno.test("downloadCertificates() stops on a missing bundle, naming it", () => {
  const options = parseOptions(["--certs", "/nope.pem"], GLOBAL_OPTIONS).options;
  assertThrows(
    () => downloadCertificates({ options, args: [], system: fakeSystem() }),
    LlmError,
    "CA bundle /nope.pem is not a readable file",
  );
});
