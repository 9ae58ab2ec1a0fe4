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
