/**
 * The network policy wired into a launch: options and config keys, the
 * plan's network section and environment, and golden argv for every
 * runtime under every policy.
 */
import { assert, assertEquals, assertThrows } from "../../_assert.ts";
import { ALLOW_SET_NAMES, GLOBAL_OPTIONS, NETWORK_CHOICES } from "../../../lib/cli/options.ts";
import { mergeOptions, parseOptions } from "../../../lib/cli/parse.ts";
import { parseConfigFile } from "../../../lib/config/load.ts";
import { LlmError, UsageError } from "../../../lib/errors.ts";
import {
  EGRESS_WRAPPER_NAME,
  EGRESS_WRAPPER_SCRIPT,
  wrapForEgress,
} from "../../../lib/egress/container.ts";
import { ALLOW_SETS } from "../../../lib/egress/hosts.ts";
import { NETWORK_MODES } from "../../../lib/egress/policy.ts";
import { findAgent } from "../../../lib/launch/agents.ts";
import { planLaunch } from "../../../lib/launch/plan.ts";
import { launchRequest, networkRequest } from "../../../lib/launch/request.ts";
import { dockerCommand } from "../../../lib/runtime/docker.ts";
import { dryRunLine } from "../../../lib/runtime/dry_run.ts";
import { podmanCommand } from "../../../lib/runtime/podman.ts";
import type { InvocationFacts } from "../../../lib/runtime/runtime.ts";
import { singularityCommand } from "../../../lib/runtime/singularity.ts";
import { fakeSystem } from "../../_fake_system.ts";
import * as VM from "../../../lib/egress/vm.ts";
import { envOf, planFor } from "../launch/_plan.ts";

const FACTS: InvocationFacts = {
  executable: "podman",
  tty: false,
  uid: 1000,
  gid: 1000,
  os: "linux",
  scratch: "/tmp/llm-5",
};

const PROXY = "http://127.0.0.1:3128";

Deno.test("the option tables and the policy agree on modes and set names", () => {
  assertEquals([...NETWORK_CHOICES], [...NETWORK_MODES]);
  assertEquals([...ALLOW_SET_NAMES].sort(), Object.keys(ALLOW_SETS).sort());
  for (const name of ["network", "allow-host", "allow-set"]) {
    assert(GLOBAL_OPTIONS.some((o) => o.name === name), name);
  }
});

Deno.test("no network setting: open, the environment and argv as before", () => {
  const plan = planFor(["codex"], { env: { HTTPS_PROXY: "http://site:3128" } });
  assertEquals(plan.network.mode, "open");
  assertEquals(envOf(plan).HTTPS_PROXY, "http://site:3128");
  assertEquals(envOf(plan).NODE_USE_ENV_PROXY, undefined);
  const argv = podmanCommand(plan, FACTS).argv;
  assert(!argv.some((a) => a.startsWith("--network")), argv.join(" "));
  assertEquals(argv.slice(-3), ["codex", "--sandbox", "danger-full-access"].slice(-3));
});

Deno.test("--network allow: the agent's built-in list, proxy variables, no host proxy", () => {
  const plan = planFor(["--network", "allow", "codex"], {
    env: { HTTPS_PROXY: "http://site:3128", ALL_PROXY: "socks5://x:1" },
  });
  assertEquals(plan.network.mode, "allow");
  assertEquals(plan.network.entries.map((e) => e.text), [
    "api.openai.com",
    "auth.openai.com",
    "chatgpt.com",
  ]);
  const env = envOf(plan);
  for (const k of ["HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"]) {
    assertEquals(env[k], PROXY, k);
  }
  assertEquals(env.NO_PROXY, "localhost,127.0.0.1,::1");
  assertEquals(env.no_proxy, "localhost,127.0.0.1,::1");
  assertEquals(env.NODE_USE_ENV_PROXY, "1");
  assertEquals(env.ALL_PROXY, undefined);
});

Deno.test("--network allow keeps the --certs variables beside the proxy's", () => {
  const plan = planFor(["--network", "allow", "--certs", "/ca.pem", "claude"], {
    files: ["/ca.pem"],
  });
  const env = envOf(plan);
  assertEquals(env.NODE_EXTRA_CA_CERTS, "/tmp/llm-devcontainer-cert.pem");
  assertEquals(env.HTTPS_PROXY, PROXY);
});

Deno.test("--env still wins over the proxy variables", () => {
  const plan = planFor(["--network", "allow", "--env", "NO_PROXY=internal", "codex"]);
  assertEquals(envOf(plan).NO_PROXY, "internal");
  assertEquals(envOf(plan).no_proxy, "localhost,127.0.0.1,::1");
});

