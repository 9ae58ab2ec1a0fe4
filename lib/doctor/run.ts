/**
 * `llm doctor`: gathers facts through the System seam and judges them with
 * ./checks.ts.
 */
import { LlmError } from "../errors.ts";
import type { CommandContext } from "../cli/command.ts";
import { type ParsedOptions, sourceOf } from "../cli/parse.ts";
import { agentImageOptions } from "../config/agent_image.ts";
import { loadConfig } from "../config/load.ts";
import type { AgentConfig } from "../config/schema.ts";
import { projectFileNote } from "../config/project_state.ts";
import { jwtExpiry } from "../credentials/pi_auth.ts";
import type { AgentDef } from "../launch/agents.ts";
import { DEFAULT_IMAGE } from "../launch/container.ts";
import { imageRef } from "../launch/image.ts";
import { hostPath } from "../launch/mounts.ts";
import { dockerInfoArgv, isRootlessDockerInfo } from "../runtime/docker.ts";
import { selectRuntime } from "../runtime/select.ts";
import { sifCacheDir, sifCacheFile, singularityRef } from "../runtime/singularity.ts";
import { join } from "../std/path.ts";
import type { System } from "../system/system.ts";
import { paletteFor } from "../text/colour.ts";
import {
  age,
  awsExpiration,
  certsCheck,
  type Check,
  expiryCheck,
  formatReport,
  report,
} from "./checks.ts";

/** Run `llm doctor`. */
export async function run({ options, system }: CommandContext): Promise<number> {
  const now = new Date();
  const checks: Check[] = [];
  let agents: readonly AgentDef[] = [];
  let configured: ReadonlyMap<string, AgentConfig> = new Map();
  try {
    const config = await loadConfig(system, options.values.get("config"));
    agents = config.agents;
    configured = config.configuredAgents;
    checks.push({
      id: "config",
      status: "pass",
      finding: config.userFile.exists
        ? `${config.userFile.path} parses`
        : "no config file (defaults)",
    });
    // A vanished trusted file is not ignored: its restrictions still apply.
    const project = projectFileNote(config.projectFile);
    if (project) checks.push({ id: "project file", status: "warn", ...project });
  } catch (e) {
    if (!(e instanceof LlmError)) throw e;
    checks.push({
      id: "config",
      status: "fail",
      finding: e.message,
      fix: "fix the file as the message says",
    });
    const { BUILTIN_AGENTS } = await import("../launch/agents.ts");
    agents = BUILTIN_AGENTS;
  }

  const runtime = await runtimeChecks(options, system);
  checks.push(...runtime.checks);
  if (system.os === "darwin" && runtime.name === "podman") checks.push(await macosCheck(system));
  if (runtime.name) {
    checks.push(
      ...await imageChecks(
        runtime.name,
        agents,
        (agent) =>
          // The image a launch of the agent runs: its own image and tag win over the file's.
          agentImageOptions(options, agent, configured.get(agent.name)).values,
        system,
        now,
      ),
    );
  }
  checks.push(...credentialChecks(agents, system, now));
  const certs = options.values.get("certs");
  const certsPath = certs === undefined ? undefined : hostPath(certs, system.home, system.cwd);
  checks.push(certsCheck(certsPath, certsPath === undefined ? null : safeRead(system, certsPath)));

  const result = report(checks);
  if (options.flags.has("json")) system.stdout(JSON.stringify(result, null, 2) + "\n");
  else system.stdout(formatReport(result, await paletteFor(system, "stdout")));
  return result.ok ? 0 : 1;
}

/** How to ask a daemon-style runtime whether it answers and runs rootless. */
const ENGINE_PROBES: Readonly<
  Record<
    string,
    { args: string[]; rootless: (out: string) => boolean; fix: (os: string) => string }
  >
> = {
  podman: {
    args: ["info", "--format", "{{.Host.Security.Rootless}}"],
    rootless: (out) => out.trim() === "true",
    fix: (os) =>
      os === "darwin"
        ? "start the machine: podman machine start (or open Podman Desktop)"
        : "run 'podman info' to see what is wrong",
  },
  docker: {
    args: dockerInfoArgv("docker").slice(1),
    rootless: isRootlessDockerInfo,
    fix: () => "start the Docker engine (systemctl start docker, or Docker Desktop)",
  },
};

