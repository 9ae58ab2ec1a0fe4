/** tasks/_bench_startup.ts: the bench runs llm with the `llm` task's own flags. */
import { assertEquals, assertThrows } from "../_assert.ts";
import denoJson from "../../deno.json" with { type: "json" };
import { llmTaskFlags, median } from "../../tasks/_bench_startup.ts";

Deno.test("llmTaskFlags() takes the llm task's deno run flags, lazy dynamic imports included", () => {
  const flags = llmTaskFlags(denoJson.tasks.llm);
  assertEquals(flags.includes("--unstable-lazy-dynamic-imports"), true, flags.join(" "));
  assertEquals(flags.filter((f) => f.startsWith("--allow-")).length, 6, flags.join(" "));
  assertEquals(llmTaskFlags("deno run -A main.ts"), ["-A"]);
  assertThrows(() => llmTaskFlags("node main.js"), Error, "unexpected llm task");
});

Deno.test("median() of an odd and an even count", () => {
  assertEquals(median([3, 1, 2]), 2);
  assertEquals(median([4, 1, 3, 2]), 2.5);
});
