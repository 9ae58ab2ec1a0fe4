/**
 * Launches through `main` on a fake host for the non-podman backends: the
 * steps around the runtime (temporary home, image choice, rootless docker).
 */
import { assertEquals, assertMatch, assertStringIncludes } from "../../_assert.ts";
import { main } from "../../../lib/cli/main.ts";
import { type FakeSystem, fakeSystem, type FakeSystemOptions } from "../../_fake_system.ts";

async function llm(argv: string[], host: FakeSystemOptions = {}): Promise<[number, FakeSystem]> {
  const system = fakeSystem(host);
  const code = await main(argv, system);
  return [code, system];
}

function oneErrorLine(system: FakeSystem): string {
  const lines = system.err.join("").trimEnd().split("\n");
  assertEquals(lines.length, 1, system.err.join(""));
  assertMatch(lines[0], /^llm: error: /);
  return lines[0];
}

const APPTAINER: FakeSystemOptions = { executables: ["apptainer", "podman"] };

Deno.test("auto on Linux with apptainer present launches with apptainer exec", async () => {
  const [code, sys] = await llm(["codex"], APPTAINER);
  assertEquals(code, 0, sys.err.join(""));
  assertEquals(sys.ran[0].slice(0, 2), ["apptainer", "exec"]);
});

Deno.test("singularity: the temporary home is made before the launch and removed after", async () => {
  const [code, sys] = await llm(["--backend", "singularity", "codex"], {
    executables: ["singularity"],
  });
  assertEquals(code, 0, sys.err.join(""));
  const temp = sys.changes.find((c) => c.startsWith("mktemp "))?.slice("mktemp ".length);
  if (temp === undefined) throw new Error(`no temporary directory: ${sys.changes}`);
  assertEquals(sys.changes.filter((c) => !c.includes("/.local/state/")).slice(-8), [
    `mkdir ${temp}/empty`,
    `create ${temp}/empty-file`,
    `mkdir ${temp}/home`,
    `mkdir ${temp}/home/.codex`,
    // The mount points of Codex's read-only settings and instructions, inside its directory.
    `create ${temp}/home/.codex/config.toml`,
    `create ${temp}/home/.codex/AGENTS.md`,
    `mkdir ${temp}/home/.codex/skills`,
    `remove ${temp}`,
  ]);
  const argv = sys.ran[0];
  assertEquals(argv[argv.indexOf("--home") + 1], `${temp}/home:/home/devuser`);
  assertEquals(sys.stat(temp), null);
});

Deno.test("singularity: the agent's exit code is passed through and the home still removed", async () => {
  const [code, sys] = await llm(["codex"], {
    ...APPTAINER,
    interactiveResult: { code: 42, stderrTail: "" },
  });
  assertEquals(code, 42);
  assertEquals(sys.changes.findLast((c) => c.includes("/tmp/llm-"))?.startsWith("remove "), true);
});

Deno.test("singularity: the temporary home is removed when the launch itself fails", async () => {
  const sys = fakeSystem(APPTAINER);
  sys.interactive = () => Promise.reject(new Error("spawn failed"));
  let thrown: unknown;
  try {
    await main(["codex"], sys);
  } catch (e) {
    thrown = e;
  }
  assertEquals((thrown as Error).message, "spawn failed");
  assertEquals(sys.changes.findLast((c) => c.includes("/tmp/llm-"))?.startsWith("remove "), true);
});

Deno.test("singularity --dry-run prints a line that makes its own temporary home, and creates nothing", async () => {
  const [code, sys] = await llm(["--dry-run", "codex"], APPTAINER);
  assertEquals(code, 0);
  assertStringIncludes(sys.out[0], "d=$(mktemp -d /tmp/llm-XXXXXX)");
  assertStringIncludes(sys.out[0], `mkdir -p -m 0700 -- "$d"/home && `);
  assertStringIncludes(sys.out[0], `--home "$d"/home:/home/devuser`);
  assertEquals(sys.changes, []);
  assertEquals(sys.ran, []);
});

Deno.test("singularity uses --sif-path as the image, relative to the working directory", async () => {
  const [code, sys] = await llm(["--dry-run", "--sif-path", "llm.sif", "pi"], {
    ...APPTAINER,
    files: ["/work/project/llm.sif"],
  });
  assertEquals(code, 0, sys.err.join(""));
  assertStringIncludes(sys.out[0], " /work/project/llm.sif pi");
});

Deno.test("singularity uses the SIF cached by llm pull, else the registry image", async () => {
  const cached = "/home/user/.cache/llm/ghcr.io_nichd-bspc_llm-sif_claude-latest.sif";
  const [, withCache] = await llm(["--dry-run", "--verbose", "claude"], {
    ...APPTAINER,
    files: [cached],
  });
  assertStringIncludes(withCache.out[0], ` ${cached} claude`);
  assertStringIncludes(withCache.err.join(""), "image source: cached by 'llm pull'");
  const [, without] = await llm(["--dry-run", "claude"], APPTAINER);
  assertStringIncludes(without.out[0], " oras://ghcr.io/nichd-bspc/llm-sif:claude-latest claude");
});

Deno.test("bad --sif-path: one error line, nothing created or run", async () => {
  const cases: [string[], string][] = [
    [["--sif-path", "missing.sif", "codex"], "/work/project/missing.sif does not exist"],
    [["--sif-path", "adir", "codex"], "/work/project/adir is not a file"],
  ];
  for (const [argv, text] of cases) {
    for (const dry of [[], ["--dry-run"]]) {
      const [code, sys] = await llm([...dry, ...argv], {
        ...APPTAINER,
        files: ["/work/project/adir/"],
      });
      assertEquals(code, 1, argv.join(" "));
      assertStringIncludes(oneErrorLine(sys), text);
      assertEquals(sys.changes, []);
      assertEquals(sys.ran, []);
    }
  }
});

