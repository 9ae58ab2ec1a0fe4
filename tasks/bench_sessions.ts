/**
 * Bench rows for sessions: `llm ps` and `llm ps --all` with 1,000
 * manifests on disk (10 of them running), median wall time of `deno run`
 * with the `llm` task's flags, as `deno task llm` runs it.
 * Used by tasks/bench.ts; runs alone too: `deno run -A tasks/bench_sessions.ts`.
 */
import { dirname, join } from "../lib/std/path.ts";
import { llmTaskFlags, median } from "./_bench_startup.ts";
import { manifestText, type SessionManifest } from "../lib/session/manifest.ts";
import { listSessions } from "../lib/session/find.ts";
import { psTable } from "../lib/session/table.ts";
import { realSystem } from "../lib/system/real.ts";

const MANIFESTS = 1000;
const RUNNING = 10;

/** A plausible manifest: the size of a real codex launch's. */
function manifest(i: number, running: boolean, pid: number, pidStart: string): SessionManifest {
  const id = i.toString(16).padStart(12, "0");
  const mounts = Array.from({ length: 14 }, (_, k) => ({
    source: `/home/user/.codex/file-${k}`,
    target: `/home/devuser/.codex/file-${k}`,
    mode: k % 2 ? "ro" as const : "rw" as const,
    origin: `agent config ~/.codex/file-${k}`,
  }));
  return {
    schema: 1,
    id,
    name: `codex-project-${i}`,
    state: running ? "running" : "exited",
    llmVersion: "0.1.0",
    pid,
    pidStart,
    agent: "codex",
    agentVersion: "0.171.0",
    agentVersionSource: "label",
    workspace: `/home/user/src/project-${i}`,
    workdir: `/home/user/src/project-${i}`,
    runtime: { name: "podman", executable: "podman", version: "4.3.1" },
    container: `codex-project-${i}`,
    containerId: "f".repeat(64),
    runtimePid: null,
    image: {
      reference: "ghcr.io/nichd-bspc/llm:codex-latest",
      id: `sha256:${"a".repeat(64)}`,
      repoDigests: [`ghcr.io/nichd-bspc/llm@sha256:${"b".repeat(64)}`],
    },
    platform: "linux/amd64",
    command: ["codex", "--sandbox", "danger-full-access"],
    mounts,
    masks: [{ target: "/home/user/src/.env", origin: "--mask .env" }],
    readOnly: mounts.filter((m) => m.mode === "ro").map((m) => m.target),
    env: ["HOME", "OPENAI_API_KEY", "PATH", "TERM"],
    network: { policy: "open" },
    resources: {},
    runtimeArgs: [],
    started: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    ended: running ? null : new Date(Date.UTC(2026, 0, 1) + i * 60_000 + 30_000).toISOString(),
    exitCode: running ? null : 0,
  };
}

