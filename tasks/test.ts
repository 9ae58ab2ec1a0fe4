/**
 * `deno task test`: prepare the end-to-end fixtures, then run every test.
 * Extra arguments go to `deno test` (e.g. a file or `--filter`).
 */
import { setupE2E } from "./e2e_setup.ts";

const state = await setupE2E();
console.log(
  `e2e set-up: rootful podman ${
    state.rootfulSkip ? `unavailable: ${state.rootfulSkip}` : "ready"
  }; ` +
    `rootless podman ${state.rootlessSkip ? `unavailable: ${state.rootlessSkip}` : "ready"}`,
);
const args = Deno.args.length > 0 ? Deno.args : ["tests/"];
const status = await new Deno.Command(Deno.execPath(), {
  args: ["test", "--allow-all", ...args],
  stdin: "null",
}).spawn().status;
Deno.exit(status.code);
