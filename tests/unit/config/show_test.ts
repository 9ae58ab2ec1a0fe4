/**
 * `llm config show` (text and `--json`), what `auto` resolves to, and
 * did-you-mean for the subcommands of `llm config`.
 */
import { assertEquals, assertStringIncludes } from "../../_assert.ts";
import { main } from "../../../lib/cli/main.ts";
import { editDistance } from "../../../lib/text/suggest.ts";
import {
  type FakeSystem,
  fakeSystem,
  type FakeSystemOptions,
  setContent,
} from "../../_fake_system.ts";

const CONFIG = "/home/user/.config/llm/config.yaml";

function host(config: string | undefined, options: FakeSystemOptions = {}): FakeSystem {
  const system = fakeSystem({ executables: ["podman"], ...options });
  if (config !== undefined) setContent(system, CONFIG, config);
  return system;
}

async function run(system: FakeSystem, argv: string[]): Promise<string> {
  assertEquals(await main(argv, system), 0, system.err.join(""));
  return system.out.join("");
}

Deno.test("config show says what backend auto resolved to", async () => {
  const out = await run(host(undefined), ["config", "show"]);
  const line = out.split("\n").find((l) => l.startsWith("backend"));
  assertEquals(line?.replace(/ +/g, " "), "backend auto → podman default");
  const docker = await run(
    host(undefined, { executables: ["docker"], files: ["/var/run/docker.sock"] }),
    [
      "config",
      "show",
    ],
  );
  assertStringIncludes(docker, "auto → docker");
  const none = await run(host(undefined, { executables: [] }), ["config", "show"]);
  assertStringIncludes(none, "auto → no runtime found");
  // A backend that is not auto is shown as it is.
  const set = await run(host("backend: docker\n"), ["config", "show"]);
  assertEquals(set.includes("→"), false);
});

Deno.test("config show --json gives every setting's value and source", async () => {
  const system = host("backend: auto\nmounts: [/data]\nglobal_read_only: true\n", {
    files: ["/data/"],
    env: { LLM_DEVCONTAINER_CERTS: "/ca.pem" },
  });
  const json = JSON.parse(await run(system, ["--tag", "t", "config", "show", "--json"]));
  assertEquals(json.settings.backend, { value: "auto", source: `${CONFIG}:1`, resolved: "podman" });
  assertEquals(json.settings.mount, [{ value: "/data", source: `${CONFIG}:2` }]);
  assertEquals(json.settings["global-read-only"], { value: true, source: `${CONFIG}:3` });
  assertEquals(json.settings.certs, { value: "/ca.pem", source: "env LLM_DEVCONTAINER_CERTS" });
  assertEquals(json.settings.tag, { value: "t", source: "flag --tag" });
  assertEquals(json.settings.ro, []);
  assertEquals(json.settings["sif-path"], { value: null, source: "default" });
  assertEquals(json.files.user_config, { path: CONFIG, exists: true, used: true });
  assertEquals(json.agents, []);
});

Deno.test("config show --json lists the agents the config defines", async () => {
  const system = host("agents:\n  gemini:\n    command: [gemini]\n");
  const json = JSON.parse(await run(system, ["config", "show", "--json"]));
  assertEquals(json.agents, [{ name: "gemini", summary: `defined in ${CONFIG}:2` }]);
});

const PROJECT = "/work/project/.llm.yaml";

/** A host with the user config `config` and the trusted project file `project`. */
async function withProject(config: string | undefined, project: string): Promise<FakeSystem> {
  const system = host(config);
  setContent(system, PROJECT, project);
  assertEquals(await main(["trust"], system), 0, system.err.join(""));
  system.out.length = 0;
  return system;
}

Deno.test("config show reports a project file's network, which tightens the user's", async () => {
  const system = await withProject("network: allow\n", "network: none\n");
  const out = await run(system, ["config", "show"]);
  const rows = out.split("\n").filter((l) => l.startsWith("network")).map((l) =>
    l.replace(/ +/g, " ")
  );
  assertEquals(rows, [
    `network allow ${CONFIG}:1`,
    `network none ${PROJECT}:1`,
    `network policy: none (${PROJECT}:1)`,
  ]);
  assertStringIncludes(
    out,
    `  note: ${PROJECT}:1: the project file sets network none (it may tighten network allow, ` +
      "never loosen it)\n",
  );
});

