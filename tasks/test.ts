/**
 * `deno task test`: prepare the end-to-end fixtures, then run every test.
 * Extra arguments go to `deno test` (e.g. a file or `--filter`).
 *
 * Ends with a plain `tests: N passed, N failed, N skipped` line read from a
 * JUnit report, so CI logs state the counts in one grep-able form.
 */
import { join } from "../lib/std/path.ts";
import { describeState, E2E_DIR, setupE2E, stopE2E } from "./e2e_setup.ts";

// The Docker engines the set-up starts are stopped on every way out: a normal
// end, a failed set-up, SIGINT or SIGTERM (forwarded to the test run first).
// A SIGKILL leaves them to the next set-up, which stops stale engines.
let child: Deno.ChildProcess | null = null;
let stopping = false;
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  Deno.addSignalListener(sig, () => {
    if (child) {
      try {
        child.kill(sig);
      } catch {
        // Already finished.
      }
    } else if (!stopping) {
      stopping = true;
      stopE2E().finally(() => Deno.exit(130));
    }
  });
}

let code = 1;
try {
  const state = await setupE2E();
  await (await import("./agent_image.ts")).prepareAgentImage(state);
  console.log(`e2e set-up: ${describeState(state)}`);
  const args = Deno.args.length > 0 ? Deno.args : ["tests/"];
  const junit = join(E2E_DIR, "junit.xml");
  await Deno.remove(junit).catch(() => {});
  child = new Deno.Command(Deno.execPath(), {
    args: ["test", "--allow-all", `--junit-path=${junit}`, ...args],
    stdin: "null",
  }).spawn();
  code = (await child.status).code;
  child = null;
  const counts = await Deno.readTextFile(junit).then(summarize, () => null);
  if (counts) {
    console.log(
      `tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`,
    );
  }
} finally {
  stopping = true;
  const problems = await stopE2E();
  for (const p of problems) console.error(`e2e tear-down: ${p}`);
  if (problems.length > 0 && code === 0) code = 1;
}
Deno.exit(code);

/** Totals from the JUnit report's test cases. */
function summarize(xml: string): { passed: number; failed: number; skipped: number } {
  const cases = xml.match(/<testcase\b[\s\S]*?(?:\/>|<\/testcase>)/g) ?? [];
  let failed = 0;
  let skipped = 0;
  for (const c of cases) {
    if (/<failure\b|<error\b/.test(c)) failed++;
    else if (/<skipped\b/.test(c)) skipped++;
  }
  return { passed: cases.length - failed - skipped, failed, skipped };
}