/** This process's start time as lib/system/real.ts reads it, so the running ones count as alive. */
function ownStart(): string {
  try {
    const stat = Deno.readTextFileSync(`/proc/${Deno.pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "";
  } catch {
    return "";
  }
}

/**
 * The work `llm ps --all` adds to start-up, timed inside this process:
 * listing, reading and parsing every manifest, checking the running ones'
 * processes, and formatting the table.
 */
function inProcess(state: string): [string, string, string] {
  const system = { ...realSystem(), env: { XDG_STATE_HOME: state } };
  const ms: number[] = [];
  for (let i = 0; i < 25; i++) {
    const t = performance.now();
    psTable(listSessions(system, true), Date.now());
    ms.push(performance.now() - t);
  }
  return [
    `  of llm ps --all: reading ${MANIFESTS} manifests and the table, in process, median ms`,
    median(ms).toFixed(1),
    "",
  ];
}

/** The `deno run` flags of deno.json's `llm` task, for `main` (the repository's main.ts). */
async function llmFlags(main: string): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(dirname(main), "deno.json")));
  return llmTaskFlags(config.tasks.llm);
}

/** Rows for the bench table: [measure, value, target]. */
export async function sessionRows(main: string, runs = 25): Promise<[string, string, string][]> {
  const state = await Deno.makeTempDir({ prefix: "llm-bench-sessions-" });
  const dir = join(state, "llm", "sessions");
  await Deno.mkdir(join(dir, "running"), { recursive: true });
  const start = ownStart();
  for (let i = 0; i < MANIFESTS; i++) {
    const running = i >= MANIFESTS - RUNNING;
    const m = manifest(i, running, Deno.pid, start);
    await Deno.writeTextFile(join(dir, `${m.id}.json`), manifestText(m), { mode: 0o600 });
    if (running) await Deno.writeTextFile(join(dir, "running", m.name), `${m.id}\n`);
  }
  const env = { ...Deno.env.toObject(), XDG_STATE_HOME: state };
  // As `deno task llm` runs it (permissions, dynamic imports loaded when they run).
  const flags = await llmFlags(main);
  const time = async (args: string[]): Promise<number> => {
    const t = performance.now();
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...flags, "--quiet", main, ...args],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const ms = performance.now() - t;
    if (!out.success) {
      throw new Error(`llm ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
    }
    return ms;
  };
  const rows: [string, string, string][] = [];
  try {
    for (const args of [["--version"], ["ps"], ["ps", "--all"], ["ps", "--all", "--json"]]) {
      await time(args);
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) ms.push(await time(args));
      rows.push([
        args[0] === "--version"
          ? "llm --version (start-up alone, for comparison), median ms"
          : `llm ${args.join(" ")}, ${MANIFESTS} manifests (${RUNNING} running), median ms`,
        median(ms).toFixed(1),
        args[0] === "ps" && args.length === 1 ? "< 50" : "",
      ]);
      if (args.join(" ") === "ps --all") rows.push(inProcess(state));
    }
  } finally {
    await Deno.remove(state, { recursive: true });
  }
  return rows;
}

/**
 * The runtime processes a recorded launch starts besides its `podman run`:
 * `llm shell -- true` three times through a `podman` first on PATH that
 * logs its arguments (rootful podman of the e2e set-up). The first launch
 * may ask `podman --version` (cached per executable); the image facts
 * come from podman's store, so a later launch should start none.
 */
export async function launchProcessRows(
  main: string,
  podman: string,
  image: string,
  podmanEnv: Record<string, string>,
): Promise<[string, string, string][]> {
  const root = await Deno.makeTempDir({ prefix: "llm-bench-launch-" });
  try {
    const bin = join(root, "bin");
    const log = join(root, "calls.log");
    await Deno.mkdir(bin);
    await Deno.writeTextFile(
      join(bin, "podman"),
      `#!/bin/sh\necho "$1 $2" >> '${log}'\nexec '${podman}' "$@"\n`,
      { mode: 0o755 },
    );
    const env = {
      ...Deno.env.toObject(),
      ...podmanEnv,
      HOME: root,
      PATH: `${bin}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
    };
    const extra: number[] = [];
    for (let i = 0; i < 3; i++) {
      await Deno.writeTextFile(log, "");
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          ...await llmFlags(main),
          "--quiet",
          main,
          "--image-name",
          image,
          "shell",
          "--",
          "true",
        ],
        env,
        cwd: root,
        stdout: "null",
        stderr: "piped",
      }).output();
      if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
      const calls = (await Deno.readTextFile(log)).trim().split("\n").filter((l) => l !== "");
      extra.push(calls.filter((c) => !c.startsWith("run ")).length);
    }
    return [[
      "podman processes besides `podman run` per recorded launch (1st, 2nd, 3rd)",
      extra.join(", "),
      "0 once cached",
    ]];
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

if (import.meta.main) {
  const main = join(import.meta.dirname ?? ".", "..", "main.ts");
  for (const r of await sessionRows(main)) console.log(r.join(" | "));
  const { E2E_DIR } = await import("./e2e_setup.ts");
  const state = JSON.parse(await Deno.readTextFile(join(E2E_DIR, "state.json")));
  const rows = await launchProcessRows(main, state.podman, state.image, state.podmanEnv);
  for (const r of rows) console.log(r.join(" | "));
}
