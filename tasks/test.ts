/**
 * `deno task test`: prepare the end-to-end fixtures, then run every test.
 * Extra arguments go to `deno test` (e.g. a file or `--filter`).
 *
 * Ends with a plain `tests: N passed, N failed, N skipped` line read from a
 * JUnit report, so CI logs state the counts in one grep-able form.
 */
import { join } from "../lib/std/path.ts";
import { E2E_DIR, setupE2E } from "./e2e_setup.ts";

const state = await setupE2E();
console.log(
  `e2e set-up: rootful podman ${
    state.rootfulSkip ? `unavailable: ${state.rootfulSkip}` : "ready"
  }; ` +
    `rootless podman ${state.rootlessSkip ? `unavailable: ${state.rootlessSkip}` : "ready"}`,
);
const args = Deno.args.length > 0 ? Deno.args : ["tests/"];
const junit = join(E2E_DIR, "junit.xml");
await Deno.remove(junit).catch(() => {});
const status = await new Deno.Command(Deno.execPath(), {
  args: ["test", "--allow-all", `--junit-path=${junit}`, ...args],
  stdin: "null",
}).spawn().status;
const counts = await Deno.readTextFile(junit).then(summarize, () => null);
if (counts) {
  console.log(`tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
}
Deno.exit(status.code);

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
