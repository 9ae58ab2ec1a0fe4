/**
 * Trusted project files the agent may have edited, removed or replaced, and
 * config files that are not small regular files: every refusal and warning
 * with its exact message, through `main()` on a fake host.
 */
import { assertEquals } from "../../_assert.ts";
import { main } from "../../../lib/cli/main.ts";
import { loadConfig } from "../../../lib/config/load.ts";
import { configFilesPresent } from "../../../lib/config/paths.ts";
import { parseTrustStore, serializeTrustStore, sha256Hex } from "../../../lib/config/trust.ts";
import { addSymlink, type FakeSystem, fakeSystem, setContent } from "../../_fake_system.ts";

const CONFIG = "/home/user/.config/llm/config.yaml";
const PROJECT = "/work/project/.llm.yaml";
const STORE = "/home/user/.config/llm/trusted.json";
const TEXT = "mask: [secrets]\nro: [data]\n";

/** A workspace with `secrets/` and `data/` whose `.llm.yaml` (TEXT) was trusted. */
async function trusted(): Promise<FakeSystem> {
  const system = fakeSystem({ files: ["/work/project/secrets/", "/work/project/data/"] });
  setContent(system, PROJECT, TEXT);
  assertEquals(await main(["trust"], system), 0, system.err.join(""));
  system.out.length = 0;
  system.changes.length = 0;
  return system;
}

async function refused(system: FakeSystem, message: string): Promise<void> {
  assertEquals(await main(["shell"], system), 1);
  assertEquals(system.err.join(""), `llm: error: ${message}\n`);
  assertEquals(system.ran, []);
}

async function effective(system: FakeSystem) {
  const config = await loadConfig(system);
  const last = config.layers.at(-1);
  return { config, mask: last?.lists.get("mask"), ro: last?.lists.get("ro") };
}

Deno.test("llm trust records the checksum and the restrictions, mode 0600", async () => {
  const system = fakeSystem();
  setContent(system, PROJECT, TEXT);
  assertEquals(await main(["trust"], system), 0);
  const sha = await sha256Hex(TEXT);
  assertEquals(
    system.out.join(""),
    `trusted ${PROJECT} (sha256 ${sha.slice(0, 12)}…): mask secrets; ro data\n`,
  );
  const entry = parseTrustStore(system.readText(STORE), STORE).get(PROJECT);
  assertEquals(entry?.sha256, sha);
  assertEquals(entry?.restrictions, { mask: ["secrets"], ro: ["data"], globalReadOnly: false });
  assertEquals(system.files.get(STORE)?.mode, 0o600);
});

Deno.test("a trusted file that changed stops the launch, saying which restrictions it drops", async () => {
  const system = await trusted();
  setContent(system, PROJECT, "ro: [data]\n");
  await refused(
    system,
    `${PROJECT} changed since it was trusted (now it drops mask secrets); it is not applied and ` +
      `nothing was launched. Review it; to trust it as it is now run: llm trust ${PROJECT}; ` +
      `to stop using it run: llm trust --forget ${PROJECT}`,
  );
});

Deno.test("a trusted file with only a comment added still stops the launch", async () => {
  const system = await trusted();
  setContent(system, PROJECT, TEXT + "# hi\n");
  await refused(
    system,
    `${PROJECT} changed since it was trusted (its restrictions are the same; other lines ` +
      `differ); it is not applied and nothing was launched. Review it; to trust it as it is ` +
      `now run: llm trust ${PROJECT}; to stop using it run: llm trust --forget ${PROJECT}`,
  );
});

Deno.test("a trusted file changed into an invalid one stops the launch", async () => {
  const system = await trusted();
  setContent(system, PROJECT, "backend: docker\n");
  await refused(
    system,
    `${PROJECT} changed since it was trusted (it is no longer a valid project file); it is not ` +
      `applied and nothing was launched. Review it; to trust it as it is now run: llm trust ` +
      `${PROJECT}; to stop using it run: llm trust --forget ${PROJECT}`,
  );
});

