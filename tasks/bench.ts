/**
 * `deno task bench`: start-up and launch overhead, printed as a table.
 * Never a test: nothing here passes or fails on a timing.
 *
 * 1. `llm --dry-run codex` as `deno task llm` runs it, against `deno run` of
 *    an empty script, alternating runs: medians and the median ratio.
 * 2. `llm shell -- true` against the bare `podman run` argv that --dry-run
 *    prints, alternating runs, median of the per-pair ratios (needs the
 *    podman test image from `deno task test`'s set-up; skipped otherwise).
 * 3. The same two figures for `deno run` of an empty script, so a reader sees
 *    how much is Deno's own start-up.
 * 4. `llm codex --version` in the real agent image against the same bare
 *    `podman run`, rootless, median of the per-pair ratios, with the storage
 *    driver (on vfs every launch copies the whole image). Needs the agent
 *    image from `deno task test`'s set-up (tasks/agent_image.ts).
 * 5. The egress proxy: a 100 MB download through it against direct, and
 *    the time to first byte it adds (tasks/bench_egress.ts).
 * 6. `llm ps` with 1,000 manifests on disk, and the runtime processes a
 *    recorded launch starts besides its `podman run` (tasks/bench_sessions.ts).
 * 7. `llm batch`: local parallelism and Slurm submission (tasks/bench_batch.ts).
 */
import { join } from "../lib/std/path.ts";
import { E2E_DIR, type E2EState, setupE2E } from "./e2e_setup.ts";
import { AGENT_STATE, type AgentImageState } from "./agent_image.ts";
import { llmTaskFlags, median, startupRows, timeRun } from "./_bench_startup.ts";
import { launchProcessRows, sessionRows } from "./bench_sessions.ts";
import { batchRows } from "./bench_batch.ts";

const RUNS = 25;
const REPO = join(E2E_DIR, "..");
const MAIN = join(REPO, "main.ts");

const deno = Deno.execPath();
const empty = await Deno.makeTempFile({ suffix: ".ts" });
await Deno.writeTextFile(empty, "");
const llm = [deno, "run", "--allow-all", "--quiet", MAIN];
const emptyRun = [deno, "run", "--quiet", empty];

// Start-up against Deno's own, alternating runs (tasks/_bench_startup.ts).
const rows: [string, string, string][] = await startupRows(REPO, RUNS);

let state: E2EState | null = null;
try {
  state = await setupE2E();
} catch (e) {
  console.error(`bench: end-to-end set-up failed: ${(e as Error).message}`);
}
if (state && state.rootfulSkip === null) {
  const work = await Deno.makeTempDir({ prefix: "llm-bench-" });
  const env = { ...Deno.env.toObject(), ...state.podmanEnv, HOME: work };
  const args = ["--image-name", state.image, "shell", "--", "true"];
  const printed = await new Deno.Command(deno, {
    args: [...llm.slice(1), "--dry-run", ...args],
    env,
    cwd: work,
    stdout: "piped",
  }).output();
  // Through bash: the printed line passes the environment as `--env-file <(printf ...)` and
  // makes the temporary directory the launch would (mask sources, session copies).
  const podmanArgv = ["bash", "-c", new TextDecoder().decode(printed.stdout)];
  await timeRun([...llm, ...args], env, work);
  const ratios: number[] = [];
  const emptyRatios: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const viaLlm = await timeRun([...llm, ...args], env, work);
    const direct = await timeRun(podmanArgv, env, work);
    const emptyStart = await timeRun(emptyRun);
    ratios.push(viaLlm / direct);
    emptyRatios.push((direct + emptyStart) / direct);
  }
  rows.push([
    "llm shell -- true / bare podman run, median ratio",
    median(ratios).toFixed(3),
    "<= 1.20",
  ]);
  rows.push([
    "(deno empty start + podman run) / podman run",
    median(emptyRatios).toFixed(3),
    "",
  ]);
  await Deno.remove(work, { recursive: true });
} else {
  rows.push([
    "llm shell -- true / bare podman run",
    "skipped",
    state?.rootfulSkip ?? "no e2e set-up",
  ]);
}
rows.push(...await agentImageRows(state));
rows.push(...await (await import("./bench_egress.ts")).egressRows());
rows.push(...await sessionRows(MAIN, RUNS));
if (state && state.rootfulSkip === null && state.podman) {
  rows.push(...await launchProcessRows(MAIN, state.podman, state.image, state.podmanEnv));
}
rows.push(...await batchRows(state, E2E_DIR));
await Deno.remove(empty);

