/**
 * A config file that cannot be used must not block the commands that read
 * no settings (shell start-up runs `llm completions bash`); those warn and go
 * on. Launches still stop. Also: YAML errors show the offending line, an
 * unreadable working directory is named as such, and doctor describes a
 * vanished trusted file as what it is.
 */
import { assertEquals, assertStringIncludes } from "../../_assert.ts";
import { main } from "../../../lib/cli/main.ts";
import { parseConfigFile } from "../../../lib/config/load.ts";
import { type FakeSystem, fakeSystem, setContent } from "../../_fake_system.ts";
import { fakeMac } from "../macos/_fake_mac.ts";

const CONFIG = "/home/user/.config/llm/config.yaml";
const PROJECT = "/work/project/.llm.yaml";
const UNREADABLE = "tag: unreadable\n";

/** Each broken user config, with the one-line message it gives for the file at `config`. */
const BROKEN: readonly [string, string, (config: string) => string][] = [
  [
    "bad YAML",
    "mounts:\n  - /data\nagents:\n  gemini: {command: [gemini]\n",
    (config) =>
      `${config}: not valid YAML: Cannot read flow collection: unexpected end of the stream ` +
      "within a flow collection at the end of the file, after line 4: " +
      "`  gemini: {command: [gemini]`",
  ],
  [
    "a bad value",
    "backend: lxc\n",
    (config) =>
      `${config}:1: backend: expected one of auto, podman, docker, singularity, apptainer, ` +
      "got 'lxc'",
  ],
  [
    "an unreadable file",
    UNREADABLE,
    (config) => `config file ${config} cannot be read: permission denied`,
  ],
];

/** Commands that read no settings. */
const TOLERANT: readonly string[][] = [
  ["completions", "bash"],
  ["config", "path"],
  ["trust"],
  ["refresh", "--dry-run"],
  ["setup-macos-volume", "--dry-run"],
];

/** A host for `argv` (a Mac for setup-macos-volume) with a project file and `config`. */
function host(config: string | undefined, argv: readonly string[]): FakeSystem {
  const system = argv[0] === "setup-macos-volume"
    ? fakeMac({ volume: "absent", machine: null })
    : fakeSystem({ executables: ["podman"] });
  const path = configPath(system);
  setContent(system, `${system.cwd}/.llm.yaml`, "ro: [data]\n");
  if (config !== undefined) setContent(system, path, config);
  if (config === UNREADABLE) {
    const read = system.readBounded.bind(system);
    system.readBounded = (p, limit, follow) => {
      if (p === path) throw new Deno.errors.PermissionDenied("permission denied");
      return read(p, limit, follow);
    };
  }
  return system;
}

function configPath(system: FakeSystem): string {
  return `${system.home}/.config/llm/config.yaml`;
}

for (const argv of TOLERANT) {
  for (const [what, text, message] of BROKEN) {
    Deno.test(`llm ${argv.join(" ")} warns about ${what} in the config file and goes on`, async () => {
      const clean = host(undefined, argv);
      const cleanCode = await main(argv, clean);
      const system = host(text, argv);
      const code = await main(argv, system);
      assertEquals(code, cleanCode, system.err.join(""));
      // config path says the file is there but not used; everything else prints the same.
      const path = configPath(system);
      const out = clean.out.map((line) =>
        line.replace(`${path} (absent)`, `${path} (not used: see the warning)`)
      );
      assertEquals(system.out, out);
      assertEquals(
        system.err.join(""),
        `llm: warning: ${message(configPath(system))}\n` + clean.err.join(""),
      );
    });
  }
}

Deno.test("the commands that tolerate a broken config do succeed on a clean host", async () => {
  for (const argv of TOLERANT) {
    const system = host(undefined, argv);
    assertEquals(await main(argv, system), 0, `${argv.join(" ")}: ${system.err.join("")}`);
  }
});

Deno.test("a broken config file still stops a launch and config show", async () => {
  for (const argv of [["--dry-run", "codex"], ["config", "show"], ["pull", "--dry-run"]]) {
    const system = host("backend: lxc\n", argv);
    assertEquals(await main(argv, system), 1, argv.join(" "));
    assertEquals(system.err.join(""), `llm: error: ${BROKEN[1][2](CONFIG)}\n`);
  }
});

Deno.test("a bad LLM_DEVCONTAINER_MOUNTS does not block llm completions either", async () => {
  const system = fakeSystem({ env: { LLM_DEVCONTAINER_MOUNTS: '"/a' } });
  assertEquals(await main(["completions", "bash"], system), 0);
  assertStringIncludes(system.err.join(""), "llm: warning: LLM_DEVCONTAINER_MOUNTS:");
  const launch = fakeSystem({ env: { LLM_DEVCONTAINER_MOUNTS: '"/a' } });
  assertEquals(await main(["--dry-run", "codex"], launch), 2);
});

