/**
 * On a terminal the runtime gets llm's stderr itself, so a first pull shows
 * its progress and the agent sees a TTY; a runtime failure is still told by
 * the markers, and its cause found by asking the runtime about the image.
 */
import { assertEquals } from "../../_assert.ts";
import { main } from "../../../lib/cli/main.ts";
import { fakeSystem, type FakeSystemOptions } from "../../_fake_system.ts";

async function launch(options: FakeSystemOptions) {
  const sys = fakeSystem({ executables: ["podman"], ...options });
  const code = await main(["--image-name", "localhost/x:1", "codex"], sys);
  return { code, sys };
}

Deno.test("with stderr on a terminal, podman inherits it; through a pipe it is read for hints", async () => {
  const tty = await launch({ terminalStreams: ["stderr"] });
  assertEquals(tty.code, 0);
  assertEquals(tty.sys.interactiveOptions[0].inheritStderr, true);
  const pipe = await launch({});
  assertEquals(pipe.sys.interactiveOptions[0].inheritStderr, false);
});

Deno.test("a missing image is still named when podman's stderr went to the terminal", async () => {
  const { code, sys } = await launch({
    terminalStreams: ["stderr"],
    runtimeReached: "none",
    interactiveResult: { code: 125, stderrTail: "" },
    outputs: {
      "podman image inspect": { code: 125, stderr: "Error: localhost/x:1: image not known\n" },
    },
  });
  assertEquals(code, 1);
  assertEquals(
    sys.ran.some((a) => a.join(" ") === "podman image inspect --format {{.Id}} localhost/x:1"),
    true,
  );
  assertEquals(
    sys.err.join("").includes(
      "llm: error: podman has no image localhost/x:1 in its local storage; build it with 'llm build'",
    ),
    true,
    sys.err.join(""),
  );
});

Deno.test("an agent's own non-zero exit is passed through without asking podman anything", async () => {
  const { code, sys } = await launch({
    terminalStreams: ["stderr"],
    interactiveResult: { code: 3, stderrTail: "" },
  });
  assertEquals(code, 3);
  assertEquals(sys.ran.some((a) => a.includes("inspect")), false);
  assertEquals(sys.err.join(""), "");
});
