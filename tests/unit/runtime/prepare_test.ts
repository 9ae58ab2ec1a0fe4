/**
 * The launch's temporary directory goes on every exit path, a SIGINT or
 * SIGTERM before or after the container's run included: on a fake host, and
 * in a real process given a real signal.
 */
import { assertEquals } from "../../_assert.ts";
import { withScratch } from "../../../lib/runtime/prepare.ts";
import { podman } from "../../../lib/runtime/podman.ts";
import { fakeSystem } from "../../_fake_system.ts";
import { planFor } from "../launch/_plan.ts";

Deno.test("withScratch removes its directory on a signal outside the container's run", async () => {
  for (const [signal, status] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
    const system = fakeSystem();
    let seen = "";
    await withScratch(podman, planFor(["--network", "allow", "codex"]), system, (scratch) => {
      seen = scratch;
      assertEquals(system.files.get(`${scratch}/egress`)?.kind, "dir");
      system.raise(signal);
      assertEquals(system.exits, [status], signal);
      assertEquals(system.files.has(scratch), false, `${signal} left ${scratch}`);
      return Promise.resolve();
    });
    assertEquals(seen.startsWith("/tmp/llm-"), true, seen);
    // Once the launch is over, a signal is no longer its business.
    system.raise(signal);
    assertEquals(system.exits, [status]);
  }
});

const CHILD = `
import { withScratch } from "${new URL("../../../lib/runtime/prepare.ts", import.meta.url)}";
import { podman } from "${new URL("../../../lib/runtime/podman.ts", import.meta.url)}";
import { realSystem } from "${new URL("../../../lib/system/real.ts", import.meta.url)}";
import { planFor } from "${new URL("../launch/_plan.ts", import.meta.url)}";
const system = realSystem();
await withScratch(podman, planFor(["codex"]), system, async (scratch) => {
  if (Deno.args[0] === "child") {
    // The container's run: the signal is the child's, and the directory stays until it ends.
    const ran = await system.interactive(["sleep", "1"], { onSpawn: () => console.log("spawned") });
    console.log(ran.code, Deno.statSync(scratch).isDirectory);
  } else {
    console.log("ready");
    await new Promise((resolve) => setTimeout(resolve, 30_000));
  }
});
`;

/** Run CHILD with `mode` in a fresh TMPDIR; send SIGINT once it prints `when`. */
async function interrupted(mode: string, when: string) {
  const dir = await Deno.makeTempDir({ prefix: "llm-test-signal-" });
  try {
    const script = `${dir}/child.ts`;
    await Deno.writeTextFile(script, CHILD);
    const tmp = `${dir}/tmp`;
    await Deno.mkdir(tmp);
    const proc = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", script, mode],
      env: { TMPDIR: tmp },
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const lines: string[] = [];
    let text = "";
    for await (const chunk of proc.stdout.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      const done = text.split("\n");
      text = done.pop() ?? "";
      for (const line of done) {
        lines.push(line);
        if (line === when) proc.kill("SIGINT");
      }
    }
    const status = await proc.status;
    return { status, lines, left: [...Deno.readDirSync(tmp)].map((e) => e.name) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a real SIGINT before the container runs removes the directory and exits 130", async () => {
  const { status, left } = await interrupted("wait", "ready");
  assertEquals(left, []);
  assertEquals({ code: status.code, signal: status.signal }, { code: 130, signal: null });
});

Deno.test("a real SIGINT while the container runs is left to it; the directory goes after", async () => {
  const { status, lines, left } = await interrupted("child", "spawned");
  assertEquals(lines, ["spawned", "0 true"]);
  assertEquals(left, []);
  assertEquals(status.code, 0);
});
