/**
 * Settings end to end through `main()` on a fake host: precedence of
 * default < config file < environment < command line, user-defined agents,
 * and project files that need trust.
 */
import { assertEquals, assertMatch, assertStringIncludes } from "../../_assert.ts";
import { main } from "../../../lib/cli/main.ts";
import { sha256Hex } from "../../../lib/config/trust.ts";
import { splitShellWords } from "../../../lib/text/shell_words.ts";
import {
  type FakeSystem,
  fakeSystem,
  type FakeSystemOptions,
  setContent,
} from "../../_fake_system.ts";

const CONFIG = "/home/user/.config/llm/config.yaml";
const PROJECT = "/work/project/.llm.yaml";
const STORE = "/home/user/.config/llm/trusted.json";

function host(files: Record<string, string>, options: FakeSystemOptions = {}): FakeSystem {
  const system = fakeSystem({
    ...options,
    files: [...Object.keys(files), ...(options.files ?? [])],
    executables: ["podman", "docker", ...(options.executables ?? [])],
  });
  for (const [path, text] of Object.entries(files)) setContent(system, path, text);
  return system;
}

async function dryRun(system: FakeSystem, argv: string[]): Promise<string[]> {
  const code = await main(["--dry-run", ...argv], system);
  assertEquals(code, 0, system.err.join(""));
  return splitShellWords(system.out.join(""));
}

/** Whether the dry-run command passes `pair`, however the runtime spells the environment. */
function hasEnv(argv: readonly string[], pair: string): boolean {
  return argv.some((a) => a.replace(/\)$/, "") === pair);
}

async function show(system: FakeSystem, argv: string[] = []): Promise<string> {
  const code = await main([...argv, "config", "show"], system);
  assertEquals(code, 0, system.err.join(""));
  return system.out.join("");
}

Deno.test("a scalar comes from the flag, else the environment, else the file, else the default", async () => {
  const files = { [CONFIG]: "backend: docker\ntag: from-file\n" };
  assertEquals((await dryRun(host(files), ["codex"]))[0], "docker");
  assertEquals(
    (await dryRun(host(files, { env: { LLM_BACKEND: "podman" } }), ["codex"]))[0],
    "podman",
  );
  assertEquals(
    (await dryRun(host(files, { env: { LLM_BACKEND: "podman" } }), [
      "--backend",
      "docker",
      "codex",
    ]))[0],
    "docker",
  );
  const argv = await dryRun(host(files), ["--tag", "from-flag", "codex"]);
  assertEquals(argv.includes("ghcr.io/nichd-bspc/llm:from-flag"), true);
  assertEquals((await dryRun(host({}), ["codex"]))[0], "podman");
});

Deno.test("lists merge in the order file, environment, command line", async () => {
  const system = host(
    { [CONFIG]: "mounts: [/f]\nenv:\n  A: file\n  B: file\n" },
    { env: { LLM_DEVCONTAINER_MOUNTS: "/e" }, files: ["/f/", "/e/", "/c/"] },
  );
  const argv = await dryRun(system, ["--mount", "/c", "--env", "B=flag", "codex"]);
  // Only source:target matter here, not the mount options the runtime adds.
  const mounts = argv.flatMap((a, i) =>
    a === "-v" ? [argv[i + 1].split(":").slice(0, 2).join(":")] : []
  )
    // The agent's own files (~/.codex/...) are mounted too; only the listed mounts matter here.
    .filter((m) => !m.startsWith("/home/user/"))
    .slice(-3);
  assertEquals(mounts, ["/f:/f", "/e:/e", "/c:/c"]);
  assertEquals(hasEnv(argv, "A=file"), true);
  assertEquals(hasEnv(argv, "B=flag"), true);
  assertEquals(hasEnv(argv, "B=file"), false);
});

