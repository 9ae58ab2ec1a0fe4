/**
 * `--worktree` against real rootless podman and docker with the agent
 * image (it has git): two agents at once edit the same file of one
 * repository, each on its own worktree and branch, and commit with git
 * inside the container; both commits exist afterwards, the user's branch
 * and git configuration are untouched (the shared git directory is
 * read-only but for what a commit on llm/NAME writes), and `llm worktree
 * list|rm` tidy up. Also: the agent CLI's version comes from the image's
 * labels.
 */
import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import { AGENT_STATE, type AgentImageState } from "../../tasks/agent_image.ts";
import { finish, runAs, runLlm, type Sandbox, sandboxTest, spawnLlm } from "./_harness.ts";

function agentImage(): AgentImageState | null {
  try {
    return JSON.parse(Deno.readTextFileSync(AGENT_STATE)) as AgentImageState;
  } catch {
    return null;
  }
}

const agents = agentImage();

async function git(s: Sandbox, repo: string, ...args: string[]): Promise<string> {
  const r = await runAs(s, ["git", ...args], repo);
  assertEquals(r.code, 0, `git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

for (const engine of ["podman", "docker"] as const) {
  const skip = agents === null
    ? "no agent image: run 'deno task test' first"
    : engine === "podman"
    ? agents.podmanRootless
    : agents.dockerRootless;
  if (skip) {
    console.log(`skipping --worktree tests on rootless ${engine}: ${skip}`);
    continue;
  }
  const image = agents?.image ?? "";
  const test = sandboxTest("rootless", engine);

  test("two --worktree agents edit the same file on their own branches; both commits exist", async (s) => {
    const repo = s.workspace;
    await git(s, repo, "init", "-q", "-b", "main", ".");
    await Deno.writeTextFile(`${repo}/notes.txt`, "base\n");
    await runAs(s, ["chown", "--reference=.", "notes.txt"], repo);
    await git(s, repo, "add", "notes.txt");
    await git(
      s,
      repo,
      "-c",
      "user.name=u",
      "-c",
      "user.email=u@example.org",
      "commit",
      "-qm",
      "base",
    );
    const base = await git(s, repo, "rev-parse", "main");
    const agent = (name: string) =>
      spawnLlm(s, [
        "--image-name",
        image,
        `--worktree=${name}`,
        "shell",
        "--",
        `echo ${name} >> notes.txt && git add notes.txt && ` +
        `git -c user.name=${name} -c user.email=${name}@example.org commit -qm "edit by ${name}" && ` +
        // What it must not be able to do: move the user's branch, plant a hook.
        `{ git update-ref refs/heads/main HEAD 2>/dev/null && echo MOVED-MAIN; } ; ` +
        `{ echo x > "$(git rev-parse --git-common-dir)/hooks/post-checkout" 2>/dev/null && echo HOOK; } ; true`,
      ]);
    const [one, two] = await Promise.all([finish(agent("one")), finish(agent("two"))]);
    for (const r of [one, two]) {
      assertEquals(r.code, 0, r.stderr);
      assertEquals(r.stdout.includes("MOVED-MAIN"), false, "the agent moved main");
      assertEquals(r.stdout.includes("HOOK"), false, "the agent planted a hook");
    }
    for (const name of ["one", "two"]) {
      assertEquals(
        await git(s, repo, "log", "-1", "--format=%s", `llm/${name}`),
        `edit by ${name}`,
      );
      assertEquals(await git(s, repo, "rev-parse", `llm/${name}~1`), base);
      assertEquals(await git(s, repo, "show", `llm/${name}:notes.txt`), `base\n${name}`);
    }
    assertEquals(await git(s, repo, "rev-parse", "main"), base);
    assertEquals(await git(s, repo, "status", "--porcelain"), "");

    const listed = await runLlm(s, ["worktree", "list"]);
    assertEquals(listed.code, 0, listed.stderr);
    assertStringIncludes(listed.stdout, "llm/one");
    assertStringIncludes(listed.stdout, "llm/two");
    const sessions = JSON.parse((await runLlm(s, ["ps", "--all", "--json"])).stdout) as {
      name: string;
      worktree?: { branch: string };
      workspace: string;
    }[];
    assertEquals(sessions.map((m) => m.worktree?.branch).sort(), ["llm/one", "llm/two"]);

    // A dirty worktree is not reused behind the user's back.
    const wt = sessions.find((m) => m.name === "one")?.workspace ?? "";
    await runAs(s, ["sh", "-c", "echo wip >> notes.txt"], wt);
    const refused = await runLlm(s, [
      "--image-name",
      image,
      "--worktree=one",
      "shell",
      "--",
      "true",
    ]);
    assertEquals(refused.code, 1);
    assertStringIncludes(refused.stderr, "worktree one");
    assertStringIncludes(refused.stderr, "has uncommitted changes");

    const rm = await runLlm(s, ["worktree", "rm", "two"]);
    assertEquals(rm.code, 0, rm.stderr);
    assertEquals(rm.stdout, "removed worktree two; branch llm/two is kept\n");
    assertEquals(await git(s, repo, "log", "-1", "--format=%s", "llm/two"), "edit by two");
  });

  test("outside a git repository --worktree is refused, and nothing is run", async (s) => {
    const r = await runLlm(s, ["--image-name", image, "--worktree", "shell", "--", "true"]);
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, "is not in a git repository");
    assertEquals(await runLlm(s, ["ps", "--all", "--json"]).then((x) => x.stdout.trim()), "[]");
  });

  test("the agent CLI's version is read from the image's labels", async (s) => {
    const r = await runLlm(s, ["--image-name", image, "codex", "--version"]);
    assertEquals(r.code, 0, r.stderr);
    const [m] = JSON.parse((await runLlm(s, ["ps", "--all", "--json"])).stdout) as {
      agentVersion: string | null;
      agentVersionSource: string | null;
    }[];
    assert(m !== undefined);
    assertEquals([m.agentVersion, m.agentVersionSource], [agents?.pins.codex ?? "", "label"]);
  });
}
