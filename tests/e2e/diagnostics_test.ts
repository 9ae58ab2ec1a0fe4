/**
 * llm-diagnostics run inside the busybox test image through `llm shell`,
 * mounted in from the checkout (the test image does not ship it). The
 * image lacks python, git, node and the agents, so those are FAIL lines.
 */
import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import { join } from "../../lib/std/path.ts";
import {
  e2eState,
  ignoreUnless,
  makeSandbox,
  type Mode,
  runLlm,
  type Sandbox,
} from "./_harness.ts";

const SCRIPT = new URL("../../image/llm-diagnostics", import.meta.url).pathname;

/** Put the script and a fake `codex` where the container can see them. */
async function prepare(sandbox: Sandbox): Promise<string[]> {
  const tools = join(sandbox.root, "tools");
  await Deno.mkdir(tools, { mode: 0o755 });
  await Deno.copyFile(SCRIPT, join(tools, "llm-diagnostics"));
  await Deno.chmod(join(tools, "llm-diagnostics"), 0o755);
  const bin = join(sandbox.workspace, "bin");
  await Deno.mkdir(bin);
  await Deno.writeTextFile(join(bin, "codex"), "#!/bin/sh\necho 'codex-cli 9.9.9'\n", {
    mode: 0o755,
  });
  await Deno.mkdir(join(sandbox.home, ".codex"), { mode: 0o755 });
  await Deno.writeTextFile(join(sandbox.home, ".codex/auth.json"), "{}\n", { mode: 0o644 });
  if (sandbox.mode === "rootless") {
    const user = e2eState()?.rootlessUser ?? "";
    const chown = await new Deno.Command("chown", {
      args: ["-R", `${user}:${user}`, bin, join(sandbox.home, ".codex")],
    }).output();
    assert(chown.success, "chown for the rootless user");
  }
  return [
    "--mount",
    `${join(tools, "llm-diagnostics")}:/usr/local/bin/llm-diagnostics:ro`,
    "--path-prepend",
    "bin",
    "--image-name",
    e2eState()?.image ?? "",
  ];
}

const lines = (out: string, status: string) =>
  out.split("\n").filter((l) => l.startsWith(`${status} `)).map((l) => l.slice(6));

for (const mode of ["rootful", "rootless"] as Mode[]) {
  Deno.test({
    name: `llm-diagnostics in the test image reports what the agent sees (${mode})`,
    ignore: ignoreUnless(mode),
    async fn() {
      const sandbox = await makeSandbox(mode);
      try {
        const options = await prepare(sandbox);
        const r = await runLlm(sandbox, [...options, "shell", "--", "llm-diagnostics"], {
          env: { ANTHROPIC_MODEL: "test-model", ANTHROPIC_API_KEY: "sk-ant-e2e-secret" },
        });
        assertEquals(r.code, 1, r.stdout + r.stderr);
        const out = r.stdout;
        // Rootful podman runs the agent as root without capabilities (no user namespace).
        assertStringIncludes(
          out,
          mode === "rootful"
            ? "info  user: root (uid 0, gid 0"
            : "info  user: devuser (uid 1000, gid 1000",
        );
        assert(lines(out, "ok").includes("HOME=/home/devuser (writable)"), out);
        assert(lines(out, "ok").includes(`working directory ${sandbox.workspace} (writable)`), out);
        assert(lines(out, "info").includes("TOOL=shell"));
        assert(lines(out, "info").includes(`HOST_MOUNT_DIR=${sandbox.workspace}`));
        assert(lines(out, "ok").includes("~/.codex/auth.json: present (file)"), out);
        assert(lines(out, "info").includes("~/.aws: absent"));
        assert(lines(out, "info").includes("ANTHROPIC_MODEL: test-model"));
        assert(lines(out, "info").includes("ANTHROPIC_API_KEY: set (value hidden)"));
        assert(!out.includes("sk-ant-e2e-secret"), "the key's value stays hidden");
        assert(lines(out, "ok").includes(`${sandbox.workspace}/bin`), out);
        assert(lines(out, "warn").includes("/home/devuser/.local/bin: does not exist"));
        assertStringIncludes(out, "info  architecture: ");
        assert(lines(out, "ok").includes("codex: codex-cli 9.9.9"), out);
        assertEquals(lines(out, "FAIL"), [
          "python: not found on PATH",
          "git: not found on PATH",
          "node: not found on PATH",
          "claude: not found on PATH",
          "pi: not found on PATH",
        ]);
        assertStringIncludes(out, "llm-diagnostics: 5 check(s) FAILED");
      } finally {
        await sandbox.cleanup();
      }
    },
  });
}

Deno.test({
  name: "llm-diagnostics marks a read-only workspace FAIL (rootful)",
  ignore: ignoreUnless("rootful"),
  async fn() {
    const sandbox = await makeSandbox("rootful");
    try {
      const options = await prepare(sandbox);
      const r = await runLlm(sandbox, [
        ...options,
        "--global-read-only",
        "shell",
        "--",
        "llm-diagnostics",
      ]);
      assert(
        lines(r.stdout, "FAIL").includes(
          `working directory ${sandbox.workspace} is not writable (read-only mount or wrong owner)`,
        ),
        r.stdout + r.stderr,
      );
    } finally {
      await sandbox.cleanup();
    }
  },
});
