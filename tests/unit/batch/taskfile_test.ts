/**
 * The task file: YAML (settings + `tasks:`, or a bare list) and JSON Lines,
 * and every mistake reported as `file:line: ...`.
 */
import { assertEquals, assertRejects } from "../../_assert.ts";
import { LlmError } from "../../../lib/errors.ts";
import { isJsonLines, parseTaskFile } from "../../../lib/batch/taskfile.ts";

const YAML = `# review every repository
agent: codex
image: ghcr.io/lab/agent
time: "1:00:00"
mounts: [./data:/data:ro]
env:
  LEVEL: deep
slurm:
  partition: gpu
  gpus: 1
tasks:
  - workspace: repos/a
    prompt: Review this repository
    tags: [small]

  # a comment between items
  - name: second
    workspace: repos/b
    args: [exec, --json, hi]
    env: { A: "1" }
    mounts: ["/scratch:/scratch"]
  - repo: https://example.org/x.git
    prompt: hi
`;

Deno.test("parseTaskFile() reads shared settings and tasks with their lines", async () => {
  const f = await parseTaskFile("tasks.yaml", YAML);
  assertEquals(f.settings, {
    agent: "codex",
    image: "ghcr.io/lab/agent",
    tag: undefined,
    backend: undefined,
    network: undefined,
    time: "1:00:00",
    mounts: ["./data:/data:ro"],
    env: { LEVEL: "deep" },
    slurm: { partition: "gpu", gpus: "1" },
  });
  assertEquals(f.tasks.map((t) => t.line), [12, 17, 22]);
  assertEquals(f.tasks[0], {
    line: 12,
    name: undefined,
    workspace: "repos/a",
    repo: undefined,
    prompt: "Review this repository",
    args: undefined,
    agent: undefined,
    mounts: [],
    env: {},
    tags: ["small"],
  });
  assertEquals(f.tasks[1].args, ["exec", "--json", "hi"]);
  assertEquals(f.tasks[1].env, { A: "1" });
  assertEquals(f.tasks[2].repo, "https://example.org/x.git");
});

Deno.test("parseTaskFile() takes a bare YAML list of tasks", async () => {
  const f = await parseTaskFile(
    "t.yml",
    "- workspace: a\n  prompt: x\n- workspace: b\n  prompt: y\n",
  );
  assertEquals(f.tasks.map((t) => [t.line, t.workspace]), [[1, "a"], [3, "b"]]);
  assertEquals(f.settings, { mounts: [], env: {}, slurm: {} });
});

Deno.test("parseTaskFile() reads JSON Lines, skipping blank and # lines", async () => {
  const f = await parseTaskFile(
    "t.jsonl",
    '# one per line\n{"workspace": "a", "prompt": "p"}\n\n{"workspace": "b", "args": ["x"]}\n',
  );
  assertEquals(f.tasks.map((t) => [t.line, t.workspace]), [[2, "a"], [4, "b"]]);
  assertEquals(isJsonLines("x.NDJSON"), true);
  assertEquals(isJsonLines("x.json"), false);
});

const BAD: [string, string, string][] = [
  ["t.jsonl", '{"workspace": "a"}\n{nope\n', "t.jsonl:2: not JSON: "],
  ["t.jsonl", "\n# nothing\n", "t.jsonl: no tasks (one JSON object per line)"],
  ["t.jsonl", '["a"]\n', "t.jsonl:1: a task must be a mapping (got a list)"],
  ["t.yaml", "tasks: [\n", "t.yaml:"],
  ["t.yaml", "just text\n", "t.yaml:1: expected a mapping with 'tasks:' or a list of tasks"],
  [
    "t.yaml",
    "agent: x\nagnet: y\ntasks: []\n",
    "t.yaml:2: unknown key 'agnet': did you mean 'agent'? (keys: agent, image, tag, backend, network, time, mounts, env, slurm, tasks)",
  ],
  ["t.yaml", "agent: x\ntasks: []\n", "t.yaml:2: 'tasks:' must be a non-empty list of tasks"],
  ["t.yaml", "agent: x\n", "t.yaml:1: 'tasks:' must be a non-empty list of tasks"],
  [
    "t.yaml",
    "slurm:\n  partiton: gpu\ntasks:\n  - workspace: a\n",
    "t.yaml:1: unknown key 'partiton': did you mean 'partition'? (keys: partition, account, cpus-per-task, mem, gpus)",
  ],
  ["t.yaml", "slurm: gpu\ntasks:\n  - workspace: a\n", "t.yaml:1: 'slurm:' must be a mapping"],
  [
    "t.yaml",
    "tasks:\n  - workspace: a\n  - workspace: b\n    promt: hi\n",
    "t.yaml:3: unknown key 'promt': did you mean 'prompt'?",
  ],
  [
    "t.yaml",
    "tasks:\n  - workspace: a\n    prompt: x\n    args: [y]\n",
    "t.yaml:2: give either 'prompt' or 'args', not both",
  ],
  [
    "t.yaml",
    "tasks:\n  - workspace: a\n    repo: b\n",
    "t.yaml:2: give either 'workspace' (a directory) or 'repo' (to clone), not both",
  ],
  ["t.yaml", "tasks:\n  - workspace: [a]\n", "t.yaml:2: 'workspace' must be a string (got a list)"],
  [
    "t.yaml",
    "tasks:\n  - workspace: a\n    tags: x\n",
    "t.yaml:2: 'tags' must be a list (got string)",
  ],
  [
    "t.yaml",
    "tasks:\n  - workspace: a\n    env: [A]\n",
    "t.yaml:2: 'env' must be a mapping of NAME: value (got a list)",
  ],
  [
    "t.yaml",
    "tasks:\n  - workspace: a\n    env: { 1A: x }\n",
    "t.yaml:2: env '1A' is not a variable name",
  ],
  ["t.yaml", "tasks:\n  - hello\n", "t.yaml:2: a task must be a mapping (got string)"],
  [
    "t.yaml",
    "image: [a]\ntasks:\n  - workspace: a\n",
    "t.yaml:1: 'image' must be a string (got a list)",
  ],
];

for (const [path, text, message] of BAD) {
  Deno.test(`parseTaskFile() refuses ${JSON.stringify(text.slice(0, 40))} (${path})`, async () => {
    const e = await assertRejects(() => parseTaskFile(path, text), LlmError);
    if (!e.message.startsWith(message)) {
      throw new Error(`expected message starting ${JSON.stringify(message)}, got ${e.message}`);
    }
  });
}

Deno.test("parseTaskFile() names the line of a YAML syntax error", async () => {
  const e = await assertRejects(
    () => parseTaskFile("t.yaml", "tasks:\n  - workspace: a\n    prompt: [unclosed\n"),
    LlmError,
  );
  if (!/^t\.yaml:[34]: /.test(e.message)) throw new Error(e.message);
});
