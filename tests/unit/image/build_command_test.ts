/**
 * `llm build` through the real command line, on an in-memory host: golden
 * argv for `--dry-run`, and what a real build does to the host.
 */
import { assert, assertEquals, assertStringIncludes } from "../../_assert.ts";
import { main } from "../../../lib/cli/main.ts";
import { EMBEDDED_CONTEXT } from "../../../lib/image/_embedded.ts";
import { CONTEXT_FILES, projectRoot } from "../../../lib/image/context.ts";
import {
  type FakeSystem,
  fakeSystem,
  type FakeSystemOptions,
  setContent,
} from "../../_fake_system.ts";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
/** The checkout that `llm build` finds when run from source. */
const ROOT = projectRoot(new URL("../../../lib/image/command.ts", import.meta.url).href) as string;
const CHECKOUT = CONTEXT_FILES.map((f) => `${ROOT}/${f}`);

function host(options: FakeSystemOptions = {}): FakeSystem {
  const system = fakeSystem({
    cwd: "/w",
    home: "/h",
    executables: ["podman"],
    ...options,
    files: ["/h/corp ca.pem", "/w/ctx/Containerfile", ...(options.files ?? [])],
  });
  setContent(system, "/h/corp ca.pem", PEM);
  return system;
}

async function dryRun(args: string[], options: FakeSystemOptions = {}): Promise<string> {
  const system = host(options);
  const code = await main(["build", "--dry-run", ...args], system);
  assertEquals(code, 0, system.err.join(""));
  assertEquals(system.changes, [], "a dry run changes nothing");
  return system.out.join("");
}

const EMBEDDED = "--file '<llm-build-context>/Dockerfile' '<llm-build-context>'\n";

Deno.test("llm build --dry-run with no options builds the embedded Dockerfile for the host", async () => {
  assertEquals(
    await dryRun([]),
    `podman build --platform linux/amd64 --tag localhost/llm-devcontainer:latest ${EMBEDDED}`,
  );
});

Deno.test("llm build --dry-run says what the placeholder context stands for", async () => {
  const system = host();
  await main(["build", "--dry-run"], system);
  assertStringIncludes(system.err.join(""), "<llm-build-context> stands for a temporary directory");
});

Deno.test("llm build --dry-run from a checkout builds its Dockerfile with the checkout as context", async () => {
  assertEquals(
    await dryRun([], { files: CHECKOUT }),
    `podman build --platform linux/amd64 --tag localhost/llm-devcontainer:latest ` +
      `--file ${ROOT}/Dockerfile ${ROOT}\n`,
  );
});

Deno.test("llm build --dry-run --image-name and --tag set the tag", async () => {
  assertEquals(
    await dryRun(["--image-name", "ghcr.io/me/llm", "--tag", "dev"]),
    `podman build --platform linux/amd64 --tag ghcr.io/me/llm:dev ${EMBEDDED}`,
  );
});

Deno.test("llm build --dry-run --arch sets --platform", async () => {
  assertEquals(
    await dryRun(["--arch", "linux/arm64"]),
    `podman build --platform linux/arm64 --tag localhost/llm-devcontainer:latest ${EMBEDDED}`,
  );
  assertEquals(
    await dryRun([], { arch: "aarch64" }),
    `podman build --platform linux/arm64 --tag localhost/llm-devcontainer:latest ${EMBEDDED}`,
  );
});

Deno.test("llm build --dry-run --no-cache passes --no-cache", async () => {
  assertEquals(
    await dryRun(["--no-cache"]),
    `podman build --platform linux/amd64 --tag localhost/llm-devcontainer:latest --no-cache ${EMBEDDED}`,
  );
});

Deno.test("llm build --dry-run with the three versions passes them as build args", async () => {
  assertEquals(
    await dryRun([
      "--pi-version",
      "0.9.0",
      "--codex-version",
      "0.46.0",
      "--claude-version",
      "2.0.14",
    ]),
    `podman build --platform linux/amd64 --tag localhost/llm-devcontainer:latest ` +
      `--build-arg CLAUDE_VERSION=2.0.14 --build-arg CODEX_VERSION=0.46.0 --build-arg PI_VERSION=0.9.0 ` +
      EMBEDDED,
  );
});

Deno.test("llm build --dry-run with one version passes only that build arg", async () => {
  assertEquals(
    await dryRun(["--codex-version", "0.46.0"]),
    `podman build --platform linux/amd64 --tag localhost/llm-devcontainer:latest ` +
      `--build-arg CODEX_VERSION=0.46.0 ${EMBEDDED}`,
  );
  assertEquals(
    await dryRun(["--pi-version", "0.9.0", "--claude-version", "2.0.14"]),
    `podman build --platform linux/amd64 --tag localhost/llm-devcontainer:latest ` +
      `--build-arg CLAUDE_VERSION=2.0.14 --build-arg PI_VERSION=0.9.0 ${EMBEDDED}`,
  );
});

