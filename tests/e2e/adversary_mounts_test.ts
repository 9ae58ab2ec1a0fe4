/**
 * The agent as the adversary of the next launch, against real podman: it
 * renames the parent of a masked or read-only path, or plants a symlink
 * where a mount source was, in one session; the next session with the same
 * settings must still protect the content and mount nothing outside.
 */
import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import { join } from "../../lib/std/path.ts";
import {
  ALL_MODES,
  type Ran,
  runAs,
  runLlm,
  type Sandbox,
  sandboxTest,
  testImage,
} from "./_harness.ts";

const IMAGE = testImage();

/** One agent session: `llm [opts] shell -- bash -c SCRIPT`. */
function session(s: Sandbox, opts: string[], script: string): Promise<Ran> {
  return runLlm(s, ["--image-name", IMAGE, ...opts, "shell", "--", "bash", "-c", script]);
}

async function host(s: Sandbox, script: string): Promise<Ran> {
  const r = await runAs(s, ["sh", "-c", script]);
  assertEquals(r.code, 0, r.stderr);
  return r;
}

for (const [mode, engine] of ALL_MODES) {
  const test = sandboxTest(mode, engine);

  test("renaming the parent of a masked directory does not expose it next launch", async (s) => {
    await host(s, "mkdir -p a/secrets && printf TOPSECRET > a/secrets/key");
    const first = await session(
      s,
      ["--mask", "a/secrets"],
      "mv a a-moved 2>&1 && mkdir -p a/secrets; true",
    );
    assertEquals(first.code, 0, first.stderr);
    const second = await session(
      s,
      ["--mask", "a/secrets"],
      "cat a-moved/secrets/key a/secrets/key 2>/dev/null; find . -name key; true",
    );
    assertEquals(second.code, 0, second.stderr);
    assert(!second.stdout.includes("TOPSECRET"), second.stdout);
    // The content stayed where the mask names it.
    assertEquals((await host(s, "cat a/secrets/key")).stdout, "TOPSECRET");
  });

  test("renaming the parent of a read-only directory does not make it writable", async (s) => {
    await host(s, "mkdir -p a/data && printf kept > a/data/keep");
    await session(s, ["--ro", "a/data"], "mv a a-moved 2>&1 && mkdir -p a/data; true");
    await session(
      s,
      ["--ro", "a/data"],
      "echo x > a-moved/data/f 2>/dev/null; echo x > a/data/f 2>/dev/null; true",
    );
    const left = await host(s, "find . -name f | wc -l; cat a/data/keep 2>/dev/null; true");
    assertEquals(left.stdout.split(/\s+/).filter(Boolean), ["0", "kept"]);
  });

  test("a symlink planted where a trusted project file's mount source was is refused", async (s) => {
    const ssh = join(s.home, ".ssh");
    await host(s, `mkdir -p refs '${ssh}' && printf SSHKEY > '${ssh}/id_ed25519'`);
    await host(s, `printf '%s\\n' 'mounts: ["refs:/refs:ro"]' > .llm.yaml`);
    const trust = await runLlm(s, ["trust"]);
    assertEquals(trust.code, 0, trust.stderr);
    const first = await session(s, [], `rm -rf refs && ln -s '${ssh}' refs`);
    assertEquals(first.code, 0, first.stderr);
    const second = await session(s, [], "cat /refs/id_ed25519");
    assert(!second.stdout.includes("SSHKEY"), second.stdout);
    assertEquals(second.code, 1, second.stderr);
    assertStringIncludes(
      second.stderr,
      `refs:/refs:ro: ${s.workspace}/refs is outside the workspace ${s.workspace} ` +
        `(it resolves to ${ssh}); a project file may only name paths inside the workspace`,
    );
  });

  test("a symlink planted where a --mount source was is refused", async (s) => {
    const ssh = join(s.home, ".ssh");
    await host(s, `mkdir -p refs '${ssh}' && printf SSHKEY > '${ssh}/id_ed25519'`);
    await session(s, ["--mount", "refs:/refs:ro"], `rm -rf refs && ln -s '${ssh}' refs`);
    const second = await session(s, ["--mount", "refs:/refs:ro"], "cat /refs/id_ed25519");
    assert(!second.stdout.includes("SSHKEY"), second.stdout);
    assertEquals(second.code, 1, second.stderr);
    assertStringIncludes(
      second.stderr,
      `llm: error: --mount refs:/refs:ro: ${s.workspace}/refs resolves to ${ssh}, outside the ` +
        `workspace ${s.workspace}, through a symlink in the workspace (which the agent can change)`,
    );
  });

  test("a trusted project file that mounts the workspace again cannot unmask it", async (s) => {
    await host(
      s,
      "mkdir -p a/secrets data && printf TOPSECRET > a/secrets/key && printf kept > data/keep",
    );
    await host(
      s,
      `printf '%s\\n' 'mounts: [".:/again"]' 'mask: [a/secrets]' 'ro: [data]' > .llm.yaml`,
    );
    const trust = await runLlm(s, ["trust"]);
    assertEquals(trust.code, 0, trust.stderr);
    const r = await session(
      s,
      [],
      "cat /again/a/secrets/key a/secrets/key 2>/dev/null; echo x > /again/data/keep 2>/dev/null; true",
    );
    assertEquals(r.code, 0, r.stderr);
    assert(!r.stdout.includes("TOPSECRET"), r.stdout);
    assertEquals((await host(s, "cat data/keep")).stdout, "kept");
  });
}
