/**
 * One plan, four backends: each argv is read back into what the container
 * gets (mounts, environment, working directory, command), and all four must
 * agree. Only the image reference may differ (Singularity uses its SIF).
 */
import { assertEquals } from "../../_assert.ts";
import type { LaunchPlan } from "../../../lib/launch/plan.ts";
import { dockerCommand } from "../../../lib/runtime/docker.ts";
import { podmanCommand } from "../../../lib/runtime/podman.ts";
import type { InvocationFacts } from "../../../lib/runtime/runtime.ts";
import { singularityCommand } from "../../../lib/runtime/singularity.ts";
import { planFor } from "../launch/_plan.ts";
import { parseLikeSingularity } from "./_singularity_env.ts";

/** What the container sees, independent of the runtime's syntax. */
interface Seen {
  mounts: string[];
  env: Record<string, string>;
  workdir: string;
  command: string[];
}

const OCI_VALUE_FLAGS = new Set(["--env", "-v", "--mount"]);

/** Read a podman or docker `run` argv back. */
function readOci(argv: readonly string[]): Seen {
  const seen: Seen = { mounts: [], env: {}, workdir: "", command: [] };
  let i = 2;
  for (; i < argv.length && argv[i].startsWith("-"); i++) {
    const a = argv[i];
    if (OCI_VALUE_FLAGS.has(a)) {
      const v = argv[++i];
      if (a === "--env") {
        const eq = v.indexOf("=");
        seen.env[v.slice(0, eq)] = v.slice(eq + 1);
      } else if (a === "--mount") {
        const fields = Object.fromEntries(v.split(",").map((f) => f.split("=")));
        assertEquals([fields.type, fields.ro], ["tmpfs", "true"], v);
        seen.mounts.push(`mask:${fields.destination}`);
      } else if (v.startsWith("/dev/null:")) {
        assertEquals(v.endsWith(":ro"), true, v);
        seen.mounts.push(`mask:${v.split(":")[1]}`);
      } else {
        seen.mounts.push(v);
      }
    } else if (a.startsWith("--workdir=")) {
      seen.workdir = a.slice("--workdir=".length);
    }
  }
  seen.command = argv.slice(i + 1) as string[];
  return seen;
}

/** Read a singularity `exec` argv back. */
function readSingularity(argv: readonly string[], scratch: string): Seen {
  const seen: Seen = { mounts: [], env: {}, workdir: "", command: [] };
  let i = 2;
  for (; i < argv.length && argv[i].startsWith("-"); i++) {
    const a = argv[i];
    if (a === "--cleanenv" || a === "--contain") continue;
    const v = argv[++i];
    if (a === "--home") seen.env.HOME = v.split(":")[1];
    else if (a === "--pwd") seen.workdir = v;
    else if (a === "--env") { for (const [k, val] of parseLikeSingularity(v)) seen.env[k] = val; }
    else if (a === "--bind") {
      const [source, target, mode] = v.split(":");
      if (source === "/dev/null" || source === `${scratch}/empty`) {
        assertEquals(mode, "ro", v);
        seen.mounts.push(`mask:${target}`);
      } else {
        seen.mounts.push(v);
      }
    } else throw new Error(`unexpected singularity flag ${a}`);
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
  scratch: "/tmp/llm-7",
};

function allBackends(plan: LaunchPlan): Record<string, Seen> {
  return {
    podman: readOci(podmanCommand(plan, FACTS).argv),
    docker: readOci(dockerCommand(plan, FACTS).argv),
    singularity: readSingularity(singularityCommand(plan, FACTS).argv, "/tmp/llm-7"),
    apptainer: readSingularity(
      singularityCommand(plan, { ...FACTS, executable: "apptainer" }).argv,
      "/tmp/llm-7",
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