/**
 * Where `--backend` came from, for the runtime line: the command line, an
 * environment variable or a config file (`FILE:LINE`).
 */
export function backendOrigin(source: string): string {
  if (source.startsWith("--")) return `requested with ${source}`;
  if (/^[A-Z][A-Z0-9_]*$/.test(source)) return `requested with ${source}`;
  return `set in ${source}`;
}

async function runtimeChecks(
  options: ParsedOptions,
  system: System,
): Promise<{ checks: Check[]; name?: string }> {
  const backend = options.values.get("backend");
  const requested = backend !== undefined && backend !== "" && backend !== "auto";
  const origin = requested ? backendOrigin(sourceOf(options, "backend")) : "";
  let choice;
  try {
    choice = selectRuntime(backend, (n) => system.which(n), false, system.os);
  } catch (e) {
    if (!(e instanceof LlmError)) throw e;
    return {
      checks: [{
        id: "runtime",
        status: "fail",
        finding: requested ? `${e.message} (backend ${origin})` : e.message,
        fix: "install a container runtime",
      }],
    };
  }
  // selectRuntime cannot tell the config file from the command line apart.
  const reason = requested
    ? `${choice.executable}: ${origin} (${system.which(choice.executable)})`
    : choice.reason;
  const name = choice.executable;
  const version = await system.output([name, "--version"]);
  if (version.code !== 0) {
    return {
      checks: [{
        id: "runtime",
        status: "fail",
        finding: `${name} --version failed (exit ${version.code}): ${lastLine(version.stderr)}`,
        fix: `check the ${name} installation`,
      }],
    };
  }
  const engine = ENGINE_PROBES[name];
  let mode = "";
  if (engine) {
    const info = await system.output([name, ...engine.args]);
    if (info.code !== 0) {
      return {
        name,
        checks: [{
          id: "runtime",
          status: "fail",
          finding: `${lastLine(version.stdout)}, but '${name} info' failed: ${
            lastLine(info.stderr)
          }`,
          fix: engine.fix(system.os),
        }],
      };
    }
    mode = engine.rootless(info.stdout) ? ", rootless" : ", rootful";
  }
  return {
    name,
    checks: [{
      id: "runtime",
      status: "pass",
      finding: `${lastLine(version.stdout)}${mode} (${reason})`,
    }],
  };
}

async function macosCheck(system: System): Promise<Check> {
  const { run } = await import("../macos/setup_command.ts");
  const { emptyOptions, mergeOptions } = await import("../cli/parse.ts");
  let text = "";
  const capture: System = {
    ...system,
    stdout: (t: string) => void (text += t),
    stderr: (t: string) => void (text += t),
  };
  const options = mergeOptions(emptyOptions(), {
    flags: new Set(["check"]),
    values: new Map(),
    lists: new Map(),
  });
  let code: number;
  try {
    code = await run({ options, args: [], system: capture });
  } catch (e) {
    if (!(e instanceof LlmError)) throw e;
    return {
      id: "podman machine",
      status: "fail",
      finding: e.message,
      fix: "llm setup-macos-volume --check",
    };
  }
  const lines = text.trim().split("\n").filter(Boolean);
  return code === 0 ? { id: "podman machine", status: "pass", finding: lines.join("; ") } : {
    id: "podman machine",
    status: "warn",
    finding: lines.filter((l) => !l.startsWith("fix:")).join("; "),
    fix: lines.find((l) => l.startsWith("fix:"))?.slice(4).trim() ?? "llm setup-macos-volume",
  };
}

