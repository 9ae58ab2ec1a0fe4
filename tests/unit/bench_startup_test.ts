/** tasks/_bench_startup.ts: the bench runs llm with the `llm` task's own flags. */
import { assertEquals, assertRejects, assertThrows } from "../_assert.ts";
import denoJson from "../../deno.json" with { type: "json" };
import { launchPathImports, llmTaskFlags, median, rounds } from "../../tasks/_bench_startup.ts";

Deno.test("llmTaskFlags() takes the llm task's deno run flags, lazy dynamic imports and V8 flags included", () => {
  const flags = llmTaskFlags(denoJson.tasks.llm);
  assertEquals(flags.includes("--unstable-lazy-dynamic-imports"), true, flags.join(" "));
  assertEquals(flags.includes("--v8-flags=--no-lazy"), true, flags.join(" "));
  assertEquals(flags.filter((f) => f.startsWith("--allow-")).length, 6, flags.join(" "));
  assertEquals(llmTaskFlags("deno run -A main.ts"), ["-A"]);
  assertThrows(() => llmTaskFlags("node main.js"), Error, "unexpected llm task");
});

Deno.test("median() of an odd and an even count", () => {
  assertEquals(median([3, 1, 2]), 2);
  assertEquals(median([4, 1, 3, 2]), 2.5);
});

Deno.test("the bench's launch-path script imports llm's launch modules and runs", async () => {
  const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
  const script = launchPathImports(root);
  const urls = [...script.matchAll(/"(file:[^"]+)"/g)].map((m) => m[1]);
  assertEquals(urls.map((u) => u.slice(`file://${root}/`.length)), [
    "lib/cli/main.ts",
    "lib/system/real.ts",
    "lib/commands/agent.ts",
  ]);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/imports.ts`, script);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", "--config", `${root}/deno.json`, `${dir}/imports.ts`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    assertEquals(out.stdout.length, 0, "loading the modules prints nothing");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rounds() times every command each round, as ratios to the first", async () => {
  const m = await rounds([["true"], ["sh", "-c", "exit 0"]], 3);
  assertEquals(m.times.map((t) => t.length), [3, 3]);
  assertEquals(m.ratios[0], [1, 1, 1]);
  assertEquals(m.ratios[1].every((r) => r > 0), true);
  await assertRejects(() => rounds([["true"], ["false"]], 1), Error, "false failed");
});