for (
  const [what, replace, problem] of [
    [
      "a symlink",
      (s: FakeSystem) => addSymlink(s, PROJECT, "/elsewhere"),
      "is a symlink, not a regular file",
    ],
    [
      "a directory",
      (s: FakeSystem) => s.files.set(PROJECT, { kind: "dir" }),
      "is a directory, not a regular file",
    ],
    [
      "a FIFO",
      (s: FakeSystem) => s.files.set(PROJECT, { kind: "other" }),
      "is not a regular file (a FIFO, socket or device)",
    ],
    [
      "over 1 MiB",
      (s: FakeSystem) => setContent(s, PROJECT, new Uint8Array(1024 * 1024 + 1)),
      "is larger than 1 MiB, the limit for config files",
    ],
  ] as const
) {
  Deno.test(`a trusted file replaced by ${what} stops the launch`, async () => {
    const system = await trusted();
    replace(system);
    await refused(
      system,
      `${PROJECT} was trusted but now ${problem}; it is not applied and nothing was launched. ` +
        `Look at it (the agent can write there) and put the reviewed file back, then run: ` +
        `llm trust ${PROJECT}; to stop using it run: llm trust --forget ${PROJECT}`,
    );
  });
}

Deno.test("a trusted file that vanished keeps its masks and read-only paths, with a warning", async () => {
  const system = await trusted();
  system.remove(PROJECT);
  const { config, mask, ro } = await effective(system);
  assertEquals(mask, ["secrets"]);
  assertEquals(ro, ["data"]);
  assertEquals(config.projectFile.state, "vanished");
  assertEquals(config.warnings, [
    `${PROJECT} was trusted but is gone; its restrictions still apply (mask secrets; ro data); ` +
    `restore it, or drop them with: llm trust --forget ${PROJECT}`,
  ]);
  // The trust store alone makes a launch load the config.
  assertEquals(configFilesPresent({}, "/home/user", "/work/project", (p) => system.stat(p)), true);
});

Deno.test("a vanished file trusted by an older llm (checksum only) stops the launch", async () => {
  const system = fakeSystem();
  setContent(system, STORE, JSON.stringify({ [PROJECT]: await sha256Hex(TEXT) }));
  await refused(
    system,
    `${PROJECT} was trusted but is gone, and the trust store holds only its checksum (trusted ` +
      `by an older llm), so its restrictions are unknown; nothing was launched. Restore the ` +
      `file, or launch without it after: llm trust --forget ${PROJECT}`,
  );
});

Deno.test("llm trust --forget drops a vanished file's restrictions, by directory or for the cwd", async () => {
  for (const args of [[], ["/work/project"], [PROJECT]]) {
    const system = await trusted();
    system.remove(PROJECT);
    assertEquals(await main(["trust", "--forget", ...args], system), 0, system.err.join(""));
    assertEquals(
      system.out.join(""),
      `no longer trusted: ${PROJECT} (its mask secrets; ro data no longer apply)\n`,
    );
    assertEquals((await effective(system)).mask, undefined);
    assertEquals(system.err.join(""), "");
  }
});

Deno.test("llm trust works while the trusted file changed, and --list shows each state", async () => {
  const system = await trusted();
  setContent(system, PROJECT, TEXT + "# hi\n");
  assertEquals(await main(["trust", "--list"], system), 0);
  assertEquals(system.out.join(""), `changed  ${PROJECT}: mask secrets; ro data\n`);
  system.out.length = 0;
  assertEquals(await main(["config", "path"], system), 0);
  assertEquals(
    system.out.join("").split("\n")[1],
    `project file: ${PROJECT} (changed since trusted: launches stop until 'llm trust')`,
  );
  assertEquals(await main(["trust"], system), 0, system.err.join(""));
  system.remove(PROJECT);
  system.out.length = 0;
  assertEquals(await main(["trust", "--list"], system), 0);
  assertEquals(system.out.join(""), `gone     ${PROJECT}: mask secrets; ro data\n`);
});

Deno.test("llm trust refuses a symlink, an oversized file, and never overwrites a malformed store", async () => {
  const link = fakeSystem();
  addSymlink(link, PROJECT, "/etc/passwd");
  assertEquals(await main(["trust"], link), 1);
  assertEquals(
    link.err.join(""),
    `llm: error: ${PROJECT} is a symlink, not a regular file; a project file must be a regular ` +
      `file; nothing was trusted\n`,
  );
  const big = fakeSystem();
  setContent(big, PROJECT, new Uint8Array(1024 * 1024 + 1));
  assertEquals(await main(["trust"], big), 1);
  assertEquals(
    big.err.join(""),
    `llm: error: ${PROJECT} is larger than 1 MiB, the limit for config files; a project file ` +
      `must be a regular file; nothing was trusted\n`,
  );
  const bad = fakeSystem();
  setContent(bad, PROJECT, TEXT);
  setContent(bad, STORE, JSON.stringify({ version: 2, files: { [PROJECT]: { sha256: "x" } } }));
  assertEquals(await main(["trust"], bad), 1);
  assertEquals(
    bad.err.join(""),
    `llm: error: ${STORE}: entry ${PROJECT}: sha256 is not a SHA-256 checksum; fix or remove ` +
      `it (it lists trusted project files)\n`,
  );
  assertEquals(bad.changes, []);
});