Deno.test("YAML errors show the offending line, on one line", async () => {
  const cases: [string, string][] = [
    ["a: b: c\n", "at line 1, column 5: `a: b: c`"],
    ["a: 1\na: 2\n", "Cannot store mapping pair: duplicated key at line 2, column 1: `a: 2`"],
    ["- a\nb: 1\n", "at line 2, column 1: `b: 1`"],
    ["x: 'abc\n\n", "at the end of the file, after line 1: `x: 'abc`"],
    [`k: v\nlong: ${"x".repeat(100)}: y\n`, `\`long: ${"x".repeat(73)}…\``],
  ];
  for (const [text, want] of cases) {
    let message = "";
    try {
      await parseConfigFile(text, "/c.yaml", "user");
    } catch (e) {
      message = (e as Error).message;
    }
    assertStringIncludes(message, "/c.yaml: not valid YAML: ");
    assertStringIncludes(message, want);
    assertEquals(message.includes("\n"), false, message);
  }
});

/** A trusted project file, then changed. */
async function changedTrusted(): Promise<FakeSystem> {
  const system = fakeSystem({ files: ["/work/project/data/"] });
  setContent(system, CONFIG, "agents:\n  gemini:\n    command: [gemini]\n");
  setContent(system, PROJECT, "ro: [data]\n");
  assertEquals(await main(["trust"], system), 0, system.err.join(""));
  setContent(system, PROJECT, "ro: [data]\n# edited\n");
  system.out.length = 0;
  system.err.length = 0;
  return system;
}

Deno.test("llm completions works while a trusted project file changed, with a warning", async () => {
  const system = await changedTrusted();
  assertEquals(await main(["completions", "bash"], system), 0);
  // The user config is fine, so its agents are still offered.
  assertStringIncludes(system.out.join(""), "gemini");
  assertEquals(
    system.err.join(""),
    `llm: warning: ${PROJECT} changed since it was trusted (its restrictions are the same; ` +
      `other lines differ); it is not applied. Review it; to trust it as it is now run: ` +
      `llm trust ${PROJECT}; to stop using it run: llm trust --forget ${PROJECT}\n`,
  );
  // A launch still stops.
  const launch = await changedTrusted();
  assertEquals(await main(["--dry-run", "codex"], launch), 1);
  assertStringIncludes(launch.err.join(""), "it is not applied and nothing was launched");
});

/** A host whose working directory cannot be searched: nothing in it can be looked at. */
function unreadableCwd(store?: string): FakeSystem {
  const system = fakeSystem({ files: ["/work/project/"] });
  setContent(system, CONFIG, "tag: x\n");
  if (store !== undefined) setContent(system, "/home/user/.config/llm/trusted.json", store);
  const read = system.readBounded.bind(system);
  system.readBounded = (path, limit, follow) => {
    if (path.startsWith("/work/project/")) {
      throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), {
        code: "EACCES",
      });
    }
    return read(path, limit, follow);
  };
  return system;
}

Deno.test("an unreadable working directory is named as such, not as an unreadable config file", async () => {
  const system = unreadableCwd();
  assertEquals(await main(["--dry-run", "codex"], system), 0);
  assertEquals(
    system.err.join(""),
    "llm: warning: the working directory /work/project cannot be read (permission denied), so " +
      "its .llm.yaml, if any, is not used; none is trusted there\n",
  );
  const trusted = unreadableCwd(
    JSON.stringify({ version: 2, files: { [PROJECT]: { sha256: "0".repeat(64) } } }),
  );
  assertEquals(await main(["--dry-run", "codex"], trusted), 1);
  assertEquals(
    trusted.err.join(""),
    `llm: error: ${PROJECT} was trusted but the working directory /work/project cannot be ` +
      "read (permission denied), so it cannot be checked; it is not applied and nothing was " +
      "launched. Make the directory readable (chmod u+rx /work/project) or run llm elsewhere\n",
  );
});

Deno.test("a project file that itself cannot be read says permission denied", async () => {
  const system = fakeSystem();
  setContent(system, CONFIG, "tag: x\n");
  setContent(system, PROJECT, "ro: [data]\n");
  const read = system.readBounded.bind(system);
  system.readBounded = (path, limit, follow) => {
    if (path === PROJECT) {
      throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), {
        code: "EACCES",
      });
    }
    return read(path, limit, follow);
  };
  assertEquals(await main(["--dry-run", "codex"], system), 0);
  assertEquals(
    system.err.join(""),
    `llm: warning: ${PROJECT} is ignored: it cannot be read: permission denied; review it, ` +
      "then run 'llm trust' to use it\n",
  );
});

Deno.test("doctor says a vanished trusted file's restrictions still apply, not that it is ignored", async () => {
  const system = fakeSystem({ files: ["/work/project/data/"], executables: ["podman"] });
  setContent(system, PROJECT, "ro: [data]\n");
  assertEquals(await main(["trust"], system), 0);
  system.remove(PROJECT);
  system.out.length = 0;
  await main(["doctor", "--json"], system);
  const checks = JSON.parse(system.out.join("")).checks as {
    id: string;
    finding: string;
    fix?: string;
  }[];
  const project = checks.find((c) => c.id === "project file");
  assertEquals(
    project?.finding,
    `${PROJECT} was trusted but is gone; its restrictions still apply (ro data)`,
  );
  assertEquals(project?.fix, `restore it, or drop them with: llm trust --forget ${PROJECT}`);
});
