import { assertEquals, assertThrows } from "../../_assert.ts";
import { type ParsedOptions, parseOptions } from "../../../lib/cli/parse.ts";
import { LlmError, UsageError } from "../../../lib/errors.ts";
import { buildRequest } from "../../../lib/image/request.ts";
import { BUILD_COMMAND } from "../../../lib/image/spec.ts";
import { fakeSystem, type FakeSystemOptions, setContent } from "../../_fake_system.ts";

const PEM = "# corporate CA\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

function options(args: string[]): ParsedOptions {
  return parseOptions(args, BUILD_COMMAND.options, { stopAtPositional: false }).options;
}

function host(extra: FakeSystemOptions = {}) {
  const system = fakeSystem({
    cwd: "/w",
    home: "/h",
    files: ["/h/ca.pem", "/w/ctx/Containerfile"],
    ...extra,
  });
  setContent(system, "/h/ca.pem", PEM);
  return system;
}

Deno.test("buildRequest() defaults to localhost/llm-devcontainer:latest for the host's platform", () => {
  assertEquals(buildRequest(options([]), host()), {
    image: "localhost/llm-devcontainer:latest",
    platform: "linux/amd64",
    noCache: false,
  });
  assertEquals(buildRequest(options([]), host({ arch: "aarch64" })).platform, "linux/arm64");
});

Deno.test("buildRequest() takes --image-name as given and --tag replaces its tag", () => {
  assertEquals(
    buildRequest(options(["--image-name", "ghcr.io/me/llm:v1"]), host()).image,
    "ghcr.io/me/llm:v1",
  );
  assertEquals(
    buildRequest(options(["--image-name", "ghcr.io/me/llm:v1", "--tag", "v2"]), host()).image,
    "ghcr.io/me/llm:v2",
  );
  assertEquals(
    buildRequest(options(["--tag", "dev"]), host()).image,
    "localhost/llm-devcontainer:dev",
  );
});

Deno.test("buildRequest() rejects an empty --image-name and an unknown --arch", () => {
  assertThrows(
    () => buildRequest(options(["--image-name", ""]), host()),
    UsageError,
    "--image-name",
  );
  assertThrows(
    () => buildRequest(options(["--arch", "linux/s390x"]), host()),
    UsageError,
    "--arch 'linux/s390x' is not supported",
  );
});

Deno.test("buildRequest() takes the three agent versions together", () => {
  const r = buildRequest(
    options(["--claude-version", "2.0.14", "--codex-version", "0.46.0", "--pi-version", "latest"]),
    host(),
  );
  assertEquals(r.versions, { claude: "2.0.14", codex: "0.46.0", pi: "latest" });
});

Deno.test("buildRequest() pins one agent and leaves the others at their default", () => {
  assertEquals(buildRequest(options(["--codex-version", "0.46.0"]), host()).versions, {
    codex: "0.46.0",
  });
  assertEquals(
    buildRequest(options(["--codex-version", "1", "--claude-version", "2"]), host()).versions,
    { claude: "2", codex: "1" },
  );
  assertEquals(buildRequest(options([]), host()).versions, undefined);
});

Deno.test("buildRequest() rejects a version that is not one", () => {
  assertThrows(
    () =>
      buildRequest(
        options(["--claude-version", "2.0 beta", "--codex-version", "1", "--pi-version", "1"]),
        host(),
      ),
    UsageError,
    "--claude-version '2.0 beta' is not a version",
  );
  assertThrows(
    () =>
      buildRequest(
        options(["--claude-version", "1", "--codex-version", "", "--pi-version", "1"]),
        host(),
      ),
    UsageError,
    "--codex-version '' is not a version",
  );
  assertThrows(
    () => buildRequest(options(["--pi-version", "1 2"]), host()),
    UsageError,
    "--pi-version '1 2' is not a version",
  );
});

Deno.test("buildRequest() resolves --certs against the home and working directory", () => {
  assertEquals(buildRequest(options(["--certs", "~/ca.pem"]), host()).certs, "/h/ca.pem");
  assertEquals(buildRequest(options(["--certs", "../h/ca.pem"]), host()).certs, "/h/ca.pem");
});

Deno.test("buildRequest() takes LLM_DEVCONTAINER_CERTS when --certs is absent, and --certs wins", () => {
  const system = host({
    env: { LLM_DEVCONTAINER_CERTS: "/h/ca.pem" },
    files: ["/h/ca.pem", "/h/other.pem"],
  });
  setContent(system, "/h/other.pem", PEM);
  assertEquals(buildRequest(options([]), system).certs, "/h/ca.pem");
  assertEquals(buildRequest(options(["--certs", "/h/other.pem"]), system).certs, "/h/other.pem");
});

Deno.test("buildRequest() ignores an empty LLM_DEVCONTAINER_CERTS", () => {
  assertEquals(
    buildRequest(options([]), host({ env: { LLM_DEVCONTAINER_CERTS: "" } })).certs,
    undefined,
  );
});

Deno.test("buildRequest() fails on a missing certs file and names where it came from", () => {
  assertThrows(
    () => buildRequest(options(["--certs", "/nope.pem"]), host()),
    LlmError,
    "--certs /nope.pem does not exist; give a PEM file of CA certificates",
  );
  assertThrows(
    () => buildRequest(options([]), host({ env: { LLM_DEVCONTAINER_CERTS: "/gone.pem" } })),
    LlmError,
    "LLM_DEVCONTAINER_CERTS /gone.pem does not exist",
  );
  assertThrows(
    () => buildRequest(options(["--certs", "/h"]), host()),
    LlmError,
    "/h is not a file",
  );
});

Deno.test("buildRequest() fails on a certs file that is not PEM", () => {
  const system = host({ files: ["/h/ca.der"] });
  setContent(system, "/h/ca.der", new Uint8Array([0x30, 0x82, 0x01]));
  assertThrows(
    () => buildRequest(options(["--certs", "/h/ca.der"]), system),
    LlmError,
    "/h/ca.der is not a PEM CA bundle",
  );
});

Deno.test("buildRequest() fails on a certs path with a comma, which --secret cannot carry", () => {
  const system = host({ files: ["/h/a,b.pem"] });
  setContent(system, "/h/a,b.pem", PEM);
  assertThrows(
    () => buildRequest(options(["--certs", "/h/a,b.pem"]), system),
    LlmError,
    "contains a comma",
  );
});

Deno.test("buildRequest() resolves --file and fails when it is missing", () => {
  assertEquals(
    buildRequest(options(["--file", "ctx/Containerfile"]), host()).file,
    "/w/ctx/Containerfile",
  );
  assertThrows(
    () => buildRequest(options(["--file", "Nope"]), host()),
    LlmError,
    "--file /w/Nope does not exist; give a Dockerfile",
  );
  assertThrows(() => buildRequest(options(["--file", "ctx"]), host()), LlmError, "is not a file");
});

Deno.test("buildRequest() sets noCache from --no-cache", () => {
  assertEquals(buildRequest(options(["--no-cache"]), host()).noCache, true);
});