Deno.test("--allow-host and --allow-set alone mean allow, and add to the built-in list", () => {
  const plan = planFor(["--allow-host", "*.example.org:8443", "--allow-set", "npm", "pi"]);
  assertEquals(plan.network.mode, "allow");
  const texts = plan.network.entries.map((e) => e.text);
  assert(texts.includes("*.example.org:8443"), texts.join(" "));
  assert(texts.includes("registry.npmjs.org"), texts.join(" "));
  assert(texts.includes("api.anthropic.com"), texts.join(" "));
});

Deno.test("--network none: no proxy variables and no host proxy either", () => {
  const plan = planFor(["--network", "none", "codex"], { env: { http_proxy: "http://s:1" } });
  assertEquals(plan.network.mode, "none");
  assertEquals(envOf(plan).http_proxy, undefined);
  assertEquals(envOf(plan).HTTPS_PROXY, undefined);
});

Deno.test("bad entries, sets and modes are usage errors naming them", () => {
  assertThrows(
    () => planFor(["--allow-host", "https://x.org/p", "codex"]),
    UsageError,
    "--allow-host: bad allow entry 'https://x.org/p': give the host alone, without 'https://'",
  );
  assertThrows(
    () => planFor(["--allow-host", "*", "codex"]),
    UsageError,
    "--allow-host: bad allow entry '*': a bare '*' would allow everything",
  );
  assertThrows(
    () => planFor(["--allow-set", "zzzzzz", "codex"]),
    UsageError,
    "unknown allow set 'zzzzzz' (known: github, npm, pypi, conda-forge, cran, huggingface)",
  );
  assertThrows(
    () => planFor(["--network", "closed", "codex"]),
    UsageError,
    "--network: expected one of open, allow, none, got 'closed'",
  );
});

Deno.test("Bedrock under allow adds the region's endpoints; a bad region only matters then", () => {
  const host = { env: { CLAUDE_CODE_USE_BEDROCK: "1", AWS_REGION: "eu-west-1", AWS_PROFILE: "p" } };
  const plan = planFor(["--network", "allow", "claude"], host);
  const texts = plan.network.entries.map((e) => e.text);
  assert(texts.includes("bedrock-runtime.eu-west-1.amazonaws.com"), texts.join(" "));
  const bad = { env: { ...host.env, AWS_REGION: "eu" } };
  assertEquals(planFor(["claude"], bad).network.mode, "open");
  assertThrows(() => planFor(["--network", "allow", "claude"], bad), UsageError, "'eu'");
});

async function layers(user: string | null, project: string | null, argv: string[]) {
  const sets = [];
  if (user !== null) sets.push((await parseConfigFile(user, "/u/config.yaml", "user")).options);
  if (project !== null) {
    sets.push((await parseConfigFile(project, "/w/.llm.yaml", "project")).options);
  }
  sets.push(parseOptions(argv, GLOBAL_OPTIONS).options);
  return mergeOptions(...sets);
}

function planWith(options: Awaited<ReturnType<typeof layers>>, agent = "codex") {
  const def = findAgent(agent);
  if (!def) throw new Error(agent);
  return planLaunch(launchRequest(def, [], options), fakeSystem({}));
}

Deno.test("config files: network and allow lists, each entry's file:line kept", async () => {
  const options = await layers(
    "network: allow\nallow_hosts:\n  - pypi.org\nallow_sets: [github]\n",
    null,
    [],
  );
  const request = networkRequest(options);
  assertEquals(request.user[0].mode, "allow");
  assertEquals(request.user[0].hosts, ["pypi.org"]);
  assertEquals(request.user[0].hostSources, ["/u/config.yaml:3"]);
  assertEquals(request.user[0].sets, ["github"]);
  assertEquals(request.project, undefined);
  const texts = planWith(options).network.entries.map((e) => e.text);
  assert(texts.includes("pypi.org") && texts.includes("github.com"), texts.join(" "));
});

Deno.test("config files: bad network values and entries name the file and line", async () => {
  const bad = async (text: string, message: string, kind: "user" | "project" = "user") => {
    let error: unknown;
    try {
      await parseConfigFile(text, "/u/config.yaml", kind);
    } catch (e) {
      error = e;
    }
    assert(error instanceof LlmError, String(error));
    assert((error as Error).message.includes(message), (error as Error).message);
  };
  await bad("network: closed\n", "/u/config.yaml:1: network: expected one of open, allow, none");
  await bad(
    "allow_hosts:\n  - ok.org\n  - http://x\n",
    "/u/config.yaml:3: allow_hosts.1: bad allow entry 'http://x'",
  );
  await bad("allow_sets: [gitlab]\n", "allow_sets.0: unknown allow set 'gitlab'");
});

