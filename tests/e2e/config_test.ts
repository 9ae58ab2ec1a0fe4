/**
 * Config files against real podman: a user-defined agent, and a project
 * file that takes effect only once trusted (see trust_test.ts for the agent
 * editing or removing a trusted one).
 */
import { assertEquals, assertStringIncludes } from "../_assert.ts";
import { join } from "../../lib/std/path.ts";
import { ignoreUnless, makeSandbox, type Mode, runAs, runLlm, testImage } from "./_harness.ts";

const IMAGE = testImage();

async function write(s: { mode: Mode }, path: string, text: string): Promise<void> {
  const sandbox = s as Parameters<typeof runAs>[0];
  const r = await runAs(sandbox, [
    "sh",
    "-c",
    'mkdir -p "$(dirname "$2")" && printf %s "$1" > "$2"',
    "sh",
    text,
    path,
  ]);
  assertEquals(r.code, 0, r.stderr);
}

for (const mode of ["rootful", "rootless"] as Mode[]) {
  Deno.test({
    name: `a user-defined agent runs through real podman and its --dry-run line (${mode})`,
    ignore: ignoreUnless(mode),
    async fn() {
      const s = await makeSandbox(mode);
      try {
        await write(
          s,
          join(s.home, ".config/llm/config.yaml"),
          `agents:
  hello:
    command: [sh, -c, 'echo "hello $TOOL $GREETING_WHO $1"; ls -d ~/.hello', sh]
    credentials: [~/.hello]
    env_prefixes: [GREETING_]
    image: ${IMAGE}
`,
        );
        await runAs(s, ["mkdir", join(s.home, ".hello")]);
        const env = { GREETING_WHO: "world", OTHER: "x" };
        const r = await runLlm(s, ["hello", "arg one"], { env });
        assertEquals(r.code, 0, r.stderr);
        assertEquals(r.stdout, "hello hello world arg one\n/home/devuser/.hello\n");
        const dry = await runLlm(s, ["--dry-run", "hello", "arg one"], { env });
        assertEquals(dry.code, 0, dry.stderr);
        const viaBash = await runAs(s, ["bash", "-c", dry.stdout]);
        assertEquals(viaBash.stdout, r.stdout, viaBash.stderr);
      } finally {
        await s.cleanup();
      }
    },
  });

  Deno.test({
    name: `a project file is ignored until trusted, and stops launches once changed (${mode})`,
    ignore: ignoreUnless(mode),
    async fn() {
      const s = await makeSandbox(mode);
      try {
        await write(s, join(s.workspace, "secret/token"), "SECRET");
        const project = join(s.workspace, ".llm.yaml");
        await write(s, project, "mask: [secret]\n");
        const look = () =>
          runLlm(s, [
            "--image-name",
            IMAGE,
            "shell",
            "--",
            "bash",
            "-c",
            "cat secret/token 2>/dev/null || echo hidden",
          ]);
        const before = await look();
        assertEquals(before.stdout.trim(), "SECRET");
        assertStringIncludes(before.stderr, "is ignored: it is not trusted yet");

        const trust = await runLlm(s, ["trust"]);
        assertEquals(trust.code, 0, trust.stderr);
        const after = await look();
        assertEquals(after.stdout.trim(), "hidden", after.stderr);
        assertEquals(after.stderr.includes("warning"), false, after.stderr);

        await write(s, project, "mask: [secret]\nenv:\n  X: 1\n");
        const changed = await look();
        assertEquals(changed.code, 1);
        assertEquals(changed.stdout, "");
        assertStringIncludes(changed.stderr, "changed since it was trusted");
        assertStringIncludes(changed.stderr, "nothing was launched");
      } finally {
        await s.cleanup();
      }
    },
  });
}