Deno.test("--sif-path with podman is ignored with a warning", async () => {
  const [code, sys] = await llm(["--dry-run", "--sif-path", "x.sif", "codex"]);
  assertEquals(code, 0);
  assertStringIncludes(sys.err.join(""), "--sif-path is ignored by podman");
});

Deno.test("a forced backend that is absent: one error line, nothing created or run", async () => {
  for (const name of ["docker", "singularity", "apptainer"]) {
    const [code, sys] = await llm(["--backend", name, "codex"], { executables: ["podman"] });
    assertEquals(code, 1);
    assertStringIncludes(oneErrorLine(sys), `${name} is not on PATH`);
    assertEquals(sys.changes, []);
    assertEquals(sys.ran, []);
  }
});

Deno.test("LLM_BACKEND=docker picks docker, which is asked whether it is rootless", async () => {
  const [code, sys] = await llm(["--verbose", "codex"], {
    executables: ["docker", "podman"],
    env: { LLM_BACKEND: "docker" },
    uid: 1234,
    gid: 99,
    outputs: { "docker info": { stdout: '["name=seccomp,profile=builtin","name=rootless"]\n' } },
  });
  assertEquals(code, 0, sys.err.join(""));
  assertEquals(sys.ran[0], ["docker", "info", "--format", "{{json .SecurityOptions}}"]);
  assertEquals(sys.ran[1].slice(0, 2), ["docker", "run"]);
  assertEquals(sys.ran[1].includes("--user=0:0"), true);
  assertStringIncludes(sys.err.join(""), "llm: docker rootless");
});

Deno.test("rootful docker with a uid other than 1000 gives the agent a tmpfs home it owns", async () => {
  const [code, sys] = await llm(["--backend", "docker", "codex"], {
    executables: ["docker"],
    uid: 1234,
    gid: 99,
    outputs: { "docker info": { stdout: '["name=seccomp,profile=builtin"]\n' } },
  });
  assertEquals(code, 0);
  assertEquals(sys.ran[1].includes("--user=1234:99"), true);
  assertEquals(sys.ran[1].includes("--tmpfs=/home/devuser:exec,uid=1234,gid=99,mode=0700"), true);
  assertEquals(sys.err.join(""), "");
});

Deno.test("podman launches keep the environment in a 0600 file of a private temporary directory", async () => {
  const [code, sys] = await llm(["--env", "OPENAI_API_KEY=sk-1", "codex"]);
  assertEquals(code, 0, sys.err.join(""));
  const temp = sys.changes.find((c) => c.startsWith("mktemp "))?.slice("mktemp ".length);
  if (temp === undefined) throw new Error(`no temporary directory: ${sys.changes}`);
  assertEquals(sys.changes.includes(`write ${temp}/env`), true, sys.changes.join("\n"));
  assertEquals(sys.changes.filter((c) => !c.includes("/.local/state/")).at(-1), `remove ${temp}`);
  const argv = sys.ran[0];
  assertEquals(argv.includes(`--env-file=${temp}/env`), true);
  assertEquals(argv.some((a) => a.includes("sk-1")), false);
  // The session manifest names the variable and never holds its value.
  const manifests = [...sys.files].filter(([p]) => /\/sessions\/[0-9a-f]{12}\.json$/.test(p));
  assertEquals(manifests.length, 1);
  const text = new TextDecoder().decode(manifests[0][1].content);
  assertStringIncludes(text, '"OPENAI_API_KEY"');
  assertEquals(text.includes("sk-1"), false);
  assertEquals(manifests[0][1].mode, 0o600);
});

Deno.test("--arch with singularity is ignored with a warning, not emitted", async () => {
  const [code, sys] = await llm(["--dry-run", "--arch", "linux/arm64", "codex"], APPTAINER);
  assertEquals(code, 0);
  assertStringIncludes(sys.err.join(""), "--arch is ignored by apptainer");
  assertEquals(sys.out[0].includes("arm64"), false);
});

Deno.test("singularity: mount points under the home are made in the temporary home first", async () => {
  const [code, sys] = await llm(["--mount", "/data:/home/devuser/data:ro", "claude"], {
    ...APPTAINER,
    files: ["/data/"],
  });
  assertEquals(code, 0, sys.err.join(""));
  const temp = sys.changes.find((c) => c.startsWith("mktemp "))?.slice("mktemp ".length);
  assertEquals(sys.changes.filter((c) => c.includes(`${temp}/home/`)), [
    `mkdir ${temp}/home/.claude`,
    `create ${temp}/home/.claude.json`,
    `mkdir ${temp}/home/data`,
    `create ${temp}/home/.claude/settings.json`,
    `create ${temp}/home/.claude/CLAUDE.md`,
    `mkdir ${temp}/home/.claude/skills`,
  ]);
});

Deno.test("singularity failing on its own gets a hint; an agent's failure does not", async () => {
  const [code, sys] = await llm(["codex"], {
    ...APPTAINER,
    interactiveResult: { code: 255, stderrTail: "FATAL: Unable to handle oras:// uri\n" },
  });
  assertEquals(code, 1);
  assertStringIncludes(sys.err.join(""), "run 'llm pull' where it is, or give a local image");
  const [code2, sys2] = await llm(["codex"], {
    ...APPTAINER,
    interactiveResult: { code: 1, stderrTail: "codex: bad flag\n" },
  });
  assertEquals(code2, 1);
  assertEquals(sys2.err.join(""), "");
});
