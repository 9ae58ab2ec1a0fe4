/**
 * The array specification, the job id of `sbatch --parsable`, `--gres`
 * from `--gpus`, Slurm time limits, and where llm may run from on a cluster.
 */
import { assertEquals, assertThrows } from "../../_assert.ts";
import { UsageError } from "../../../lib/errors.ts";
import { arraySpec, parseJobId, sbatchArgv } from "../../../lib/batch/sbatch.ts";
import { checkShared, DENO_RUN_FLAGS, nodeLocal, selfInvocation } from "../../../lib/batch/self.ts";
import { formatDuration, parseSlurmTime } from "../../../lib/batch/time.ts";
import { LlmError } from "../../../lib/errors.ts";
import { defaultParallel } from "../../../lib/batch/local.ts";

Deno.test("arraySpec() folds ranges and adds the %P throttle", () => {
  assertEquals(arraySpec([0, 1, 2, 3, 4, 5]), "0-5");
  assertEquals(arraySpec([...Array(100).keys()], 10), "0-99%10");
  assertEquals(arraySpec([4, 1, 3, 3, 7, 8]), "1,3-4,7-8");
  assertEquals(arraySpec([2], 1), "2%1");
});

Deno.test("parseJobId() reads sbatch --parsable output, with or without a cluster", () => {
  assertEquals(parseJobId("4242\n"), "4242");
  assertEquals(parseJobId("4242;hpc\n"), "4242");
  assertEquals(parseJobId("sbatch: warning: something\n17\n"), "17");
  assertEquals(parseJobId("Submitted batch job 4242\n"), null);
  assertEquals(parseJobId(""), null);
});

Deno.test("sbatchArgv() turns --gpus into --gres=gpu:...", () => {
  const argv = (gpus: string) =>
    sbatchArgv({ id: "b", resultsDir: "/r", slurm: { gpus } }, [0], "/r/s.sh").find((a) =>
      a.startsWith("--gres=")
    );
  assertEquals(argv("2"), "--gres=gpu:2");
  assertEquals(argv("a100:2"), "--gres=gpu:a100:2");
  assertEquals(argv("gpu:a100:2"), "--gres=gpu:a100:2");
});

Deno.test("parseSlurmTime() takes every form sbatch --time takes", () => {
  const cases: [string, number][] = [
    ["30", 1800],
    ["5:30", 330],
    ["1:00:00", 3600],
    ["2-0", 172800],
    ["1-2:30", 95400],
    ["1-0:0:1", 86401],
  ];
  for (const [text, seconds] of cases) assertEquals(parseSlurmTime(text), seconds, text);
  for (const bad of ["", "0", "1h", "1:2:3:4", "-5", "a-1"]) {
    const e = assertThrows(() => parseSlurmTime(bad), UsageError);
    assertEquals(
      e.message,
      `--time '${bad}' is not a Slurm time limit (MINUTES, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS)`,
    );
  }
});

Deno.test("formatDuration() is short", () => {
  assertEquals([formatDuration(4.4), formatDuration(185), formatDuration(7260)], [
    "4s",
    "3m05s",
    "2h01m",
  ]);
});

Deno.test("selfInvocation() runs the binary, or deno with the main module", () => {
  assertEquals(
    selfInvocation({ execPath: "/opt/llm", mainModule: "file:///x", standalone: true }),
    ["/opt/llm"],
  );
  assertEquals(
    selfInvocation({
      execPath: "/usr/bin/deno",
      mainModule: "file:///srv/my%20llm/main.ts",
      standalone: false,
    }),
    ["/usr/bin/deno", ...DENO_RUN_FLAGS, "/srv/my llm/main.ts"],
  );
  assertEquals(
    selfInvocation({
      execPath: "/opt/llm",
      mainModule: "file:///x",
      standalone: true,
      override: "/p/llm",
    }),
    ["/p/llm"],
  );
  const e = assertThrows(
    () =>
      selfInvocation({
        execPath: "/usr/bin/deno",
        mainModule: "https://x/main.ts",
        standalone: false,
      }),
    LlmError,
  );
  assertEquals(
    e.message,
    "llm batch runs llm again for each task, but this one was loaded from https://x/main.ts: run it from a file (or set LLM_BATCH_SELF to an llm executable)",
  );
});

Deno.test("nodeLocal() knows the node-local directories, and $TMPDIR", () => {
  assertEquals(nodeLocal("/tmp"), "/tmp");
  assertEquals(nodeLocal("/tmp/x/llm"), "/tmp");
  assertEquals(nodeLocal("/tmpfoo/llm"), null);
  assertEquals(nodeLocal("/dev/shm/a"), "/dev/shm");
  assertEquals(nodeLocal("/lscratch/job/x", "/lscratch/job"), "/lscratch/job");
  assertEquals(nodeLocal("/home/me/llm", "/"), null);
  checkShared([{ what: "x", path: "/data/x" }]);
});

Deno.test("defaultParallel() is half the CPUs, at least one", () => {
  assertEquals([1, 2, 3, 8].map(defaultParallel), [1, 1, 1, 4]);
});

Deno.test("a task's llm gets the flags of deno.json's llm task", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("../../../deno.json", import.meta.url)),
  );
  const words: string[] = config.tasks.llm.split(/\s+/);
  assertEquals(
    [...DENO_RUN_FLAGS].filter((f) => f !== "--quiet").sort(),
    ["run", ...words.filter((w) => w.startsWith("-"))].sort(),
  );
});