Deno.test("config show says which allowed hosts a project file leaves in effect", async () => {
  const system = await withProject(
    "network: allow\nallow_hosts: [pypi.org, api.example.org]\n",
    "network: allow\nallow_hosts: [pypi.org, evil.example]\n",
  );
  const out = await run(system, ["config", "show"]);
  assertStringIncludes(
    out,
    `network policy: allow (${CONFIG}:1)\n` +
      `  project file: network allow (${PROJECT}:1; a project file may only tighten yours)\n` +
      "  allowed besides each agent's built-in hosts:\n" +
      `    pypi.org  ${CONFIG}:2, ${PROJECT}:2\n` +
      `  note: ${PROJECT}:1: 'evil.example' stays blocked`,
  );
  // api.example.org is the user's alone: the project's list narrows it away.
  assertEquals(out.includes("\n    api.example.org"), false);
});

Deno.test("config show --json gives the network policy in effect and its sources", async () => {
  const system = await withProject(undefined, "network: allow\nallow_sets: [pypi]\n");
  const json = JSON.parse(await run(system, ["--network", "open", "config", "show", "--json"]));
  assertEquals(json.settings.network, { value: "open", source: "flag --network" });
  assertEquals(json.network, {
    mode: "allow",
    source: `${PROJECT}:1`,
    project: { value: "allow", source: `${PROJECT}:1` },
    allowed: [
      { value: "pypi.org", sources: [`${PROJECT}:2 (set pypi)`] },
      { value: "files.pythonhosted.org", sources: [`${PROJECT}:2 (set pypi)`] },
    ],
    notes: [
      `${PROJECT}:1: the project file sets network allow (it may tighten network open, ` +
      "never loosen it)",
    ],
  });
  // Without any setting: open, and nothing allowed is listed.
  const plain = JSON.parse(await run(host(undefined), ["config", "show", "--json"]));
  assertEquals(plain.network, { mode: "open", source: "default", allowed: [], notes: [] });
  const implied = JSON.parse(
    await run(host(undefined), ["--allow-host", "x.example:8443", "config", "show", "--json"]),
  );
  assertEquals(implied.network.mode, "allow");
  assertEquals(implied.network.source, "implied by allowed hosts on the command line");
  assertEquals(implied.network.allowed, [{
    value: "x.example:8443",
    sources: ["flag --allow-host"],
  }]);
});

Deno.test("config path --json gives the files and their state", async () => {
  const json = JSON.parse(await run(host(undefined), ["config", "path", "--json"]));
  assertEquals(json, {
    user_config: { path: CONFIG, exists: false, used: false },
    project_file: { path: "/work/project/.llm.yaml", state: "absent" },
    trust_store: "/home/user/.config/llm/trusted.json",
  });
});

Deno.test("a mistyped config subcommand gets a did-you-mean, exit 2", async () => {
  const cases: [string[], string][] = [
    [
      ["config", "shwo"],
      "unknown config action 'shwo': did you mean 'show'? (llm config needs one of: show, path)",
    ],
    [["config", "paht"], "unknown config action 'paht': did you mean 'path'?"],
    [["config", "zzzz"], "unknown config action 'zzzz' (llm config needs one of: show, path)"],
    [["config"], "llm config needs one of: show, path"],
    [["config", "show", "x"], "llm config show takes no arguments (got 'x')"],
  ];
  for (const [argv, message] of cases) {
    const system = host(undefined);
    assertEquals(await main(argv, system), 2, argv.join(" "));
    assertEquals(system.err.length, 1, system.err.join(""));
    assertStringIncludes(system.err[0], `llm: error: ${message}`);
  }
});

Deno.test("editDistance() counts a swap of neighbouring letters as one edit", () => {
  assertEquals(editDistance("shwo", "show"), 1);
  assertEquals(editDistance("podmna", "podman"), 1);
  assertEquals(editDistance("abc", "cab"), 2);
  assertEquals(editDistance("", "ab"), 2);
  assertEquals(editDistance("kitten", "sitting"), 3);
});