async function imageChecks(
  runtime: string,
  agents: readonly AgentDef[],
  valuesFor: (agent: AgentDef) => ReadonlyMap<string, string>,
  system: System,
  now: Date,
): Promise<Check[]> {
  const checks: Check[] = [];
  for (const agent of agents) {
    const values = valuesFor(agent);
    const id = `image ${agent.name}`;
    if (runtime === "singularity" || runtime === "apptainer") {
      const ref = singularityRef({
        imageName: values.get("image-name"),
        tag: values.get("tag"),
        defaultTag: agent.defaultTag,
      });
      const file = sifCacheFile(sifCacheDir(system.env, system.home), ref);
      checks.push(
        system.stat(file) === "file" ? { id, status: "pass", finding: `${file} cached` } : {
          id,
          status: "warn",
          finding: `${ref} not cached (each launch downloads it)`,
          fix: `llm pull ${agent.name}`,
        },
      );
      continue;
    }
    const ref = imageRef({
      name: values.get("image-name"),
      tag: values.get("tag"),
      defaultName: agent.defaultImage ?? DEFAULT_IMAGE,
      defaultTag: agent.defaultTag,
    });
    const out = await system.output([runtime, "image", "inspect", "--format", "{{.Created}}", ref]);
    const created = new Date(out.stdout.trim().replace(/ \+0000 UTC$/, "Z").replace(" ", "T"));
    if (out.code !== 0) {
      checks.push({
        id,
        status: "warn",
        finding: `${ref} is not present locally (the first launch pulls it)`,
        fix: `llm pull ${agent.name}`,
      });
    } else {
      checks.push({
        id,
        status: "pass",
        finding: `${ref}${Number.isNaN(created.getTime()) ? "" : `, ${age(created, now)}`}`,
      });
    }
  }
  return checks;
}

function credentialChecks(agents: readonly AgentDef[], system: System, now: Date): Check[] {
  const checks: Check[] = [];
  const home = system.home;
  for (const agent of agents) {
    if (agent.name === "shell") continue;
    const id = `credentials ${agent.name}`;
    if (agent.name === "codex") {
      const path = join(home, ".codex", "auth.json");
      const text = safeRead(system, path);
      if (text === null) {
        checks.push({
          id,
          status: "warn",
          finding: `${path} missing: not logged in`,
          fix: "llm refresh --kind codex",
        });
        continue;
      }
      let exp: number | null = null;
      try {
        const token = (JSON.parse(text) as { tokens?: { access_token?: unknown } }).tokens
          ?.access_token;
        exp = typeof token === "string" ? jwtExpiry(token) : null;
      } catch {
        checks.push({
          id,
          status: "warn",
          finding: `${path} is not valid JSON`,
          fix: "llm refresh --kind codex",
        });
        continue;
      }
      checks.push(
        expiryCheck(id, `${path} access token`, exp === null ? null : new Date(exp * 1000), now),
      );
      continue;
    }
    checks.push(credentialPresence(agent, system));
  }
  const awsPath = join(home, ".aws", "credentials.json");
  const aws = safeRead(system, awsPath);
  if (aws !== null) {
    const exp = awsExpiration(aws);
    checks.push(
      exp === "malformed"
        ? {
          id: "credentials aws",
          status: "warn",
          finding: `${awsPath} is malformed`,
          fix: "llm refresh",
        }
        : expiryCheck("credentials aws", awsPath, exp, now),
    );
  }
  return checks;
}

/**
 * Whether an agent's credential paths exist. Built-in agents have theirs
 * created empty at the first launch; a config agent's `credentials:` are
 * mounted only once they exist, so a login inside the container would
 * otherwise be lost with it.
 */
function credentialPresence(agent: AgentDef, system: System): Check {
  const id = `credentials ${agent.name}`;
  const present = agent.credentials.filter((c) => system.stat(join(system.home, c)) !== null);
  const missing = agent.credentials.filter((c) => !present.includes(c));
  if (missing.length === 0) {
    return {
      id,
      status: "pass",
      finding: `present: ${present.map((c) => `~/${c}`).join(", ") || "none needed"}`,
    };
  }
  const ensured = new Set(agent.ensure.map((e) => e.path));
  const created = missing.filter((c) => ensured.has(c));
  const absent = missing.filter((c) => !ensured.has(c));
  const list = (paths: string[]) => paths.map((c) => `~/${c}`).join(", ");
  const parts = [
    ...(created.length ? [`${list(created)} (created empty at the first launch)`] : []),
    ...(absent.length ? [`${list(absent)} (not mounted until it exists)`] : []),
  ];
  return {
    id,
    status: "warn",
    finding: `missing: ${parts.join("; ")}`,
    fix: absent.length
      ? `mkdir -p ${absent.map((c) => `~/${c}`).join(" ")} on the host (or create the file, ` +
        `if the agent keeps one there), then log in once with 'llm ${agent.name}'`
      : `log in once with 'llm ${agent.name}'`,
  };
}

function safeRead(system: System, path: string): string | null {
  try {
    return system.readText(path);
  } catch {
    return null;
  }
}

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}
