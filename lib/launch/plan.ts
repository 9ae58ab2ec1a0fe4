/**
 * The launch planner: from a request and host facts to a runtime-neutral
 * plan (image, mounts, environment, command). Pure: it reads the host only
 * through `HostFacts` and changes nothing.
 */
import { LlmError, UsageError } from "../errors.ts";
import { isAbsolute, join, relative, resolve } from "../std/path.ts";
import type { EnsurePath } from "./agents.ts";
import { mapAwsPaths } from "./aws_paths.ts";
import { checkCaBundle } from "./certs.ts";
import { checkCondaEnv } from "./conda_env.ts";
import { CERT_VARIABLES, CERTS_TARGET, CONTAINER_HOME, DEFAULT_IMAGE } from "./container.ts";
import { bedrockSettings, containerEnvironment, parseEnvAssignments } from "./environment.ts";
import type { HostFacts } from "./host_facts.ts";
import { containerPlatform, imageRef } from "./image.ts";
import {
  hostPath,
  isWithin,
  type Mount,
  reconcileMounts,
  resolveMountSpec,
  trimSlash,
} from "./mounts.ts";
import { inheritProtections, protectPaths } from "./protect.ts";
import { fromWorkspaceFile, resolveSource } from "./resolve.ts";
import { protectHostConfig } from "./agent_config.ts";
import { claudeStateFile, type SessionFile } from "./session_copy.ts";
import type { LaunchRequest } from "./request.ts";
import { type NetworkPolicy, resolveNetworkPolicy } from "../egress/policy.ts";
import { egressVariables, HOST_PROXY_VARIABLES } from "../egress/container.ts";
import { parseResources, type Resources } from "./resources.ts";

/**
 * Container directories the workspace must not cover or replace: mounted
 * there it would hide the image's own system (and `/` would cover all of
 * it), so the agent could not even start.
 */
const CONTAINER_SYSTEM_DIRS = [
  "/bin",
  "/sbin",
  "/lib",
  "/lib32",
  "/lib64",
  "/libx32",
  "/usr",
  "/etc",
  "/proc",
  "/sys",
  "/dev",
];