Deno.test("a project file tightens: open user + project allow gives allow with its list", async () => {
  const options = await layers(null, "network: allow\nallow_hosts: [pypi.org]\n", []);
  const plan = planWith(options);
  assertEquals(plan.network.mode, "allow");
  assert(plan.network.entries.some((e) => e.text === "pypi.org"));
});

Deno.test("a project file never loosens: its none wins over --network allow, its open is ignored", async () => {
  const options = await layers(null, "network: none\n", ["--network", "allow"]);
  assertEquals(planWith(options).network.mode, "none");
  const loosen = await layers(null, "network: open\n", ["--network", "none"]);
  const plan = planWith(loosen);
  assertEquals(plan.network.mode, "none");
  assert(plan.notes.some((n) => n.includes("may only tighten")), plan.notes.join("\n"));
});

Deno.test("a project file's hosts cannot widen the user's allow list", async () => {
  const options = await layers(
    "network: allow\nallow_hosts: ['*.example.org']\n",
    "network: allow\nallow_hosts: [a.example.org, evil.example]\n",
    [],
  );
  const plan = planWith(options);
  const texts = plan.network.entries.map((e) => e.text);
  assert(texts.includes("a.example.org"), texts.join(" "));
  assert(!texts.includes("evil.example"), texts.join(" "));
  assert(!texts.includes("*.example.org"), texts.join(" "));
});

const LOOP = ["codex"];

Deno.test("podman golden argv under allow: no network, the socket's directory, the wrapper", () => {
  const argv = podmanCommand(planFor(["--network", "allow", ...LOOP]), FACTS).argv;
  const at = argv.indexOf("--network=none");
  assert(at > 0, argv.join(" "));
  assertEquals(argv.slice(at, at + 3), [
    "--network=none",
    "-v",
    "/tmp/llm-5/egress:/run/llm-egress",
  ]);
  const image = argv.indexOf("ghcr.io/nichd-bspc/llm:codex-latest");
  assertEquals(argv[image - 1], `--workdir=/work/project`);
  assertEquals(argv.slice(image + 1), [
    "/bin/sh",
    "-c",
    EGRESS_WRAPPER_SCRIPT,
    EGRESS_WRAPPER_NAME,
    "codex",
    "--sandbox",
    "danger-full-access",
  ]);
});

Deno.test("podman and docker golden argv under none: --network=none, the command untouched", () => {
  for (const command of [podmanCommand, dockerCommand]) {
    const plan = planFor(["--network", "none", ...LOOP]);
    const argv = command(plan, FACTS).argv;
    assertEquals(argv.filter((a) => a.startsWith("--network")), ["--network=none"]);
    assert(!argv.some((a) => a.includes("llm-egress")), argv.join(" "));
    assertEquals(argv.slice(-3), ["codex", "--sandbox", "danger-full-access"]);
  }
});

Deno.test("docker golden argv under allow, rootful and rootless alike", () => {
  for (const rootless of [false, true]) {
    const argv = dockerCommand(planFor(["--network", "allow", ...LOOP]), {
      ...FACTS,
      executable: "docker",
      rootless,
    }).argv;
    const at = argv.indexOf("--network=none");
    assertEquals(argv.slice(at, at + 3), [
      "--network=none",
      "-v",
      "/tmp/llm-5/egress:/run/llm-egress",
    ]);
    assertEquals(argv.slice(-7, -3), ["/bin/sh", "-c", EGRESS_WRAPPER_SCRIPT, "llm-egress"]);
  }
});

Deno.test("podman and docker on macOS: the agent on the session's internal network, no wrapper", () => {
  const { vmEgress } = VM;
  for (const command of [podmanCommand, dockerCommand]) {
    const c = command(planFor(["--network", "allow", ...LOOP]), { ...FACTS, os: "darwin" });
    const vm = vmEgress("5");
    assertEquals(c.argv.filter((a) => a.startsWith("--network") || a.startsWith("--dns")), [
      "--network=llm-egress-5",
      "--dns=127.0.0.1",
    ]);
    assert(!c.argv.some((a) => a.includes("llm-egress:") || a === "/bin/sh"), c.argv.join(" "));
    assertEquals(c.argv.slice(-3), ["codex", "--sandbox", "danger-full-access"]);
    assert(c.envFile?.lines.includes(`HTTPS_PROXY=${vm.url}`), c.envFile?.lines.join(" "));
    assert(c.envFile?.lines.includes(`http_proxy=${vm.url}`), c.envFile?.lines.join(" "));
    assert(c.envFile?.lines.includes("NO_PROXY=localhost,127.0.0.1,::1"));
  }
});

