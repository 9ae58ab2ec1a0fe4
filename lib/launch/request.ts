/**
 * From the effective options to a `LaunchRequest`: the user's intent, not yet
 * checked against the host.
 */
import { type ParsedOptions, sourceOf } from "../cli/parse.ts";
import type { AgentDef } from "./agents.ts";
import {
  type NetworkLayer,
  type NetworkMode,
  parseNetworkMode,
  PROJECT_NETWORK,
} from "../egress/policy.ts";
import type { Resources } from "./resources.ts";

/** A mount spec and where it came from. */
export interface SpecWithOrigin {
  readonly spec: string;
  readonly origin: string;
}

/** What the user asked for. */
export interface LaunchRequest {
  readonly agent: AgentDef;
  readonly agentArgs: readonly string[];
  readonly mounts: readonly SpecWithOrigin[];
  readonly workspaceMount?: string;
  readonly globalReadOnly: boolean;
  /** `--status-line` (or `status_line` in the user file) and where it was set. */
  readonly statusLine?: { readonly origin: string };
  /** `--writable-agent-config`: the agents' host-executed config stays writable. */
  readonly writableAgentConfig: boolean;
  readonly ro: readonly string[];
  readonly mask: readonly string[];
  /**
   * `ro` and `mask` entries of the user's config file: they apply where the
   * path exists, since one user file serves every project.
   */
  readonly roIfPresent: readonly string[];
  readonly maskIfPresent: readonly string[];
  readonly pathPrepend: readonly string[];
  /** `--conda-env` as given; a name is resolved before planning. */
  readonly condaEnv?: string;
  readonly certs?: { readonly path: string; readonly origin: string };
  readonly env: readonly string[];
  readonly imageName?: string;
  readonly tag?: string;
  readonly arch?: string;
  /** Where the network policy is set (lib/egress/policy.ts decides it in the plan). */
  readonly network: NetworkRequest;
  /** `--cpus`, `--memory`, `--gpus` as given (checked by the planner). */
  readonly resources?: Resources;
  /** `--runtime-arg`s, in order. */
  readonly runtimeArgs?: readonly string[];
  /** `--name`: the session's name (default derived from agent and workspace). */
  readonly sessionName?: string;
  /** `--worktree`: "" for the default name, or the name given. */
  readonly worktree?: string;
}

/** The network settings of each layer. */
export interface NetworkRequest {
  /** The user config file, then the command line. */
  readonly user: readonly NetworkLayer[];
  /** A trusted project file's, when it says anything about the network. */
  readonly project?: NetworkLayer;
}

/**
 * Build a request from the effective options (config file, environment
 * variables and command line already merged, see lib/config/layers.ts).
 */
export function launchRequest(
  agent: AgentDef,
  agentArgs: readonly string[],
  options: ParsedOptions,
): LaunchRequest {
  const mounts = (options.lists.get("mount") ?? []).map((spec, i) => ({
    spec,
    origin: `${sourceOf(options, "mount", i)} ${spec}`,
  }));
  const certsPath = options.values.get("certs");
  return {
    agent,
    agentArgs: agentArgs[0] === "--" ? agentArgs.slice(1) : agentArgs,
    mounts,
    workspaceMount: options.values.get("workspace-mount"),
    globalReadOnly: options.flags.has("global-read-only"),
    statusLine: options.flags.has("status-line")
      ? { origin: sourceOf(options, "status-line") }
      : undefined,
    writableAgentConfig: options.flags.has("writable-agent-config"),
    ro: required(options, "ro"),
    mask: required(options, "mask"),
    roIfPresent: fromUserConfig(options, "ro"),
    maskIfPresent: fromUserConfig(options, "mask"),
    pathPrepend: options.lists.get("path-prepend") ?? [],
    condaEnv: options.values.get("conda-env"),
    certs: certsPath === undefined
      ? undefined
      : { path: certsPath, origin: sourceOf(options, "certs") },
    env: options.lists.get("env") ?? [],
    imageName: options.values.get("image-name"),
    tag: options.values.get("tag"),
    arch: options.values.get("arch"),
    resources: {
      cpus: options.values.get("cpus"),
      memory: options.values.get("memory"),
      gpus: options.values.get("gpus"),
    },
    runtimeArgs: options.lists.get("runtime-arg") ?? [],
    sessionName: options.values.get("name"),
    worktree: options.values.get("worktree"),
    network: networkRequest(options),
  };
}