Deno.test("config show names the source of each setting", async () => {
  const system = host(
    { [CONFIG]: "backend: docker\nmounts:\n  - /f\n" },
    { env: { LLM_DEVCONTAINER_CERTS: "/ca.pem" }, files: ["/f/"] },
  );
  const out = await show(system, ["--tag", "t"]);
  assertMatch(out, /^backend +docker /m);
  assertStringIncludes(out, `${CONFIG}:1`);
  assertStringIncludes(out, `${CONFIG}:3`);
  assertStringIncludes(out, "env LLM_DEVCONTAINER_CERTS");
  assertStringIncludes(out, "flag --tag");
  assertStringIncludes(out, "linux/amd64");
  assertEquals(out.split("\n").find((l) => l.startsWith("arch"))?.endsWith("default"), true);
});

Deno.test("config path lists the files and their state", async () => {
  const system = host({ [PROJECT]: "ro: [x]\n" });
  assertEquals(await main(["config", "path"], system), 0);
  const out = system.out.join("");
  assertStringIncludes(out, `${CONFIG} (absent)`);
  assertStringIncludes(out, `${PROJECT} (untrusted: ignored)`);
  assertStringIncludes(out, STORE);
});

Deno.test("XDG_CONFIG_HOME, LLM_CONFIG and --config choose the user file", async () => {
  const xdg = host({ "/xdg/llm/config.yaml": "tag: xdg\n" }, { env: { XDG_CONFIG_HOME: "/xdg" } });
  assertEquals((await dryRun(xdg, ["codex"])).includes("ghcr.io/nichd-bspc/llm:xdg"), true);
  const named = host({ "/n.yaml": "tag: named\n" }, { env: { LLM_CONFIG: "/n.yaml" } });
  assertEquals((await dryRun(named, ["codex"])).includes("ghcr.io/nichd-bspc/llm:named"), true);
  const flag = host({ "/f.yaml": "tag: flag\n" }, { env: { LLM_CONFIG: "/n.yaml" } });
  assertEquals(
    (await dryRun(flag, ["--config", "/f.yaml", "codex"])).includes("ghcr.io/nichd-bspc/llm:flag"),
    true,
  );
});

Deno.test("a named config file that is missing is an error; a default one is fine", async () => {
  const system = host({});
  assertEquals(await main(["--config", "/nope.yaml", "codex"], system), 1);
  assertStringIncludes(system.err.join(""), "config file /nope.yaml does not exist");
});

Deno.test("an invalid config file stops a launch with file:line, but not --help", async () => {
  const system = host({ [CONFIG]: "mounts:\n  - a:b:c:d\n" });
  assertEquals(await main(["codex"], system), 1);
  assertStringIncludes(system.err.join(""), `llm: error: ${CONFIG}:2: mounts.0:`);
  assertEquals(system.ran, []);
  const help = host({ [CONFIG]: "nope: 1\n" });
  assertEquals(await main(["--help"], help), 0);
  assertStringIncludes(help.err.join(""), "warning");
});

Deno.test("a user-defined agent launches like a built-in one", async () => {
  const system = host({
    [CONFIG]: `agents:
  gemini:
    command: [gemini, --yolo]
    credentials: [~/.gemini, ~/.gemini.json]
    env_prefixes: [GEMINI_]
    image: me/gemini:v2
`,
  }, { env: { GEMINI_KEY: "k", OTHER: "x" }, files: ["/home/user/.gemini/"] });
  const argv = await dryRun(system, ["gemini", "-p", "hi there"]);
  assertEquals(argv.slice(-5), ["me/gemini:v2", "gemini", "--yolo", "-p", "hi there"]);
  assertEquals(argv.some((a) => a.startsWith("/home/user/.gemini:/home/devuser/.gemini")), true);
  assertEquals(argv.some((a) => a.includes(".gemini.json")), false);
  assertEquals(hasEnv(argv, "GEMINI_KEY=k"), true);
  assertEquals(hasEnv(argv, "TOOL=gemini"), true);
  assertEquals(argv.some((a) => a.startsWith("OTHER=")), false);
});

