/**
 * One plan, four backends: each argv is read back into what the container
 * gets (mounts, environment, working directory, command), and all four must
 * agree. Only the image reference may differ (Singularity uses its SIF).
 */
import { assertEquals } from "../../_assert.ts";
import type { LaunchPlan } from "../../../lib/launch/plan.ts";
import { dockerCommand } from "../../../lib/runtime/docker.ts";
import { podmanCommand } from "../../../lib/runtime/podman.ts";
import type { InvocationFacts, RuntimeCommand } from "../../../lib/runtime/runtime.ts";
import { singularityCommand } from "../../../lib/runtime/singularity.ts";
import { planFor } from "../launch/_plan.ts";

/** What the container sees, independent of the runtime's syntax. */
interface Seen {
  mounts: string[];
  env: Record<string, string>;
  workdir: string;
  command: string[];
}

const OCI_VALUE_FLAGS = new Set(["-v", "--mount"]);
const SCRATCH = "/tmp/llm-7";
const MASK_SOURCES = ["/dev/null", `${SCRATCH}/empty`, `${SCRATCH}/empty-file`];

/** A bind spec `SOURCE:TARGET[:OPTIONS]` as the container sees it (masks by target). */
function seenBind(v: string): string {
  const [source, target, options = ""] = v.split(":");
  const opts = options.split(",").filter((o) => o !== "" && o !== "nosuid" && o !== "nodev");
  if (MASK_SOURCES.includes(source)) {
    assertEquals(opts, ["ro"], v);
    return `mask:${target}`;
  }
  return [source, target, ...opts].join(":");
}

/**
 * Read a podman or docker `run` command back; the environment comes from its
 * env file, read as both runtimes read one (verbatim after the first '=').
 */
function readOci(command: RuntimeCommand): Seen {
  const { argv } = command;
  const seen: Seen = { mounts: [], env: {}, workdir: "", command: [] };
  assertEquals(argv.some((a) => a === "--env" || a.startsWith("--env=")), false, "no --env");
  assertEquals(argv.includes(`--env-file=${command.envFile?.path}`), true);
  for (const line of command.envFile?.lines ?? []) {
    const eq = line.indexOf("=");
    seen.env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  let i = 2;
  for (; i < argv.length && argv[i].startsWith("-"); i++) {
    const a = argv[i];
    if (OCI_VALUE_FLAGS.has(a)) {
      const v = argv[++i];
      if (a === "--mount") {
        const fields = Object.fromEntries(v.split(",").map((f) => f.split("=")));
        assertEquals([fields.type, fields.ro], ["tmpfs", "true"], v);
        seen.mounts.push(`mask:${fields.destination}`);
      } else {
        seen.mounts.push(seenBind(v));
      }
    } else if (a.startsWith("--workdir=")) {
      seen.workdir = a.slice("--workdir=".length);
    }
  }
  seen.command = argv.slice(i + 1) as string[];
  return seen;
}

/** Read a singularity `exec` command back; the environment comes from its `*ENV_` variables. */
function readSingularity(command: RuntimeCommand, prefix: string): Seen {
  const { argv } = command;
  const seen: Seen = { mounts: [], env: {}, workdir: "", command: [] };
  for (const [k, v] of Object.entries(command.env ?? {})) {
    assertEquals(k.startsWith(prefix), true, k);
    seen.env[k.slice(prefix.length)] = v;
  }
  let i = 2;
  for (; i < argv.length && argv[i].startsWith("-"); i++) {
    const a = argv[i];
    if (a === "--containall") continue;
    const v = argv[++i];
    if (a === "--home") seen.env.HOME = v.split(":")[1];
    else if (a === "--pwd") seen.workdir = v;
    else if (a === "--no-mount") assertEquals(v, "bind-paths");
    else if (a === "--bind") seen.mounts.push(seenBind(v));
    else throw new Error(`unexpected singularity flag ${a}`);
  }
  seen.command = argv.slice(i + 1) as string[];
  return seen;
}

const FACTS: InvocationFacts = {
  executable: "x",
  tty: true,
  uid: 1000,
  gid: 1000,
  os: "linux",
  scratch: SCRATCH,
};

function allBackends(plan: LaunchPlan): Record<string, Seen> {
  return {
    podman: readOci(podmanCommand(plan, FACTS)),
    docker: readOci(dockerCommand(plan, FACTS)),
    singularity: readSingularity(singularityCommand(plan, FACTS), "SINGULARITYENV_"),
    apptainer: readSingularity(
      singularityCommand(plan, { ...FACTS, executable: "apptainer" }),
      "APPTAINERENV_",
    ),
  };
}

const FILES = [
  "/home/user/.codex/",
  "/home/user/.claude/",
  "/home/user/.claude.json",
  "/data/",
  "/work/project/in/",
  "/work/project/secret/",
  "/work/project/.env",
  "/ca.pem",
  "/envs/e/bin/python",
  "/envs/e/conda-meta/",
];

const CASES: [string, string[]][] = [
  ["codex with arguments", ["codex", "exec", "it's a test"]],
  ["claude with --env values holding commas, quotes and '='", [
    "-e",
    "NO_PROXY=a,b",
    "-e",
    'MSG=say "hi" now',
    "-e",
    "OPTS=x=1,y=2",
    "-e",
    "ANTHROPIC_MODEL=m",
    "claude",
  ]],
  ["shell with --ro, masks, certs, extra and read-only mounts", [
    "--mount",
    "/data:/d:ro",
    "--ro",
    "in",
    "--mask",
    "secret",
    "--mask",
    ".env",
    "--certs",
    "/ca.pem",
    "--global-read-only",
    "shell",
    "--",
    "ls",
    "-la",
  ]],
  ["pi with a workspace mount point, a conda env and a PATH prepend", [
    "--workspace-mount",
    "/src",
    "--conda-env",
    "/envs/e",
    "--path-prepend",
    "tools/bin",
    "pi",
  ]],
];

for (const [name, argv] of CASES) {
  Deno.test(`every backend gives the container the same view: ${name}`, () => {
    const plan = planFor(argv, { files: FILES, env: { ANTHROPIC_API_KEY: "k" } });
    const seen = allBackends(plan);
    assertEquals(seen.podman.workdir, plan.workdir);
    assertEquals(seen.podman.command, plan.command);
    assertEquals(seen.podman.env, Object.fromEntries(plan.env));
    for (const backend of ["docker", "singularity", "apptainer"]) {
      assertEquals(seen[backend], seen.podman, backend);
    }
  });
}
