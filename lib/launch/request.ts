/**
 * From the effective options to a `LaunchRequest`: the user's intent, not yet
 * checked against the host.
 */
import { type ParsedOptions, sourceOf } from "../cli/parse.ts";
import type { AgentDef } from "./agents.ts";

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
  /** `--writable-agent-config`: the agents' host-executed config stays writable. */
  readonly writableAgentConfig: boolean;
  readonly ro: readonly string[];
  readonly mask: readonly string[];
  readonly pathPrepend: readonly string[];
  /** `--conda-env` as given; a name is resolved before planning. */
  readonly condaEnv?: string;
  readonly certs?: { readonly path: string; readonly origin: string };
  readonly env: readonly string[];
  readonly imageName?: string;
  readonly tag?: string;
  readonly arch?: string;
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
    writableAgentConfig: options.flags.has("writable-agent-config"),
    ro: options.lists.get("ro") ?? [],
    mask: options.lists.get("mask") ?? [],
    pathPrepend: options.lists.get("path-prepend") ?? [],
    condaEnv: options.values.get("conda-env"),
    certs: certsPath === undefined
      ? undefined
      : { path: certsPath, origin: sourceOf(options, "certs") },
    env: options.lists.get("env") ?? [],
    imageName: options.values.get("image-name"),
    tag: options.values.get("tag"),
    arch: options.values.get("arch"),
  };
}