Deno.test("macOS golden set-up and tear-down: internal network, forwarder container, removed after", () => {
  const { vmEgress, vmSetup, vmTeardown } = VM;
  const vm = vmEgress("ab12cd");
  assertEquals(vm.name, "llm-egress-ab12cd");
  assert(/^10\.213\.\d+\.0\/24$/.test(vm.subnet), vm.subnet);
  const net = vm.subnet.replace(/\.0\/24$/, "");
  assertEquals(vm.address, `${net}.2`);
  const forwarder = [
    "--cap-drop=ALL",
    "--security-opt=no-new-privileges",
    "--user=1000:1000",
    "img",
    "socat",
    "TCP-LISTEN:3128,fork,reuseaddr",
  ];
  assertEquals(vmSetup("podman", "podman", vm, "img", 4321), [
    ["podman", "network", "create", "--internal", "--disable-dns", "--subnet", vm.subnet, vm.name],
    [
      "podman",
      "run",
      "-d",
      "--rm",
      "--name",
      vm.name,
      `--network=${vm.name}:ip=${vm.address}`,
      "--network=podman",
      ...forwarder,
      "TCP:host.containers.internal:4321",
    ],
  ]);
  assertEquals(vmSetup("docker", "docker", vm, "img", 4321), [
    ["docker", "network", "create", "--internal", "--subnet", vm.subnet, vm.name],
    [
      "docker",
      "run",
      "-d",
      "--rm",
      "--name",
      vm.name,
      `--network=${vm.name}`,
      `--ip=${vm.address}`,
      ...forwarder,
      "TCP:host.docker.internal:4321",
    ],
    ["docker", "network", "connect", "bridge", vm.name],
  ]);
  assertEquals(vmTeardown("podman", vm), [
    ["podman", "rm", "--force", vm.name],
    ["podman", "network", "rm", vm.name],
  ]);
});

Deno.test("singularity golden argv: --net --network none, the socket bound, host proxies unset", () => {
  const s = { ...FACTS, executable: "apptainer", scratch: "/tmp/llm-1" };
  const open = singularityCommand(planFor(LOOP), s);
  assert(!open.argv.includes("--net"), open.argv.join(" "));
  const none = singularityCommand(planFor(["--network", "none", ...LOOP]), s);
  const image = none.argv.indexOf("ghcr.io/nichd-bspc/llm:codex-latest");
  assertEquals(none.argv.slice(image - 3), [
    "--net",
    "--network",
    "none",
    "ghcr.io/nichd-bspc/llm:codex-latest",
    "codex",
    "--sandbox",
    "danger-full-access",
  ]);
  assert(none.unsetEnv?.includes("https_proxy"));
  const allow = singularityCommand(planFor(["--network", "allow", ...LOOP]), s);
  const at = allow.argv.indexOf("--net");
  assertEquals(allow.argv.slice(at), [
    "--net",
    "--network",
    "none",
    "--bind",
    "/tmp/llm-1/egress:/run/llm-egress",
    "ghcr.io/nichd-bspc/llm:codex-latest",
    ...wrapForEgress(["codex", "--sandbox", "danger-full-access"]),
  ]);
  assertEquals(allow.env?.APPTAINERENV_HTTPS_PROXY, PROXY);
  assertEquals(allow.env?.APPTAINERENV_NODE_USE_ENV_PROXY, "1");
  for (const v of ["HTTPS_PROXY", "http_proxy", "NO_PROXY", "ALL_PROXY"]) {
    assert(allow.unsetEnv?.includes(v), v);
  }
});

Deno.test("--dry-run under allow pastes as one bash line with the wrapper quoted", () => {
  const command = podmanCommand(planFor(["--network", "allow", ...LOOP]), FACTS);
  const line = dryRunLine(command, {});
  assert(!line.includes("\n"), line);
  assert(line.includes("--network=none -v /tmp/llm-5/egress:/run/llm-egress"), line);
  assert(line.endsWith(`llm-egress codex --sandbox danger-full-access`), line);
});

