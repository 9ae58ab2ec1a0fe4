/**
 * The batch planner: each task's `llm` argv, workspace, result directory,
 * settings precedence, and every bad task refused with its `file:line`.
 */
import { assertEquals, assertThrows } from "../../_assert.ts";
import { LlmError, UsageError } from "../../../lib/errors.ts";
import { planBatch, type PlanInput, redactArgv } from "../../../lib/batch/plan.ts";
import { parseTaskFile } from "../../../lib/batch/taskfile.ts";

const DIRS = new Set(["/p/a", "/p/b", "/p/c", "/p/linked-a"]);

async function input(text: string, more: Partial<PlanInput> = {}): Promise<PlanInput> {
  return {
    file: await parseTaskFile("tasks.yaml", text),
    taskFile: "/p/tasks.yaml",
    resultsDir: "/p/out",
    id: "b1",
    created: "2026-12-06T00:00:00.000Z",
    mode: "local",
    self: ["/opt/llm"],
    agents: ["codex", "claude", "pi", "shell", "mine"],
    cli: { slurm: {} },
    networks: ["open", "allow", "none"],
    stat: (p) => (DIRS.has(p) ? "dir" : p === "/p/file" ? "file" : null),
    realPath: (p) => (p === "/p/linked-a" ? "/p/a" : DIRS.has(p) ? p : null),
    ...more,
  };
}

Deno.test("planBatch() gives each agent its headless form", async () => {
  const plan = planBatch(
    await input(
      `tasks:
  - { workspace: a, agent: codex, prompt: "fix it" }
  - { workspace: b, agent: claude, prompt: "fix it" }
  - { workspace: c, agent: pi, prompt: "fix it" }
  - { workspace: /p/linked-a/.., agent: shell, prompt: "make test", name: all }
`,
      { stat: (p) => (DIRS.has(p) || p === "/p" ? "dir" : null), realPath: (p) => p },
    ),
  );
  assertEquals(plan.tasks.map((t) => t.argv), [
    ["/opt/llm", "codex", "exec", "fix it"],
    ["/opt/llm", "claude", "-p", "fix it"],
    ["/opt/llm", "pi", "-p", "fix it"],
    ["/opt/llm", "shell", "--", "make test"],
  ]);
  assertEquals(plan.tasks.map((t) => [t.index, t.name, t.dir, t.workspace, t.source]), [
    [0, "a", "tasks/0-a", "/p/a", "tasks.yaml:2"],
    [1, "b", "tasks/1-b", "/p/b", "tasks.yaml:3"],
    [2, "c", "tasks/2-c", "/p/c", "tasks.yaml:4"],
    [3, "all", "tasks/3-all", "/p", "tasks.yaml:5"],
  ]);
});

Deno.test("planBatch() passes args as given, after -- for the shell", async () => {
  const plan = planBatch(
    await input(`tasks:
  - { workspace: a, agent: shell, args: [sh, -c, "exit 3"] }
  - { workspace: b, agent: mine, args: [--flag, x] }
`),
  );
  assertEquals(plan.tasks.map((t) => t.argv.slice(1)), [
    ["shell", "--", "sh", "-c", "exit 3"],
    ["mine", "--flag", "x"],
  ]);
});

Deno.test("planBatch() layers settings: task file < command line, task's own on top", async () => {
  const plan = planBatch(
    await input(
      `agent: codex
image: lab/agent
tag: v1
backend: podman
time: "30"
mounts: [./data:/data:ro, /abs:/abs]
env: { A: shared, B: shared }
slurm: { partition: cpu, mem: 4G }
tasks:
  - workspace: a
    prompt: p
    env: { B: mine }
    mounts: [../x:/x]
    tags: [t1, t2]
  - workspace: b
    agent: claude
    prompt: p
`,
      {
        cli: {
          agent: "pi",
          tag: "v2",
          time: "1:00:00",
          config: "/c.yaml",
          parallel: 3,
          slurm: { partition: "gpu" },
        },
      },
    ),
  );
  assertEquals(plan.tasks[0].argv, [
    "/opt/llm",
    "--config=/c.yaml",
    "--backend=podman",
    "--image-name=lab/agent",
    "--tag=v2",
    "--mount=/p/data:/data:ro",
    "--mount=/abs:/abs",
    "--mount=/x:/x",
    // Names only: the values go to the launch in its environment, off every argv.
    "--env=A",
    "--env=B",
    "pi",
    "-p",
    "p",
  ]);
  assertEquals(plan.tasks[0].env, { A: "shared", B: "mine" });
  assertEquals(plan.tasks[0].tags, ["t1", "t2"]);
  assertEquals(plan.tasks[1].agent, "claude");
  assertEquals(plan.time, "1:00:00");
  assertEquals(plan.timeSeconds, 3600);
  assertEquals(plan.parallel, 3);
  assertEquals(plan.slurm, { partition: "gpu", mem: "4G" });
  assertEquals(plan.jobs, []);
});