const widths = [0, 1, 2].map((i) =>
  Math.max(["measure", "value", "target"][i].length, ...rows.map((r) => r[i].length))
);
const line = (r: readonly string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
console.log(line(["measure", "value", "target"]));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const r of rows) console.log(line(r));
console.log(`(${RUNS} runs each, ${Deno.build.target}, deno ${Deno.version.deno})`);

/**
 * Row 4: the real agent image, rootless. The bare side runs the printed
 * command through bash, which its `--env-file <(...)` needs; bash's own
 * start (a few ms) is on the bare side, so the ratio slightly flatters llm.
 */
async function agentImageRows(state: E2EState | null): Promise<[string, string, string][]> {
  const label = "llm codex --version (agent image, rootless) / bare podman run, median ratio";
  let agents: AgentImageState | null = null;
  try {
    agents = JSON.parse(await Deno.readTextFile(AGENT_STATE)) as AgentImageState;
  } catch {
    // Not prepared: the row says so.
  }
  const skip = !state ? "no e2e set-up" : state.rootlessSkip ??
    (!agents ? "no agent image: run 'deno task test' first" : agents.podmanRootless);
  if (skip || !state || !agents) return [[label, "skipped", skip ?? ""]];
  const root = await Deno.makeTempDir({ prefix: "llm-bench-agent-" });
  const work = join(root, "work");
  await Deno.mkdir(work);
  await Deno.chmod(root, 0o755);
  const ids = await new Deno.Command("id", { args: ["-u", state.rootlessUser], stdout: "piped" })
    .output();
  const uid = Number(new TextDecoder().decode(ids.stdout).trim());
  for (const d of [root, work]) await Deno.chown(d, uid, uid);
  const env = {
    HOME: root,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    DENO_DIR: `${state.rootlessHome}/.cache/deno`,
    ...state.rootlessEnv,
  };
  const asUser = [
    "runuser",
    "-u",
    state.rootlessUser,
    "--",
    "env",
    "-i",
    ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
  ];
  // main.ts as `deno task llm` runs it (the tests' bundle of one 1 MB file
  // starts about 100 ms slower, which no user meets).
  const config = JSON.parse(await Deno.readTextFile(join(REPO, "deno.json")));
  const llmAsUser = [...asUser, deno, "run", ...llmTaskFlags(config.tasks.llm), "--quiet", MAIN];
  const args = ["--image-name", agents.image, "codex", "--version"];
  const viaLlm = [...llmAsUser, ...args];
  const printed = await new Deno.Command(llmAsUser[0], {
    args: [...llmAsUser.slice(1), "--dry-run", ...args],
    cwd: work,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!printed.success) {
    const why = new TextDecoder().decode(printed.stderr).trim().split("\n").at(-1) ?? "";
    return [[label, "skipped", `llm --dry-run failed: ${why}`]];
  }
  const bare = [...asUser, "bash", "-c", new TextDecoder().decode(printed.stdout)];
  const driver = await new Deno.Command(asUser[0], {
    args: [
      ...asUser.slice(1),
      state.podman ?? "podman",
      "info",
      "--format",
      "{{.Store.GraphDriverName}}",
    ],
    cwd: work,
    stdout: "piped",
  }).output();
  await timeRun(viaLlm, undefined, work);
  await timeRun(bare, undefined, work);
  const ratios: number[] = [];
  const llmMs: number[] = [];
  const bareMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    llmMs.push(await timeRun(viaLlm, undefined, work));
    bareMs.push(await timeRun(bare, undefined, work));
    ratios.push(llmMs[i] / bareMs[i]);
  }
  await Deno.remove(root, { recursive: true });
  return [
    [label, median(ratios).toFixed(3), "<= 1.05"],
    [
      "  median ms: via llm / bare podman run",
      `${median(llmMs).toFixed(0)} / ${median(bareMs).toFixed(0)}`,
      "",
    ],
    ["  rootless storage driver", new TextDecoder().decode(driver.stdout).trim() || "unknown", ""],
  ];
}