/** Refuse a workspace that is the host's root or would land on the container's system. */
function checkWorkspacePlace(
  host: string,
  real: string,
  target: string,
  targetGiven: boolean,
): void {
  if (host === "/" || real === "/") {
    throw new LlmError(
      `the working directory ${host} is the root directory, which would give the agent the ` +
        `whole machine; cd into a project directory and launch from there`,
    );
  }
  const system = target === "/"
    ? "/"
    : CONTAINER_SYSTEM_DIRS.find((d) => target === d || isWithin(target, d));
  if (system !== undefined) {
    const how = targetGiven
      ? "give --workspace-mount another path, such as /work"
      : "launch from a project directory elsewhere, or give --workspace-mount /work";
    throw new LlmError(
      `the workspace would be mounted at ${target}, ${
        system === "/" ? "over the container's whole system" : `inside the container's ${system}`
      }, where it hides files the agent needs to start; ${how}`,
    );
  }
}

/** Something to create on the host before a real launch. */
export interface EnsureAction extends EnsurePath {
  /** Absolute host path. */
  readonly hostPath: string;
}

/** Everything a runtime adapter needs to start the agent. */
export interface LaunchPlan {
  readonly agent: string;
  readonly image: string;
  readonly platform: string;
  /** Container working directory (the workspace). */
  readonly workdir: string;
  readonly mounts: readonly Mount[];
  readonly env: readonly (readonly [string, string])[];
  readonly command: readonly string[];
  /** Created before launch, never on --dry-run. */
  readonly ensure: readonly EnsureAction[];
  readonly warnings: readonly string[];
  /** Shown with --verbose. */
  readonly notes: readonly string[];
  /** Host files the agent sees as copies, merged back at exit. */
  readonly sessionFiles: readonly SessionFile[];
  /**
   * The network policy: `open` (the runtime's default network), `none`
   * (loopback only) or `allow` (no network but llm's filtering proxy, whose
   * variables are in `env`). Runtime adapters turn it into arguments.
   */
  readonly network: NetworkPolicy;
  /** `--cpus`, `--memory`, `--gpus` (lib/launch/resources.ts). */
  readonly resources?: Resources;
  /** `--runtime-arg`s, passed verbatim after llm's own (a warning says so). */
  readonly runtimeArgs?: readonly string[];
  /** The session's container name and labels (podman, docker); none on --dry-run. */
  readonly session?: SessionTag;
}

/** How a session's container is named and labelled (lib/session/labels.ts). */
export interface SessionTag {
  readonly name: string;
  readonly labels: readonly (readonly [string, string])[];
}

/**
 * Plan a launch.
 *
 * @example
 * ```ts ignore
 * const plan = planLaunch(request, facts);
 * plan.command; // ["codex", "--sandbox", "danger-full-access"]
 * ```
 */
export function planLaunch(request: LaunchRequest, facts: HostFacts): LaunchPlan {
  const agent = request.agent;
  const overrides = parseEnvAssignments(request.env, facts.env);
  const platform = containerPlatform(request.arch, facts.arch);
  const image = imageRef({
    name: request.imageName,
    tag: request.tag,
    defaultName: agent.defaultImage ?? DEFAULT_IMAGE,
    defaultTag: agent.defaultTag,
  });

  if (request.workspaceMount !== undefined && !isAbsolute(request.workspaceMount)) {
    throw new UsageError(
      `--workspace-mount '${request.workspaceMount}' must be an absolute container path`,
    );
  }
  const hostWorkdir = facts.cwd;
  const realWorkdir = facts.realPath(hostWorkdir) ?? hostWorkdir;
  const workdir = trimSlash(request.workspaceMount ?? hostWorkdir);
  checkWorkspacePlace(hostWorkdir, realWorkdir, workdir, request.workspaceMount !== undefined);

  const mounts: Mount[] = [];
  const ensure: EnsureAction[] = agent.ensure.map((e) => ({
    ...e,
    hostPath: join(facts.home, e.path),
  }));
  const sessionFiles: SessionFile[] = [];
  for (const cred of agent.credentials) {
    const source = join(facts.home, cred);
    const willExist = ensure.some((e) => e.hostPath === source);
    if (cred === ".claude.json" && !request.writableAgentConfig) {
      const file = claudeStateFile(facts.home);
      sessionFiles.push(file);
      mounts.push({
        kind: "bind",
        source: file.copy,
        inScratch: true,
        target: join(CONTAINER_HOME, cred),
        readOnly: false,
        origin: `session copy of ${file.label}`,
      });
    } else if (willExist || facts.stat(source) !== null) {
      mounts.push({
        kind: "bind",
        source,
        target: join(CONTAINER_HOME, cred),
        readOnly: false,
        origin: `credentials ~/${cred}`,
      });
    }
  }

  mounts.push({
    kind: "bind",
    source: hostWorkdir,
    target: workdir,
    readOnly: request.globalReadOnly,
    origin: "workspace",
  });

  const workspace = { path: hostWorkdir, real: realWorkdir };
  for (const { spec, origin } of request.mounts) {
    mounts.push(resolveMountSpec(spec, facts, origin, workspace));
  }

  const toContainer = (hostAbs: string): string | undefined => {
    for (const base of [hostWorkdir, realWorkdir]) {
      if (isWithin(hostAbs, base)) return join(workdir, relative(base, hostAbs));
    }
    return undefined;
  };

  const protections = protectPaths({
    ro: request.ro,
    mask: request.mask,
    roIfPresent: request.roIfPresent,
    maskIfPresent: request.maskIfPresent,
    workspace,
    workdir,
    readOnly: request.globalReadOnly,
  }, facts);
  mounts.push(...protections.mounts);
  mounts.push(...inheritProtections(mounts, protections.targets, facts));

  const pathPrepend: string[] = [];
  if (request.condaEnv !== undefined) {
    const named = trimSlash(hostPath(request.condaEnv, facts.home, facts.cwd));
    const envPath = resolveSource(named, workspace, facts, {
      what: `--conda-env ${request.condaEnv}`,
      fromWorkspaceFile: false,
    }) ?? named;
    checkCondaEnv(envPath, facts);
    let target = toContainer(envPath);
    if (target === undefined) {
      // Where the user named it: the environment's scripts may carry that prefix.
      target = named;
      mounts.push({
        kind: "bind",
        source: envPath,
        target,
        readOnly: false,
        origin: `--conda-env ${request.condaEnv}`,
      });
    }
    pathPrepend.push(join(target, "bin"));
  }

  let certs: { target: string; variables: readonly string[] } | undefined;
  if (request.certs) {
    const named = hostPath(request.certs.path, facts.home, facts.cwd);
    const path = resolveSource(named, workspace, facts, {
      what: request.certs.origin,
      fromWorkspaceFile: fromWorkspaceFile(request.certs.origin, workspace),
    }) ?? named;
    checkCaBundle(path, request.certs.origin, facts);
    mounts.push({
      kind: "bind",
      source: path,
      target: CERTS_TARGET,
      readOnly: true,
      origin: request.certs.origin,
    });
    certs = { target: CERTS_TARGET, variables: CERT_VARIABLES.filter((v) => !overrides.has(v)) };
  }

  const effective = new Map<string, string>();
  for (const [k, v] of Object.entries(facts.env)) {
    if (agent.envPrefixes.some((p) => k.startsWith(p))) effective.set(k, v);
  }
  for (const [k, v] of overrides) effective.set(k, v);
  const awsDir = join(facts.home, ".aws");
  const bedrock = bedrockSettings(
    agent,
    facts.env,
    effective,
    facts.stat(join(awsDir, "credentials.json")) === "file",
  );
  const awsMounted = bedrock !== undefined && facts.stat(awsDir) === "dir";
  if (awsMounted) {
    // Read-only: the agent needs the profiles and what `llm refresh` wrote,
    // while a writable ~/.aws would let it plant commands the host's aws
    // runs (credential_process, `!` aliases in cli/alias).
    mounts.push({
      kind: "bind",
      source: awsDir,
      target: join(CONTAINER_HOME, ".aws"),
      readOnly: !request.writableAgentConfig,
      origin: "Bedrock ~/.aws",
    });
  }
  const awsPaths = bedrock === undefined ? undefined : mapAwsPaths(
    bedrock.variables,
    facts.home,
    facts.cwd,
    awsMounted ? awsDir : undefined,
    mounts,
  );

  const configWarnings: string[] = [];
  if (request.writableAgentConfig) {
    configWarnings.push(
      "--writable-agent-config: the agent can change settings that run commands on this host " +
        "later (hooks, MCP servers, notify, credential_process); review them before using the " +
        "agents outside the container",
    );
  } else {
    const mountedDirs = mounts.flatMap((m) =>
      m.kind === "bind" &&
        m.origin.startsWith("credentials ~/")
        ? [relative(facts.home, m.source)]
        : []
    );
    const config = protectHostConfig(mountedDirs, facts, ensure);
    mounts.push(...config.mounts);
    ensure.push(...config.ensure);
  }

  const { mounts: finalMounts, warnings } = reconcileMounts(mounts);
  warnings.push(...protections.warnings, ...configWarnings, ...(awsPaths?.warnings ?? []));
  // The workspace is the one broad mount: from the home directory (or any
  // directory above home) it exposes every file there, SSH keys included.
  const realHome = facts.realPath(facts.home) ?? facts.home;
  if (isWithin(realHome, realWorkdir)) {
    const what = realWorkdir === realHome
      ? "is your home directory"
      : `contains your home directory ${facts.home}`;
    warnings.unshift(
      `the working directory ${hostWorkdir} ${what}: the agent can read and change everything ` +
        `in it; cd into a project first`,
    );
  }

  for (const p of request.pathPrepend) {
    if (p === "") throw new UsageError("--path-prepend needs a non-empty directory");
    if (p.includes(":")) {
      throw new UsageError(
        `--path-prepend '${p}' must be one directory (no ':'); repeat the option`,
      );
    }
    const target = isAbsolute(p) ? trimSlash(p) : resolve(workdir, p);
    if (
      isAbsolute(p) && !finalMounts.some((m) => m.kind === "bind" && isWithin(target, m.target))
    ) {
      throw new LlmError(
        `--path-prepend ${p} is not under any mount; mount its directory with --mount or give a ` +
          `path relative to the workspace`,
      );
    }
    pathPrepend.push(target);
  }

  const policyInput = {
    agent: agent.name,
    user: request.network.user,
    project: request.network.project,
  };
  let network = resolveNetworkPolicy(policyInput);
  if (network.mode === "allow" && bedrock !== undefined) {
    // Only now: a region the agent would reach must be a region name.
    network = resolveNetworkPolicy({
      ...policyInput,
      bedrockRegions: bedrockRegions(effective, facts.env),
    });
  }
  let env = containerEnvironment({
    agent,
    hostEnv: facts.env,
    overrides,
    hostWorkdir,
    pathPrepend,
    certs,
    bedrock: awsPaths && { variables: awsPaths.variables },
  });
  if (network.mode !== "open") env = networkEnvironment(env, network, overrides);

  return {
    agent: agent.name,
    image,
    platform,
    workdir,
    mounts: finalMounts,
    env,
    command: agent.command(withStatusLine(request, warnings)),
    ensure,
    warnings,
    notes: [...protections.notes, ...network.notes],
    sessionFiles,
    network,
    resources: parseResources(request.resources ?? {}),
    runtimeArgs: request.runtimeArgs ?? [],
  };
}

/**
 * The environment under `allow` or `none`: the host's proxy variables go
 * (the container could not reach that proxy anyway), and under `allow`
 * llm's proxy takes their place; `--env` still wins.
 */
function networkEnvironment(
  env: readonly [string, string][],
  network: NetworkPolicy,
  overrides: ReadonlyMap<string, string>,
): [string, string][] {
  const proxies: readonly string[] = HOST_PROXY_VARIABLES;
  const out = new Map(env.filter(([k]) => !proxies.includes(k) || overrides.has(k)));
  if (network.mode === "allow") {
    for (const [k, v] of egressVariables()) if (!overrides.has(k)) out.set(k, v);
  }
  return [...out];
}

/**
 * The AWS regions a Bedrock launch calls: the region variables set for the
 * container or on the host, else us-east-1, where the agents default to.
 */
function bedrockRegions(
  effective: ReadonlyMap<string, string>,
  hostEnv: Readonly<Record<string, string>>,
): string[] {
  const names = ["AWS_REGION", "AWS_DEFAULT_REGION", "ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION"];
  const regions = names.map((n) => effective.get(n) ?? hostEnv[n]).filter((r) =>
    r !== undefined && r !== ""
  ) as string[];
  return regions.length > 0 ? [...new Set(regions)] : ["us-east-1"];
}

/**
 * The agent's arguments, after the ones that turn its status line on when
 * asked for. An agent without one warns only when the command line asked:
 * `status_line` in the user file is a preference for the agents that have one.
 */
function withStatusLine(request: LaunchRequest, warnings: string[]): readonly string[] {
  const asked = request.statusLine;
  if (asked === undefined) return request.agentArgs;
  const extra = request.agent.statusLineArgs;
  if (extra !== undefined) return [...extra, ...request.agentArgs];
  if (asked.origin.startsWith("--")) {
    warnings.push(
      `--status-line is for claude (Claude Code's status line); ${request.agent.name} has none`,
    );
  }
  return request.agentArgs;
}
