/**
 * `llm doctor` through `main()` on a fake host: each check passing and
 * failing, the exit code, and the JSON shape.
 */
import { assert, assertEquals, assertStringIncludes } from "../../_assert.ts";
import { main } from "../../../lib/cli/main.ts";
import {
  age,
  awsExpiration,
  certsCheck,
  expiryCheck,
  nextSteps,
} from "../../../lib/doctor/checks.ts";
import {
  type FakeSystem,
  fakeSystem,
  type FakeSystemOptions,
  setContent,
} from "../../_fake_system.ts";

interface Json {
  ok: boolean;
  next: string[];
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

const GEMINI_CONFIG = "agents:\n  gemini:\n    command: [gemini]\n    credentials: [~/.gemini]\n" +
  "    image: ghcr.io/me/gemini-box\n    tag: v1\n";
const USER_CONFIG = "/home/user/.config/llm/config.yaml";
const NO_IMAGES = {
  ...PODMAN_OK,
  "podman image inspect": { code: 125, stderr: "no such image" },
};

Deno.test("doctor promises an empty credential path only where the launch creates one", async () => {
  const [, json] = await doctor(host({ ...GOOD_FILES, [USER_CONFIG]: GEMINI_CONFIG }));
  const gemini = check(json, "credentials gemini");
  assertEquals(gemini.status, "warn");
  assertEquals(gemini.finding, "missing: ~/.gemini (not mounted until it exists)");
  assertStringIncludes(gemini.fix ?? "", "mkdir -p ~/.gemini on the host");
  assertStringIncludes(gemini.fix ?? "", "then log in once with 'llm gemini'");
  const [, fresh] = await doctor(host({}));
  assertEquals(
    check(fresh, "credentials claude").finding,
    "missing: ~/.claude, ~/.claude.json (created empty at the first launch)",
  );
});

Deno.test("the launch backs the doctor's words: built-in credentials are created, a config agent's are not", async () => {
  const system = host({ [USER_CONFIG]: GEMINI_CONFIG });
  assertEquals(await main(["gemini"], system), 0, system.err.join(""));
  assertEquals(system.changes.some((c) => c.includes(".gemini")), false);
  assertEquals((system.ran.at(-1) ?? []).some((a) => a.includes(".gemini")), false);
  const claude = host({});
  assertEquals(await main(["claude"], claude), 0, claude.err.join(""));
  assert(claude.changes.includes("create /home/user/.claude.json"), claude.changes.join("\n"));
});

Deno.test("the 'llm pull NAME' doctor advises for a config agent pulls that agent's image", async () => {
  const [, json] = await doctor(host({ [USER_CONFIG]: GEMINI_CONFIG }, { outputs: NO_IMAGES }));
  assertEquals(check(json, "image gemini").fix, "llm pull gemini");
  const system = host({ [USER_CONFIG]: GEMINI_CONFIG });
  assertEquals(await main(["pull", "--dry-run", "gemini"], system), 0, system.err.join(""));
  assertEquals(
    system.out.join(""),
    "podman pull --quiet --platform=linux/amd64 ghcr.io/me/gemini-box:v1\n",
  );
  const all = host({ [USER_CONFIG]: GEMINI_CONFIG });
  assertEquals(await main(["pull", "--dry-run"], all), 0);
  assertStringIncludes(all.out.join(""), "ghcr.io/me/gemini-box:v1\n");
});

Deno.test("doctor names where the backend was chosen: config file, LLM_BACKEND or --backend", async () => {
  const [, fromFile] = await doctor(host({ ...GOOD_FILES, [USER_CONFIG]: "backend: podman\n" }));
  const finding = check(fromFile, "runtime").finding;
  assertStringIncludes(finding, `podman: set in ${USER_CONFIG}:1 (/usr/bin/podman)`);
  assertEquals(finding.includes("--backend or LLM_BACKEND"), false);
  const [, fromEnv] = await doctor(host(GOOD_FILES, { env: { LLM_BACKEND: "podman" } }));
  assertStringIncludes(check(fromEnv, "runtime").finding, "podman: requested with LLM_BACKEND");
  const [, fromFlag] = await doctor(host(GOOD_FILES), ["--backend", "podman"]);
  assertStringIncludes(check(fromFlag, "runtime").finding, "podman: requested with --backend");
  const [, missing] = await doctor(host({ [USER_CONFIG]: "backend: docker\n" }));
  assertStringIncludes(
    check(missing, "runtime").finding,
    `docker is not on PATH; install Docker`,
  );
  assertStringIncludes(check(missing, "runtime").finding, `(backend set in ${USER_CONFIG}:1)`);
});

Deno.test("doctor on a fresh account ends with what to do next", async () => {
  const system = host({}, { outputs: NO_IMAGES });
  assertEquals(await main(["doctor"], system), 0);
  const out = system.out.join("");
  assert(
    out.endsWith(
      "all good (7 warnings); next:\n" +
        "    llm pull\n" +
        "    llm refresh --kind codex\n" +
        "    log in once with 'llm claude'\n" +
        "    log in once with 'llm pi'\n",
    ),
    out,
  );
  const [, json] = await doctor(host({}, { outputs: NO_IMAGES }));
  assertEquals(json.next, [
    "llm pull",
    "llm refresh --kind codex",
    "log in once with 'llm claude'",
    "log in once with 'llm pi'",
  ]);
});

Deno.test("doctor's next steps put failures first and pull only the missing images", async () => {
  const system = host(GOOD_FILES, {
    files: ["/home/user/.claude/"],
    outputs: {
      ...PODMAN_OK,
      "podman image inspect --format {{.Created}} ghcr.io/nichd-bspc/llm:pi-latest": { code: 125 },
    },
  });
  assertEquals(await main(["--certs", "/missing.pem", "doctor"], system), 1);
  const out = system.out.join("");
  assertStringIncludes(
    out,
    "1 problem found (and 1 warning); next:\n" +
      "    point --certs or LLM_DEVCONTAINER_CERTS at a readable PEM file\n" +
      "    llm pull pi\n",
  );
  const good = host(GOOD_FILES, { files: ["/home/user/.claude/"] });
  await main(["doctor"], good);
  assert(good.out.join("").endsWith("✓ certs: no CA bundle configured\nall good\n"));
});

Deno.test("nextSteps() merges pulls, and a plain llm refresh covers its --kind variants", () => {
  assertEquals(
    nextSteps([
      { id: "image a", status: "warn", finding: "", fix: "llm pull a" },
      { id: "image b", status: "pass", finding: "" },
      { id: "image c", status: "warn", finding: "", fix: "llm pull c" },
      { id: "credentials codex", status: "warn", finding: "", fix: "llm refresh --kind codex" },
      { id: "credentials aws", status: "warn", finding: "", fix: "llm refresh" },
      { id: "credentials x", status: "warn", finding: "", fix: "llm refresh" },
      { id: "config", status: "fail", finding: "", fix: "fix the file" },
    ]),
    ["fix the file", "llm pull a c", "llm refresh"],
  );
  assertEquals(nextSteps([{ id: "x", status: "pass", finding: "", fix: "ignored" }]), []);
});

Deno.test({
  name: "doctor colours its marks on a terminal, and not with NO_COLOR or into a pipe",
  // std's colours are off for the whole process when the test runner has NO_COLOR.
  ignore: Deno.noColor,
  fn: async () => {
    const tty = host({}, { executables: [], terminalStreams: ["stdout"] });
    await main(["doctor"], tty);
    const out = tty.out.join("");
    assertStringIncludes(out, "\x1b[31m✗\x1b[39m\x1b[22m runtime:");
    assertStringIncludes(out, "\x1b[33m!\x1b[39m\x1b[22m credentials claude:");
    assertStringIncludes(out, "\x1b[32m✓\x1b[39m certs:");
    assertStringIncludes(out, "\x1b[31m1 problem found\x1b[39m");
    for (
      const plain of [
        host({}, { executables: [], terminalStreams: ["stdout"], env: { NO_COLOR: "" } }),
        host({}, { executables: [], terminalStreams: ["stderr"] }),
      ]
    ) {
      await main(["doctor"], plain);
      assertEquals(plain.out.join("").includes("\x1b["), false);
      assertStringIncludes(plain.out.join(""), "✗ runtime:");
    }
  },
});

Deno.test("doctor and llm pull name the image a launch runs: the agent's own over the file's top-level one", async () => {
  const config = `image: ghcr.io/org/base\ntag: v9\n${GEMINI_CONFIG}`;
  const [, json] = await doctor(host({ [USER_CONFIG]: config }, { outputs: NO_IMAGES }));
  assertStringIncludes(check(json, "image gemini").finding, "ghcr.io/me/gemini-box:v1 ");
  assertStringIncludes(check(json, "image codex").finding, "ghcr.io/org/base:v9 ");
  const system = host({ [USER_CONFIG]: config });
  assertEquals(await main(["pull", "--dry-run", "gemini", "codex"], system), 0);
  assertEquals(
    system.out.join(""),
    "podman pull --quiet --platform=linux/amd64 ghcr.io/me/gemini-box:v1\n" +
      "podman pull --quiet --platform=linux/amd64 ghcr.io/org/base:v9\n",
  );
  const flag = host({ [USER_CONFIG]: config });
  assertEquals(await main(["pull", "--dry-run", "--tag", "t", "gemini"], flag), 0);
  assertStringIncludes(flag.out.join(""), "ghcr.io/me/gemini-box:t\n");
});
