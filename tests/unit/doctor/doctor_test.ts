/**
 * `llm doctor` through `main()` on a fake host: each check passing and
 * failing, the exit code, and the JSON shape.
 */
import { assert, assertEquals, assertStringIncludes } from "../../_assert.ts";
import { main } from "../../../lib/cli/main.ts";
import { age, awsExpiration, certsCheck, expiryCheck } from "../../../lib/doctor/checks.ts";
import {
  type FakeSystem,
  fakeSystem,
  type FakeSystemOptions,
  setContent,
} from "../../_fake_system.ts";

interface Json {
  ok: boolean;
  checks: { id: string; status: string; finding: string; fix?: string }[];
}

function jwt(exp: number): string {
  const b64 = (o: unknown) => btoa(JSON.stringify(o)).replaceAll("=", "");
  return `${b64({ alg: "none" })}.${b64({ exp })}.sig`;
}

const PODMAN_OK = {
  "podman --version": { stdout: "podman version 4.9.3\n" },
  "podman info": { stdout: "true\n" },
  "podman image inspect": { stdout: "2026-11-20 10:00:00.123 +0000 UTC\n" },
};

function host(files: Record<string, string>, options: FakeSystemOptions = {}): FakeSystem {
  const system = fakeSystem({
    outputs: PODMAN_OK,
    ...options,
    files: [...Object.keys(files), ...(options.files ?? [])],
  });
  for (const [path, text] of Object.entries(files)) setContent(system, path, text);
  return system;
}

async function doctor(system: FakeSystem, argv: string[] = []): Promise<[number, Json]> {
  const code = await main([...argv, "doctor", "--json"], system);
  return [code, JSON.parse(system.out.join("")) as Json];
}

function check(json: Json, id: string) {
  const c = json.checks.find((c) => c.id === id);
  assert(c, `no check ${id} in ${json.checks.map((c) => c.id).join(", ")}`);
  return c;
}

const future = Math.floor(Date.now() / 1000) + 86_400 * 3;
const past = Math.floor(Date.now() / 1000) - 3600;
const GOOD_FILES = {
  "/home/user/.codex/auth.json": JSON.stringify({ tokens: { access_token: jwt(future) } }),
  "/home/user/.claude.json": "{}",
  "/home/user/.pi/agent/auth.json": "{}",
};

Deno.test("doctor: everything in place exits 0 and reports each check", async () => {
  const system = host(GOOD_FILES, { files: ["/home/user/.claude/"] });
  const [code, json] = await doctor(system);
  assertEquals(code, 0, JSON.stringify(json, null, 1));
  assertEquals(json.ok, true);
  assertStringIncludes(check(json, "runtime").finding, "podman version 4.9.3, rootless");
  assertStringIncludes(check(json, "image codex").finding, "ghcr.io/nichd-bspc/llm:codex-latest, ");
  assertStringIncludes(check(json, "credentials codex").finding, "valid until");
  assertEquals(check(json, "credentials claude").status, "pass");
  assertEquals(check(json, "config").finding, "no config file (defaults)");
  assertEquals(check(json, "certs").status, "pass");
  for (const c of json.checks) {
    assertEquals(Object.keys(c).every((k) => ["id", "status", "finding", "fix"].includes(k)), true);
  }
});

Deno.test("doctor: no runtime fails with the install hint", async () => {
  const [code, json] = await doctor(host(GOOD_FILES, { executables: [] }));
  assertEquals(code, 1);
  assertEquals(json.ok, false);
  assertEquals(check(json, "runtime").status, "fail");
  assertStringIncludes(check(json, "runtime").finding, "Podman Desktop");
});

Deno.test("doctor: podman present but not answering fails", async () => {
  const [code, json] = await doctor(host(GOOD_FILES, {
    outputs: { ...PODMAN_OK, "podman info": { code: 125, stderr: "cannot connect" } },
  }));
  assertEquals(code, 1);
  assertStringIncludes(check(json, "runtime").finding, "cannot connect");
});

Deno.test("doctor: rootful podman is reported as such", async () => {
  const [, json] = await doctor(
    host(GOOD_FILES, { outputs: { ...PODMAN_OK, "podman info": { stdout: "false\n" } } }),
  );
  assertStringIncludes(check(json, "runtime").finding, "rootful");
});

Deno.test("doctor: a missing image warns with llm pull, without failing", async () => {
  const [code, json] = await doctor(host(GOOD_FILES, {
    outputs: { ...PODMAN_OK, "podman image inspect": { code: 125, stderr: "no such image" } },
  }));
  assertEquals(code, 0);
  assertEquals(check(json, "image pi").status, "warn");
  assertEquals(check(json, "image pi").fix, "llm pull pi");
});

Deno.test("doctor: expired, missing and malformed credentials warn with llm refresh", async () => {
  const [, expired] = await doctor(host({
    "/home/user/.codex/auth.json": JSON.stringify({ tokens: { access_token: jwt(past) } }),
    "/home/user/.aws/credentials.json": JSON.stringify({
      Expiration: new Date(Date.now() - 1000).toISOString(),
    }),
  }));
  assertEquals(check(expired, "credentials codex").status, "warn");
  assertStringIncludes(check(expired, "credentials codex").finding, "expired at");
  assertEquals(check(expired, "credentials aws").fix, "llm refresh");
  assertEquals(check(expired, "credentials claude").status, "warn");
  const [, missing] = await doctor(host({}));
  assertStringIncludes(check(missing, "credentials codex").finding, "missing: not logged in");
  const [, bad] = await doctor(
    host({ "/home/user/.codex/auth.json": "{nope", "/home/user/.aws/credentials.json": "[" }),
  );
  assertStringIncludes(check(bad, "credentials codex").finding, "not valid JSON");
  assertStringIncludes(check(bad, "credentials aws").finding, "malformed");
});