Deno.test("planBatch() clones a repo task into the results directory", async () => {
  const plan = planBatch(
    await input(`agent: shell
tasks:
  - { repo: "https://example.org/lab/tool.git", prompt: x }
  - { repo: ../src/tool, prompt: x }
  - { repo: "https://example.org/lab/tool.git", prompt: x }
`),
  );
  assertEquals(plan.tasks.map((t) => [t.workspace, t.repo, t.name]), [
    ["/p/out/workspaces/0-tool", "https://example.org/lab/tool.git", "tool"],
    ["/p/out/workspaces/1-tool", "/src/tool", "tool"],
    ["/p/out/workspaces/2-tool", "https://example.org/lab/tool.git", "tool"],
  ]);
});

const BAD: [string, string, Partial<PlanInput>?][] = [
  [
    "tasks:\n  - { workspace: a, prompt: x }\n",
    "tasks.yaml:2: no agent: set 'agent:' in the task file or pass --agent (codex, claude, pi, shell, mine)",
  ],
  [
    "agent: codx\ntasks:\n  - { workspace: a, prompt: x }\n",
    "tasks.yaml:3: unknown agent 'codx': did you mean 'codex'? (agents: codex, claude, pi, shell, mine)",
  ],
  [
    "agent: shell\ntasks:\n  - { prompt: x }\n",
    "tasks.yaml:3: no workspace: give 'workspace: DIR' (a directory) or 'repo: URL' (cloned for the task)",
  ],
  [
    "agent: shell\ntasks:\n  - { workspace: nope, prompt: x }\n",
    "tasks.yaml:3: workspace /p/nope does not exist: create it or fix the path",
  ],
  [
    "agent: shell\ntasks:\n  - { workspace: file, prompt: x }\n",
    "tasks.yaml:3: workspace /p/file is not a directory",
  ],
  [
    "agent: shell\ntasks:\n  - { workspace: a, prompt: x }\n  - { workspace: ./a/, prompt: y }\n",
    "tasks.yaml:4: workspace /p/a is also the workspace of tasks.yaml:3: tasks would overwrite " +
    "each other's changes; give each task its own directory (or use 'repo:' to clone)",
  ],
  [
    "agent: shell\ntasks:\n  - { workspace: a, prompt: x }\n  - { workspace: linked-a, prompt: y }\n",
    "tasks.yaml:4: workspace /p/linked-a is also the workspace of tasks.yaml:3: tasks would " +
    "overwrite each other's changes; give each task its own directory (or use 'repo:' to clone)",
  ],
  [
    "agent: shell\ntasks:\n  - { workspace: a, prompt: x, name: n }\n  - { workspace: b, prompt: y, name: n }\n",
    "tasks.yaml:4: name 'n' is also used at tasks.yaml:3",
  ],
  [
    "agent: codex\ntasks:\n  - { workspace: a }\n",
    "tasks.yaml:3: no 'prompt' and no 'args': say what the codex task runs",
  ],
  [
    "agent: mine\ntasks:\n  - { workspace: a, prompt: x }\n",
    "tasks.yaml:3: llm knows no headless form of agent 'mine': give 'args' (its arguments) instead of 'prompt'",
  ],
];

for (const [text, message, more] of BAD) {
  Deno.test(`planBatch() refuses: ${message.slice(0, 60)}`, async () => {
    const given = await input(text, more);
    const e = assertThrows(() => planBatch(given), LlmError);
    assertEquals(e.message, message);
  });
}

Deno.test("planBatch() refuses a time limit that Slurm would not take", async () => {
  const given = await input("agent: shell\ntime: 1h\ntasks:\n  - { workspace: a, prompt: x }\n");
  const e = assertThrows(() => planBatch(given), UsageError);
  assertEquals(
    e.message,
    "tasks.yaml: time '1h' is not a Slurm time limit (MINUTES, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS)",
  );
});

Deno.test("redactArgv() hides every --env value and nothing else", () => {
  assertEquals(
    redactArgv(["llm", "--env=TOKEN=a=b", "--env=X=", "--mount=/a:/b", "shell", "--env=Y=1"]),
    [
      "llm",
      "--env=TOKEN=<redacted>",
      "--env=X=<redacted>",
      "--mount=/a:/b",
      "shell",
      "--env=Y=<redacted>",
    ],
  );
});

Deno.test("planBatch() passes the network policy to each launch, the command line's first", async () => {
  const text = "agent: shell\nnetwork: none\ntasks:\n  - { workspace: a, prompt: x }\n";
  assertEquals(planBatch(await input(text)).tasks[0].argv, [
    "/opt/llm",
    "--network=none",
    "shell",
    "--",
    "x",
  ]);
  const cli = { network: "allow", slurm: {} };
  assertEquals(planBatch(await input(text, { cli })).tasks[0].argv[1], "--network=allow");
});

Deno.test("planBatch() refuses an unknown network policy, naming where it was set", async () => {
  const text = "agent: shell\nnetwork: closed\ntasks:\n  - { workspace: a, prompt: x }\n";
  const fromFile = await input(text);
  assertEquals(
    assertThrows(() => planBatch(fromFile), UsageError).message,
    "tasks.yaml: network 'closed': use one of open, allow, none",
  );
  const fromFlag = await input(text, { cli: { network: "shut", slurm: {} } });
  assertEquals(
    assertThrows(() => planBatch(fromFlag), UsageError).message,
    "--network 'shut': use one of open, allow, none",
  );
});