Deno.test("llm build --dry-run --certs passes the CA bundle as the mitm_ca_bundle secret", async () => {
  assertEquals(
    await dryRun(["--certs", "~/corp ca.pem"]),
    `podman build --platform linux/amd64 --tag localhost/llm-devcontainer:latest ` +
      `--secret 'id=mitm_ca_bundle,src=/h/corp ca.pem' ${EMBEDDED}`,
  );
});

Deno.test("llm build --dry-run takes the CA bundle from LLM_DEVCONTAINER_CERTS", async () => {
  assertEquals(
    await dryRun([], { env: { LLM_DEVCONTAINER_CERTS: "/h/corp ca.pem" } }),
    `podman build --platform linux/amd64 --tag localhost/llm-devcontainer:latest ` +
      `--secret 'id=mitm_ca_bundle,src=/h/corp ca.pem' ${EMBEDDED}`,
  );
});

Deno.test("llm build --dry-run --file builds that file with its directory as context", async () => {
  assertEquals(
    await dryRun(["-f", "ctx/Containerfile"], { files: CHECKOUT }),
    `podman build --platform linux/amd64 --tag localhost/llm-devcontainer:latest ` +
      `--file /w/ctx/Containerfile /w/ctx\n`,
  );
});

Deno.test("llm build --dry-run --backend docker runs docker build", async () => {
  assertEquals(
    await dryRun(["--backend", "docker"], { executables: ["podman", "docker"] }),
    `docker build --platform linux/amd64 --tag localhost/llm-devcontainer:latest ${EMBEDDED}`,
  );
  assertEquals(
    await dryRun([], { executables: ["docker"] }),
    `docker build --platform linux/amd64 --tag localhost/llm-devcontainer:latest ${EMBEDDED}`,
  );
});

Deno.test("llm build --dry-run with every option at once", async () => {
  assertEquals(
    await dryRun(
      [
        "--image-name",
        "localhost/llm:ci",
        "--arch",
        "linux/arm64",
        "--no-cache",
        "--certs",
        "/h/corp ca.pem",
        "--claude-version",
        "2.0.14",
        "--codex-version",
        "0.46.0",
        "--pi-version",
        "0.9.0",
        "--file",
        "/w/ctx/Containerfile",
        "--backend",
        "docker",
      ],
      { executables: ["docker"] },
    ),
    "docker build --platform linux/arm64 --tag localhost/llm:ci --no-cache " +
      "--build-arg CLAUDE_VERSION=2.0.14 --build-arg CODEX_VERSION=0.46.0 --build-arg PI_VERSION=0.9.0 " +
      "--secret 'id=mitm_ca_bundle,src=/h/corp ca.pem' --file /w/ctx/Containerfile /w/ctx\n",
  );
});

Deno.test("llm build options may also come before the command name", async () => {
  const system = host();
  assertEquals(await main(["--dry-run", "--arch", "linux/arm64", "build"], system), 0);
  assertStringIncludes(system.out.join(""), "--platform linux/arm64");
});

Deno.test("llm build --verbose says which builder and Dockerfile it uses", async () => {
  const system = host({ files: CHECKOUT });
  await main(["build", "--dry-run", "--verbose"], system);
  const err = system.err.join("");
  assertStringIncludes(err, "llm: builder podman: found on PATH (auto)");
  assertStringIncludes(err, `llm: Dockerfile ${ROOT}/Dockerfile (the checkout llm runs from)`);
});

async function failure(args: string[], options: FakeSystemOptions = {}): Promise<[number, string]> {
  const system = host(options);
  const code = await main(["build", ...args], system);
  assertEquals(system.ran, [], "nothing runs on a bad command line");
  assertEquals(system.changes, [], "nothing changes on a bad command line");
  return [code, system.err.join("")];
}

Deno.test("llm build with a version that is not one exits 2 and names it", async () => {
  const [code, err] = await failure(["--claude-version", "2.0 beta"]);
  assertEquals(code, 2);
  assertStringIncludes(err, "llm: error: --claude-version '2.0 beta' is not a version");
});

Deno.test("llm build with a missing certs file exits 1 and names it", async () => {
  const [code, err] = await failure(["--certs", "/h/missing.pem"]);
  assertEquals(code, 1);
  assertStringIncludes(err, "llm: error: --certs /h/missing.pem does not exist");
});