Deno.test("an untrusted project file that is a symlink is ignored with a warning", async () => {
  const system = fakeSystem();
  setContent(system, "/dev-zero", "x");
  addSymlink(system, PROJECT, "/dev-zero");
  const config = await loadConfig(system);
  assertEquals(config.warnings, [
    `${PROJECT} is ignored: it is a symlink, not a regular file; review it, then run ` +
    `'llm trust' to use it`,
  ]);
});

Deno.test("the user config must be a regular file of at most 1 MiB; a symlink to one is fine", async () => {
  const big = fakeSystem();
  setContent(big, CONFIG, new Uint8Array(1024 * 1024 + 1));
  await refused(
    big,
    `config file ${CONFIG} is larger than 1 MiB, the limit for config files`,
  );
  const device = fakeSystem();
  device.files.set("/dev/zero", { kind: "other" });
  addSymlink(device, CONFIG, "/dev/zero");
  await refused(device, `config file ${CONFIG} is not a regular file (a FIFO, socket or device)`);
  const dotfiles = fakeSystem();
  setContent(dotfiles, "/home/user/dotfiles/llm.yaml", "tag: t\n");
  addSymlink(dotfiles, CONFIG, "/home/user/dotfiles/llm.yaml");
  assertEquals((await loadConfig(dotfiles)).layers[0].values.get("tag"), "t");
});

Deno.test("a project file may not turn on Bedrock or choose AWS credentials", async () => {
  for (
    const [name, reason] of [
      [
        "CLAUDE_CODE_USE_BEDROCK",
        "it turns on Bedrock, which mounts your ~/.aws into the container",
      ],
      ["AWS_PROFILE", "AWS_ variables choose which AWS credentials a launch passes on"],
    ]
  ) {
    const system = fakeSystem();
    setContent(system, PROJECT, `env:\n  ${name}: 1\n`);
    assertEquals(await main(["trust"], system), 1);
    assertEquals(
      system.err.join(""),
      `llm: error: ${PROJECT}:2: env.${name}: not allowed in a project file: ${reason}; ` +
        `set it in your user config or with --env\n`,
    );
  }
});

Deno.test("a project file cannot override an env variable the user config sets", async () => {
  const system = fakeSystem();
  setContent(system, CONFIG, "env:\n  PROXY: mine\n");
  setContent(system, PROJECT, "env:\n  PROXY: theirs\n  OTHER: ok\n");
  assertEquals(await main(["trust"], system), 0);
  const config = await loadConfig(system);
  assertEquals(config.layers[1].lists.get("env"), ["OTHER=ok"]);
  assertEquals(config.warnings, [
    `${PROJECT}:2: env.PROXY is ignored: your user config sets it (${CONFIG}:2), and a project ` +
    `file cannot override your own settings`,
  ]);
});

Deno.test("a project file only adds restrictions to the user's own", async () => {
  const system = fakeSystem({ files: ["/work/project/a/", "/work/project/secrets/"] });
  setContent(system, CONFIG, "mask: [a]\nglobal_read_only: true\n");
  setContent(system, PROJECT, "mask: [secrets]\nglobal_read_only: false\n");
  assertEquals(await main(["trust"], system), 0);
  const { mergeOptions } = await import("../../../lib/cli/parse.ts");
  const merged = mergeOptions(...(await loadConfig(system)).layers);
  assertEquals(merged.lists.get("mask"), ["a", "secrets"]);
  assertEquals(merged.flags.has("global-read-only"), true);
});

Deno.test("the trust store round-trips and still reads the version 1 format", async () => {
  const sha = await sha256Hex(TEXT);
  const old = parseTrustStore(JSON.stringify({ [PROJECT]: sha }), STORE);
  assertEquals(old.get(PROJECT), { sha256: sha });
  const again = parseTrustStore(serializeTrustStore(old), STORE);
  assertEquals(again.get(PROJECT)?.sha256, sha);
  assertEquals(again.get(PROJECT)?.restrictions, undefined);
});

Deno.test("a user config inside the workspace is warned about", async () => {
  const system = fakeSystem({ cwd: "/home/user", files: ["/home/user/.config/llm/"] });
  setContent(system, CONFIG, "tag: t\n");
  const config = await loadConfig(system);
  assertEquals(config.warnings, [
    `your user config ${CONFIG} is inside the workspace /home/user: the agent can rewrite it ` +
    `and so change its settings for later launches; keep it outside the workspace`,
  ]);
});