Deno.test("a user-defined agent with a Bedrock flag gets the Bedrock rules", async () => {
  const system = host({
    [CONFIG]:
      "agents:\n  g:\n    command: [g]\n    bedrock_flag: G_BEDROCK\n    env_prefixes: [G_]\n",
  }, { env: { G_BEDROCK: "1" } });
  assertEquals(await main(["--dry-run", "g"], system), 1);
  assertStringIncludes(system.err.join(""), "AWS_PROFILE");
});

Deno.test("a built-in agent can be given another tag or command", async () => {
  const system = host({ [CONFIG]: "agents:\n  codex:\n    tag: codex-0.9\n" });
  const argv = await dryRun(system, ["codex"]);
  assertEquals(argv.slice(-4), [
    "ghcr.io/nichd-bspc/llm:codex-0.9",
    "codex",
    "--sandbox",
    "danger-full-access",
  ]);
});

Deno.test("help lists user-defined agents", async () => {
  const system = host({ [CONFIG]: "agents:\n  gemini:\n    command: [gemini]\n" });
  await main(["--help"], system);
  assertStringIncludes(system.out.join(""), `gemini  defined in ${CONFIG}:2`);
});

Deno.test("a project file is ignored, with a warning, until trusted", async () => {
  const text = "mask: [secret]\nenv:\n  P: one\n";
  const system = host({ [PROJECT]: text }, { files: ["/work/project/secret/"] });
  const argv = await dryRun(system, ["codex"]);
  assertEquals(argv.some((a) => a.includes("P=one")), false);
  assertEquals(
    system.err.join(""),
    `llm: warning: ${PROJECT} is ignored: it is not trusted yet; review it, then run ` +
      `'llm trust' to use it\n`,
  );

  const trust = host({ [PROJECT]: text });
  assertEquals(await main(["trust"], trust), 0, trust.err.join(""));
  const store = JSON.parse(trust.readText(STORE) ?? "{}");
  assertEquals(store.version, 2);
  assertEquals(store.files[PROJECT].sha256, await sha256Hex(text));
  assertEquals(store.files[PROJECT].restrictions, {
    mask: ["secret"],
    ro: [],
    global_read_only: false,
  });
  assertEquals(trust.files.get(STORE)?.mode, 0o600);
});

Deno.test("trust refuses a project file that would not load, and a malformed store", async () => {
  const bad = host({ [PROJECT]: "backend: docker\n" });
  assertEquals(await main(["trust"], bad), 1);
  assertStringIncludes(bad.err.join(""), "not allowed in a project file");
  assertEquals(bad.changes, []);
  const store = host({ [PROJECT]: "ro: [a]\n", [STORE]: "{not json" });
  assertEquals(await main(["trust"], store), 1);
  assertStringIncludes(store.err.join(""), `${STORE} is not valid JSON`);
  assertEquals(store.readText(STORE), "{not json");
});

Deno.test("trust --remove forgets a file", async () => {
  const text = "ro: [a]\n";
  const system = host({
    [PROJECT]: text,
    [STORE]: JSON.stringify({ [PROJECT]: await sha256Hex(text) }),
  });
  assertEquals(await main(["trust", "--remove"], system), 0);
  assertEquals(JSON.parse(system.readText(STORE) ?? ""), { version: 2, files: {} });
});

Deno.test("an unreadable config file is an error naming it", async () => {
  const system = host({ [CONFIG]: "tag: x\n" });
  const read = system.readBounded.bind(system);
  system.readBounded = (path: string, limit: number, follow: boolean) => {
    if (path === CONFIG) throw new Deno.errors.PermissionDenied("permission denied");
    return read(path, limit, follow);
  };
  assertEquals(await main(["codex"], system), 1);
  assertEquals(
    system.err.join(""),
    `llm: error: config file ${CONFIG} cannot be read: permission denied\n`,
  );
  assertEquals(system.ran, []);
});