Deno.test("doctor: the certs file must be a readable PEM", async () => {
  const [code, json] = await doctor(host({ "/ca.pem": "not a cert" }), ["--certs", "/ca.pem"]);
  assertEquals(code, 1);
  assertEquals(check(json, "certs").status, "fail");
  const [code2, json2] = await doctor(
    host({}, { env: { LLM_DEVCONTAINER_CERTS: "/missing.pem" } }),
  );
  assertEquals(code2, 1);
  assertStringIncludes(check(json2, "certs").finding, "cannot be read");
  const pem = "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n";
  const [, json3] = await doctor(host({ "/ca.pem": pem + pem }), ["--certs", "/ca.pem"]);
  assertEquals(check(json3, "certs").finding, "/ca.pem: 2 certificates");
});

Deno.test("doctor: a config file that does not parse fails; an untrusted project file warns", async () => {
  const [code, json] = await doctor(host({ "/home/user/.config/llm/config.yaml": "nope: 1\n" }));
  assertEquals(code, 1);
  assertStringIncludes(check(json, "config").finding, "config.yaml:1: nope: unknown key");
  const [code2, json2] = await doctor(host({ "/work/project/.llm.yaml": "ro: [a]\n" }));
  assertEquals(code2, 0);
  assertEquals(check(json2, "project file").status, "warn");
});

Deno.test("doctor: singularity reports cached SIFs instead of local images", async () => {
  const [, json] = await doctor(host({}, {
    executables: ["apptainer"],
    outputs: { "apptainer --version": { stdout: "apptainer version 1.3.0\n" } },
    files: ["/home/user/.cache/llm/ghcr.io_nichd-bspc_llm-sif_codex-latest.sif"],
  }));
  assertStringIncludes(check(json, "runtime").finding, "apptainer version 1.3.0");
  assertEquals(check(json, "image codex").status, "pass");
  assertEquals(check(json, "image pi").fix, "llm pull pi");
});

Deno.test("doctor without --json prints marks and fixes", async () => {
  const system = host({}, { executables: [] });
  assertEquals(await main(["doctor"], system), 1);
  const out = system.out.join("");
  assertStringIncludes(out, "✗ runtime:");
  assertStringIncludes(out, "    fix: ");
  assertStringIncludes(out, "problem");
});

Deno.test("checks helpers: age, expiry, certs, AWS expiration", () => {
  const now = new Date("2026-01-10T00:00:00Z");
  assertEquals(age(new Date("2026-01-01T00:00:00Z"), now), "9 days old");
  assertEquals(age(new Date("2026-01-09T12:00:00Z"), now), "less than a day old");
  assertEquals(expiryCheck("x", "t", null, now).status, "pass");
  assertEquals(expiryCheck("x", "t", new Date("2026-01-09T00:00:00Z"), now).status, "warn");
  assertStringIncludes(
    expiryCheck("x", "t", new Date("2026-01-10T05:00:00Z"), now).finding,
    "5 h left",
  );
  assertEquals(certsCheck(undefined, null).status, "pass");
  assertEquals(
    awsExpiration('{"Expiration":"2026-01-01T00:00:00Z"}'),
    new Date("2026-01-01T00:00:00Z"),
  );
  assertEquals(awsExpiration("{}"), null);
  assertEquals(awsExpiration('{"Expiration":"soon"}'), "malformed");
});

Deno.test("doctor on macOS reports the podman machine and its volume (recorded fake Mac)", async () => {
  const { fakeMac } = await import("../macos/_fake_mac.ts");
  const { DESKTOP_VOLUMES } = await import("../macos/_fixtures.ts");
  const machine = {
    name: "podman-machine-default",
    state: "running",
    volumes: [...DESKTOP_VOLUMES, "/Volumes/devel:/Volumes/devel"],
  };
  // The recorded Mac answers diskutil and podman machine; add podman's own version and info.
  const withPodman = <T extends FakeSystem>(mac: T): T => {
    const machineOutput = mac.output.bind(mac);
    mac.output = (argv, options) =>
      argv[0] === "podman" && argv[1] === "--version"
        ? Promise.resolve({ code: 0, stdout: "podman version 5.2.0\n", stderr: "" })
        : argv[0] === "podman" && argv[1] === "info"
        ? Promise.resolve({ code: 0, stdout: "true\n", stderr: "" })
        : machineOutput(argv, options);
    return mac;
  };
  const ready = withPodman(fakeMac({ volume: "case-sensitive", machine }));
  await main(["doctor", "--json"], ready);
  const good = JSON.parse(ready.out.join("")) as Json;
  assertEquals(check(good, "podman machine").status, "pass");
  assertStringIncludes(check(good, "podman machine").finding, "shares /Volumes/devel");

  const fresh = withPodman(fakeMac({
    volume: "absent",
    machine: { ...machine, volumes: [...DESKTOP_VOLUMES] },
  }));
  await main(["doctor", "--json"], fresh);
  const bad = JSON.parse(fresh.out.join("")) as Json;
  assertEquals(check(bad, "podman machine").status, "warn");
  assertEquals(check(bad, "podman machine").fix, "llm setup-macos-volume");
});

Deno.test("doctor on macOS without diskutil reports it instead of stopping", async () => {
  const system = host(GOOD_FILES, { os: "darwin", arch: "aarch64" });
  const [, json] = await doctor(system);
  assertEquals(check(json, "podman machine").status, "fail");
  assertStringIncludes(check(json, "podman machine").finding, "diskutil");
});
