import { assertEquals, assertRejects, assertThrows } from "../../_assert.ts";
import { LlmError } from "../../../lib/errors.ts";
import { parseConfigFile } from "../../../lib/config/load.ts";
import { validateConfig } from "../../../lib/config/schema.ts";

const BUILTINS = ["codex", "claude", "pi", "shell"];

async function load(text: string, kind: "user" | "project" = "user") {
  return await parseConfigFile(text, "/c.yaml", kind);
}

async function fails(text: string, message: string, kind: "user" | "project" = "user") {
  await assertRejects(() => load(text, kind), LlmError, message);
}

Deno.test("a full user config becomes an options layer with file:line sources", async () => {
  const c = await load(`backend: podman
image: me/img:1
tag: t
arch: linux/arm64
sif_path: ./x.sif
mounts:
  - ~/data
  - ~/ro:/ro:ro
env:
  A: b
  N: 3
  T: true
ro: [data]
mask:
  - .env
certs: ~/ca.pem
global_read_only: true
workspace_mount: /workspace
`);
  const o = c.options;
  assertEquals(Object.fromEntries(o.values), {
    backend: "podman",
    "image-name": "me/img:1",
    tag: "t",
    arch: "linux/arm64",
    "sif-path": "./x.sif",
    certs: "~/ca.pem",
    "workspace-mount": "/workspace",
  });
  assertEquals(o.lists.get("mount"), ["~/data", "~/ro:/ro:ro"]);
  assertEquals(o.lists.get("env"), ["A=b", "N=3", "T=true"]);
  assertEquals(o.lists.get("ro"), ["data"]);
  assertEquals(o.lists.get("mask"), [".env"]);
  assertEquals([...o.flags], ["global-read-only"]);
  assertEquals(o.sources?.get("mount"), ["/c.yaml:7", "/c.yaml:8"]);
  assertEquals(o.sources?.get("backend"), ["/c.yaml:1"]);
  assertEquals(o.sources?.get("env"), ["/c.yaml:10", "/c.yaml:11", "/c.yaml:12"]);
});

Deno.test("an empty file or false flag sets nothing", async () => {
  assertEquals((await load("")).options.values.size, 0);
  assertEquals((await load("# only a comment\n")).options.lists.size, 0);
  assertEquals((await load("global_read_only: false\n")).options.flags.size, 0);
});

Deno.test("validation errors name the file, the line and the key", async () => {
  await fails("backend: podman\nnope: 1\n", "/c.yaml:2: nope: unknown key");
  await fails("backend: lxc\n", "/c.yaml:1: backend: expected one of auto, podman");
  await fails("tag: 3\n", "/c.yaml:1: tag: expected a non-empty string");
  await fails("tag: ''\n", "tag: expected a non-empty string");
  await fails("mounts: ~/a\n", "/c.yaml:1: mounts: expected a list of strings");
  await fails("mounts:\n  - ok\n  - 5\n", "/c.yaml:3: mounts.1: expected a non-empty string");
  await fails("mounts:\n  - a:b:c:d\n", "/c.yaml:2: mounts.0: mount spec 'a:b:c:d' has too many");
  await fails("mounts:\n  - a:relative\n", "must be absolute");
  await fails("env: [A=1]\n", "/c.yaml:1: env: expected a mapping");
  await fails("env:\n  A: [1]\n", "/c.yaml:2: env.A: expected a string, number or boolean");
  await fails("env:\n  1A: x\n", "env.1A: not a variable name");
  await fails("global_read_only: yes please\n", "global_read_only: expected true or false");
  await fails("workspace_mount: ws\n", "workspace_mount: expected an absolute container path");
  await fails("- a\n- b\n", "/c.yaml:1: expected a mapping of settings");
});

Deno.test("YAML syntax errors name the file", async () => {
  await fails("a: [1, 2\n", "/c.yaml: not valid YAML");
});

Deno.test("agents: a new agent needs a command; fields are checked", async () => {
  await fails(
    "agents:\n  gemini:\n    tag: x\n",
    "/c.yaml:2: agents.gemini: a new agent needs a 'command'",
  );
  await fails(
    "agents:\n  gemini:\n    command: gemini\n",
    "/c.yaml:3: agents.gemini.command: expected a list",
  );
  await fails("agents:\n  gemini:\n    command: []\n", "expected at least one word");
  await fails(
    "agents:\n  Gemini:\n    command: [g]\n",
    "agents.Gemini: agent names are lower-case",
  );
  await fails(
    "agents:\n  g:\n    command: [g]\n    credentials: [/etc/passwd]\n",
    "/c.yaml:4: agents.g.credentials.0: expected a path under the home",
  );
  await fails("agents:\n  g:\n    command: [g]\n    credentials: ['~/../x']\n", "under the home");
  await fails(
    "agents:\n  g:\n    command: [g]\n    colour: red\n",
    "/c.yaml:4: agents.g.colour: unknown key",
  );
  await fails("agents:\n  g: [g]\n", "agents.g: expected a mapping");
  await fails("agents: [g]\n", "agents: expected a mapping");
});

Deno.test("agents: a built-in agent may be changed without a command", async () => {
  const c = await load("agents:\n  codex:\n    tag: codex-0.1\n");
  assertEquals(c.agents.get("codex")?.tag, "codex-0.1");
  assertEquals(c.agents.get("codex")?.source, "/c.yaml:2");
});

Deno.test("a project file may set only ro, mask, global_read_only, env and mounts", async () => {
  const c = await load(
    "ro: [a]\nmask: [b]\nglobal_read_only: true\nenv:\n  X: 1\nmounts: [data]\n",
    "project",
  );
  assertEquals(c.options.flags.has("global-read-only"), true);
  assertEquals(c.options.lists.get("mask"), ["b"]);
  await fails("backend: docker\n", "/c.yaml:1: backend: not allowed in a project file", "project");
  await fails("agents: {}\n", "not allowed in a project file", "project");
  await fails("certs: /x\n", "put it in your user config", "project");
});

Deno.test("a project file's mount sources must be relative paths inside the workspace", async () => {
  for (const host of ["/etc", "~/.ssh", "~", "../up", "a/../../up"]) {
    await fails(
      `mounts:\n  - ${host}:/x:ro\n`,
      `/c.yaml:2: mounts.0: a project file may only mount paths inside the workspace, given ` +
        `relative without '..', got '${host}'; put other mounts in your user config`,
      "project",
    );
  }
  const c = await load("mounts: [refs:/refs:ro, a/b]\n", "project");
  assertEquals(c.options.lists.get("mount"), ["refs:/refs:ro", "a/b"]);
  const user = await load("mounts: [/etc, ~/.ssh]\n");
  assertEquals(user.options.lists.get("mount"), ["/etc", "~/.ssh"]);
});

Deno.test("validateConfig() checks data directly too", () => {
  assertThrows(() => validateConfig(42, "42", "/x", "user", BUILTINS), LlmError, "/x:1");
});