Deno.test("the wrapper script is a constant: the agent's words only ever reach it as $@", () => {
  const hostile = ["codex", "'; rm -rf / #", "$(id)"];
  const wrapped = wrapForEgress(hostile);
  assertEquals(wrapped[2], EGRESS_WRAPPER_SCRIPT);
  assertEquals(wrapped.slice(4), hostile);
  assert(EGRESS_WRAPPER_SCRIPT.endsWith('exec "$@"'));
});

Deno.test("a trusted project file's network outlives the file: recorded, kept, applied", async () => {
  const {
    parseTrustStore,
    restrictionChanges,
    restrictionLayer,
    restrictionsOf,
    serializeTrustStore,
  } = await import("../../../lib/config/trust.ts");
  const project = await parseConfigFile(
    "network: allow\nallow_hosts: [pypi.org]\n",
    "/w/.llm.yaml",
    "project",
  );
  const restrictions = restrictionsOf(project.options);
  assertEquals(restrictions.network, { mode: "allow", hosts: ["pypi.org"], sets: [] });
  const store = parseTrustStore(
    serializeTrustStore(new Map([["/w/.llm.yaml", { sha256: "0".repeat(64), restrictions }]])),
    "/t.json",
  );
  const kept = store.get("/w/.llm.yaml")?.restrictions;
  assertEquals(kept?.network, restrictions.network);
  if (!kept) throw new Error("no restrictions");
  // The file is gone: its recorded layer still turns an open user into allow with its list.
  const plan = planWith(mergeOptions(restrictionLayer(kept, "/w/.llm.yaml (trusted; file gone)")));
  assertEquals(plan.network.mode, "allow");
  assert(plan.network.entries.some((e) => e.text === "pypi.org"));
  assertEquals(restrictionChanges(kept, { ...kept, network: undefined }), [
    "drops network allow (pypi.org)",
  ]);
});

Deno.test("a macOS launch under allow builds the VM path, runs the agent on it, then removes it", async () => {
  const { main } = await import("../../../lib/cli/main.ts");
  const sys = fakeSystem({ os: "darwin", executables: ["podman"] });
  const code = await main(["--backend", "podman", "--network", "allow", "codex"], sys);
  assertEquals(code, 0, sys.err.join(""));
  const ran = sys.ran.map((argv) => argv.slice(0, 3).join(" "));
  const at = ran.indexOf("podman network create");
  assert(at >= 0, ran.join("\n"));
  assertEquals(ran.slice(at), [
    "podman network create",
    "podman run -d",
    "podman run --rm",
    "podman rm --force",
    "podman network rm",
  ]);
  const name = sys.ran[at].at(-1) ?? "";
  assert(/^llm-egress-/.test(name), name);
  // The forwarder points at the proxy's real port on this host's loopback.
  const target = sys.ran[at + 1].at(-1) ?? "";
  assert(/^TCP:host\.containers\.internal:\d+$/.test(target), target);
  assert(sys.ran[at + 2].includes(`--network=${name}`), sys.ran[at + 2].join(" "));
});

Deno.test("a failed VM set-up step is one error line, and what was made is removed", async () => {
  const { main } = await import("../../../lib/cli/main.ts");
  const sys = fakeSystem({
    os: "darwin",
    executables: ["podman"],
    outputs: { "podman run -d": { code: 125, stderr: "Error: image not known\n" } },
  });
  const code = await main(["--backend", "podman", "--network", "allow", "codex"], sys);
  assertEquals(code, 1);
  const err = sys.err.join("");
  assert(
    err.includes("llm: error: could not set up the path to llm's proxy in the podman VM: "),
    err,
  );
  assert(err.trimEnd().endsWith("failed: Error: image not known"), err);
  const ran = sys.ran.map((argv) => argv.slice(0, 3).join(" "));
  assert(!ran.includes("podman run --rm"), ran.join("\n"));
  assertEquals(ran.slice(-2), ["podman rm --force", "podman network rm"]);
});

Deno.test("the launch's directory gets egress/ under allow only, so a pasted --dry-run line binds it", async () => {
  const { scratchLayout } = await import("../../../lib/runtime/prepare.ts");
  const { podman } = await import("../../../lib/runtime/podman.ts");
  const paths = (argv: string[]) =>
    scratchLayout(podman, planFor(argv), fakeSystem({})).map((e) => e.path);
  assert(paths(["--network", "allow", "codex"]).includes("egress"));
  assert(!paths(["--network", "none", "codex"]).includes("egress"));
  assert(!paths(["codex"]).includes("egress"));
});