/**
 * Split the merged network settings back into their layers by source: the
 * command line (`--network`, `--allow-host`, `--allow-set`), the user file
 * and a project file (`.llm.yaml:N`; its `network:` arrives as
 * `project-network`, see lib/config/schema.ts).
 */
export function networkRequest(options: ParsedOptions): NetworkRequest {
  const isFlag = (s: string) => s.startsWith("--");
  const pick = (name: string, keep: (source: string) => boolean) => {
    const items: string[] = [];
    const sources: string[] = [];
    (options.lists.get(name) ?? []).forEach((item, i) => {
      const source = sourceOf(options, name, i);
      if (!keep(source)) return;
      items.push(item);
      sources.push(source);
    });
    return { items, sources };
  };
  const layer = (
    source: string,
    keep: (s: string) => boolean,
    mode: NetworkMode | undefined,
    impliesAllow = false,
  ): NetworkLayer => {
    const hosts = pick("allow-host", keep);
    const sets = pick("allow-set", keep);
    return {
      source,
      mode,
      hosts: hosts.items,
      hostSources: hosts.sources,
      sets: sets.items,
      impliesAllow,
    };
  };
  const modeValue = options.values.get("network");
  const modeSource = modeValue === undefined ? undefined : sourceOf(options, "network");
  const mode = modeValue === undefined
    ? undefined
    : parseNetworkMode(modeValue, modeSource === "--network" ? "--network" : `${modeSource}`);
  const fileSource = [
    ...(options.sources?.get("allow-host") ?? []),
    ...(options.sources?.get("allow-set") ?? []),
    ...(modeSource ? [modeSource] : []),
  ].find((s) => !isFlag(s) && !isProjectSource(s)) ?? "your config file";
  const fileLayer = layer(
    fileSource,
    (s) => !isFlag(s) && !isProjectSource(s),
    modeSource !== undefined && !isFlag(modeSource) ? mode : undefined,
  );
  const flagLayer = layer(
    "the command line",
    isFlag,
    modeSource !== undefined && isFlag(modeSource) ? mode : undefined,
    true,
  );
  const projectMode = options.values.get(PROJECT_NETWORK);
  const projectModeSource = projectMode === undefined
    ? undefined
    : sourceOf(options, PROJECT_NETWORK);
  const projectLayer = layer(
    projectModeSource ??
      [...(options.sources?.get("allow-host") ?? []), ...(options.sources?.get("allow-set") ?? [])]
        .find(isProjectSource) ??
      ".llm.yaml",
    isProjectSource,
    projectMode === undefined ? undefined : parseNetworkMode(projectMode, projectModeSource),
  );
  const said = (l: NetworkLayer) =>
    l.mode !== undefined || (l.hosts?.length ?? 0) + (l.sets?.length ?? 0) > 0;
  return {
    user: [fileLayer, flagLayer],
    project: said(projectLayer) ? projectLayer : undefined,
  };
}

/** Whether a setting's source (`FILE:LINE`) is a project file. */
export function isProjectSource(source: string): boolean {
  return /(^|\/)\.llm\.yaml(:\d+)?( |$)/.test(source);
}

/** `--ro` or `--mask` entries that must exist: from the command line or a project file. */
function required(options: ParsedOptions, name: "ro" | "mask"): string[] {
  return (options.lists.get(name) ?? []).filter((_, i) =>
    !isUserConfigSource(sourceOf(options, name, i))
  );
}

/** The user config's entries, which apply where the path exists: one file serves every project. */
function fromUserConfig(options: ParsedOptions, name: "ro" | "mask"): string[] {
  return (options.lists.get(name) ?? []).filter((_, i) =>
    isUserConfigSource(sourceOf(options, name, i))
  );
}

/**
 * Whether a setting's source (`--mask`, `FILE:LINE`) is the user config
 * file: a file that is not a project file. Masks come from nowhere else.
 */
export function isUserConfigSource(source: string): boolean {
  return !source.startsWith("--") && /:\d+$/.test(source) &&
    !/(^|\/)\.llm\.yaml:\d+$/.test(source);
}
