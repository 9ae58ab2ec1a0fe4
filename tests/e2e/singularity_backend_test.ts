/**
 * Singularity/Apptainer launches end to end, against a recorded fake
 * runtime on PATH (neither can be installed here): the argv llm really
 * runs, exit-code passthrough, and the temporary home made before the
 * launch and removed after it on every exit path, a signal included; and
 * sessions tracked by the runtime's pid (`llm ps`, `llm stop`).
 */
import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import { join } from "../../lib/std/path.ts";
import {
  addFake,
  FAKE_SINGULARITY,
  fakeArgv,
  fakeLog,
  makeFakeArea,
  runFakeLlm,
  spawnLlm,
} from "./_fake_backend.ts";

/** Entries left in a directory. */
async function entries(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names;
}

for (const name of ["apptainer", "singularity"]) {
  Deno.test(`${name} launch: the fake sees a fresh home holding only mount points, removed afterwards`, async () => {
    const area = await makeFakeArea();
    try {
      await addFake(area, name, FAKE_SINGULARITY);
      await Deno.writeTextFile(join(area.workspace, "image.sif"), "SIF");
      await Deno.mkdir(join(area.workspace, "secret"));
      await Deno.writeTextFile(join(area.workspace, "secret", "key"), "k");
      const r = await runFakeLlm(area, [
        "--sif-path",
        "image.sif",
        "--mask",
        "secret",
        "shell",
        "--",
        "true",
      ]);
      assertEquals(r.code, 0, r.stderr);
      const log = await fakeLog(area);
      assert(log.includes("home-exists"), log.join("\n"));
      // Only the mount points llm made for the credential mounts.
      assertEquals(log.filter((l) => l.startsWith("home-")).slice(1).sort(), [
        "home-dir .claude",
        "home-dir .codex",
        "home-dir .pi",
        "home-file .claude.json",
      ]);
      assert(log.includes("bind-empty"), log.join("\n"));
      const argv = await fakeArgv(area);
      assertEquals(argv.slice(0, 4), ["exec", "--containall", "--no-mount", "bind-paths"]);
      const home = argv[argv.indexOf("--home") + 1];
      assert(home.startsWith(`${area.tmp}/llm-`) && home.endsWith("/home:/home/devuser"), home);
      assertEquals(argv[argv.indexOf("--pwd") + 1], area.workspace);
      assert(argv.includes(`${area.workspace}:${area.workspace}`), argv.join(" "));
      assertEquals(argv.slice(-4), [join(area.workspace, "image.sif"), "/bin/bash", "-c", "true"]);
      assertEquals(await entries(area.tmp), [], "temporary home left behind");
    } finally {
      await area.cleanup();
    }
  });
}

Deno.test("apptainer launch: the agent's exit code comes back and the home is still removed", async () => {
  const area = await makeFakeArea();
  try {
    await addFake(area, "apptainer", FAKE_SINGULARITY);
    for (const code of [1, 3, 255]) {
      const r = await runFakeLlm(area, ["codex"], { env: { FAKE_EXIT: String(code) } });
      assertEquals(r.code, code, r.stderr);
      assertEquals(await entries(area.tmp), []);
    }
  } finally {
    await area.cleanup();
  }
});

Deno.test("apptainer launch: SIGTERM reaches the runtime and the home is removed", async () => {
  const area = await makeFakeArea();
  try {
    await addFake(area, "apptainer", FAKE_SINGULARITY);
    const child = spawnLlm(area, ["codex"], { env: { FAKE_WAIT: "1" } });
    // Wait until the fake is running (it logs "started"), then signal llm.
    for (let i = 0; i < 600 && !(await fakeLog(area)).includes("started"); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assertEquals(await entries(area.tmp).then((e) => e.length), 1, "home exists while running");
    child.kill("SIGTERM");
    const out = await child.output();
    assertEquals(out.code, 143, new TextDecoder().decode(out.stderr));
    assert((await fakeLog(area)).includes("term"), "the runtime got SIGTERM");
    assertEquals(await entries(area.tmp), [], "temporary home left behind");
  } finally {
    await area.cleanup();
  }
});

Deno.test("apptainer launch refuses a mount it cannot express and creates nothing", async () => {
  const area = await makeFakeArea();
  try {
    await addFake(area, "apptainer", FAKE_SINGULARITY);
    await Deno.mkdir(join(area.root, "a,b"));
    const r = await runFakeLlm(area, ["--mount", `${join(area.root, "a,b")}:/data`, "codex"]);
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, "singularity bind paths cannot contain");
    assertEquals(await fakeLog(area), []);
    assertEquals(await entries(area.tmp), []);
    assertEquals(await entries(area.home), [], "no credential dirs made on error");
  } finally {
    await area.cleanup();
  }
});

Deno.test("--sif-path that is missing or a directory fails before anything runs", async () => {
  const area = await makeFakeArea();
  try {
    await addFake(area, "apptainer", FAKE_SINGULARITY);
    await Deno.mkdir(join(area.workspace, "dir.sif"));
    for (const [path, text] of [["nope.sif", "does not exist"], ["dir.sif", "is not a file"]]) {
      const r = await runFakeLlm(area, ["--sif-path", path, "codex"]);
      assertEquals(r.code, 1);
      assertStringIncludes(
        r.stderr,
        `llm: error: --sif-path ${join(area.workspace, path)} ${text}`,
      );
    }
    assertEquals(await fakeLog(area), []);
    assertEquals(await entries(area.home), [], "no credential dirs made on error");
  } finally {
    await area.cleanup();
  }
});

Deno.test("apptainer sessions are tracked by the runtime's pid: ps lists one, stop ends it", async () => {
  const area = await makeFakeArea();
  try {
    await addFake(area, "apptainer", FAKE_SINGULARITY);
    const child = spawnLlm(area, ["--name", "hpc", "codex"], { env: { FAKE_WAIT: "1" } });
    for (let i = 0; i < 600 && !(await fakeLog(area)).includes("started"); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const ps = await runFakeLlm(area, ["ps", "--json"]);
    assertEquals(ps.code, 0, ps.stderr);
    const [m] = JSON.parse(ps.stdout);
    assertEquals([m.name, m.state, m.container], ["hpc", "running", null]);
    assertEquals(m.runtime.name, "apptainer");
    assertEquals(m.runtime.version, "1.3.4");
    assert(typeof m.runtimePid === "number" && m.runtimePid !== m.pid, JSON.stringify(m));
    const stop = await runFakeLlm(area, ["stop", "--time", "5", "hpc"]);
    assertEquals(stop.code, 0, stop.stderr);
    const out = await child.output();
    assertEquals(out.code, 143, new TextDecoder().decode(out.stderr));
    assert((await fakeLog(area)).includes("term"), "the runtime got SIGTERM");
    const all = JSON.parse((await runFakeLlm(area, ["ps", "--all", "--json"])).stdout);
    assertEquals(all.map((s: { state: string; exitCode: number }) => [s.state, s.exitCode]), [
      ["exited", 143],
    ]);
  } finally {
    await area.cleanup();
  }
});