Deno.test("llm build with a positional argument is a usage error", async () => {
  const [code, err] = await failure(["Dockerfile"]);
  assertEquals(code, 2);
  assertStringIncludes(err, "llm build takes no arguments (got 'Dockerfile')");
});

Deno.test("llm build without podman or docker fails before writing anything", async () => {
  const [code, err] = await failure([], { executables: [] });
  assertEquals(code, 1);
  assertStringIncludes(err, "neither podman nor docker is on PATH");
});

Deno.test("llm build writes the embedded context to a temporary directory, builds it, removes it", async () => {
  const system = host();
  assertEquals(await main(["build"], system), 0, system.err.join(""));
  assertEquals(system.ran.length, 1);
  const argv = system.ran[0];
  const dir = argv[argv.length - 1];
  assert(dir.startsWith("/tmp/llm-build-"), dir);
  assertEquals(argv.slice(-3), ["--file", `${dir}/Dockerfile`, dir]);
  const writes = system.changes.filter((c) => c.startsWith("write ")).map((c) => c.slice(6)).sort();
  assertEquals(writes, EMBEDDED_CONTEXT.map((f) => `${dir}/${f.path}`).sort());
  assertEquals(system.changes[system.changes.length - 1], `remove ${dir}`);
  assertEquals(system.files.has(dir), false);
  assertStringIncludes(
    system.err.join(""),
    "llm: built localhost/llm-devcontainer:latest; run an agent in it with: " +
      "llm --image-name localhost/llm-devcontainer:latest codex",
  );
});

Deno.test("llm build gives the embedded diagnostics script its executable mode", async () => {
  const system = host();
  // Keep the context by making the removal a no-op, to look at what was written.
  system.remove = () => {};
  await main(["build"], system);
  const dir = system.ran[0][system.ran[0].length - 1];
  assertEquals(system.files.get(`${dir}/image/llm-diagnostics`)?.mode, 0o755);
  assertEquals(system.files.get(`${dir}/Dockerfile`)?.mode, 0o644);
  assertEquals(
    new TextDecoder().decode(system.files.get(`${dir}/Dockerfile`)?.content),
    EMBEDDED_CONTEXT.find((f) => f.path === "Dockerfile")?.content,
  );
});

Deno.test("llm build from a checkout writes nothing and builds in place", async () => {
  const system = host({ files: CHECKOUT });
  assertEquals(await main(["build"], system), 0);
  assertEquals(system.changes, []);
  assertEquals(system.ran[0].slice(-2), [`${ROOT}/Dockerfile`, ROOT]);
});

Deno.test("llm build reports a failed build, exits 1 and still removes the context", async () => {
  const system = host({ interactiveResult: { code: 125, stderrTail: "Error: no such image" } });
  assertEquals(await main(["build"], system), 1);
  assertStringIncludes(system.err.join(""), "llm: error: podman build failed (exit 125)");
  assert(system.changes[system.changes.length - 1].startsWith("remove /tmp/llm-build-"));
});

Deno.test("llm build with LLM_BACKEND=singularity builds with podman: that setting is for launches", async () => {
  assertEquals(
    await dryRun([], { env: { LLM_BACKEND: "singularity" } }),
    `podman build --platform linux/amd64 --tag localhost/llm-devcontainer:latest ${EMBEDDED}`,
  );
});

Deno.test("llm build --backend wins over LLM_BACKEND", async () => {
  assertEquals(
    await dryRun(["--backend", "docker"], {
      env: { LLM_BACKEND: "podman" },
      executables: ["podman", "docker"],
    }),
    `docker build --platform linux/amd64 --tag localhost/llm-devcontainer:latest ${EMBEDDED}`,
  );
});

Deno.test("llm build names LLM_DEVCONTAINER_CERTS when the file it names is missing", async () => {
  const [code, err] = await failure([], { env: { LLM_DEVCONTAINER_CERTS: "/h/gone.pem" } });
  assertEquals(code, 1);
  assertStringIncludes(err, "llm: error: LLM_DEVCONTAINER_CERTS /h/gone.pem does not exist");
});

Deno.test("llm build ignores the config file's image and tag, which name what launches run", async () => {
  const config = "/h/.config/llm/config.yaml";
  const system = host({ files: [config] });
  setContent(
    system,
    config,
    "image: ghcr.io/me/llm\ntag: mine\narch: linux/arm64\nbackend: singularity\n",
  );
  assertEquals(await main(["build", "--dry-run"], system), 0, system.err.join(""));
  assertEquals(
    system.out.join(""),
    `podman build --platform linux/arm64 --tag localhost/llm-devcontainer:latest ${EMBEDDED}`,
  );
});
