/**
 * `llm pull` with a recorded fake apptainer on PATH: the SIF lands in the
 * XDG cache, a failed pull leaves the cached one intact, and launches then
 * use the cached file.
 */
import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import { join } from "../../lib/std/path.ts";
import { addFake, FAKE_SINGULARITY, fakeArgv, makeFakeArea, runFakeLlm } from "./_fake_backend.ts";

const CACHE_NAME = "ghcr.io_nichd-bspc_llm-sif_codex-latest.sif";

Deno.test("llm pull caches the SIF; a failed pull keeps the previous one; launches use it", async () => {
  const area = await makeFakeArea();
  try {
    await addFake(area, "apptainer", FAKE_SINGULARITY);
    // mv moves the pulled file into place.
    const path = `${area.bin}:/usr/bin:/bin`;
    const xdg = join(area.root, "xdg");
    const env = { XDG_CACHE_HOME: xdg };
    const cached = join(xdg, "llm", CACHE_NAME);

    const first = await runFakeLlm(area, ["pull", "codex"], { env, path });
    assertEquals(first.code, 0, first.stderr);
    assertEquals(
      await Deno.readTextFile(cached),
      "SIF oras://ghcr.io/nichd-bspc/llm-sif:codex-latest\n",
    );
    assertStringIncludes(first.stdout, `-> ${cached}`);
    assertEquals(((await Deno.stat(join(xdg, "llm"))).mode ?? 0) & 0o777, 0o700);

    await Deno.writeTextFile(cached, "previous image");
    const failed = await runFakeLlm(area, ["pull", "codex"], {
      env: { ...env, FAKE_EXIT: "255" },
      path,
    });
    assertEquals(failed.code, 1);
    assertStringIncludes(failed.stderr, "FATAL: fake pull failed");
    assertStringIncludes(failed.stderr, "previously cached images are unchanged");
    assertEquals(await Deno.readTextFile(cached), "previous image");
    const left: string[] = [];
    for await (const e of Deno.readDir(join(xdg, "llm"))) left.push(e.name);
    assertEquals(left, [CACHE_NAME], "no partial file left behind");

    await Deno.remove(area.log);
    const launch = await runFakeLlm(area, ["codex"], { env, path });
    assertEquals(launch.code, 0, launch.stderr);
    const argv = await fakeArgv(area);
    assert(argv.includes(cached), argv.join(" "));
  } finally {
    await area.cleanup();
  }
});
