/**
 * From parsed options and the host environment to a `LaunchRequest`: the
 * user's intent, with environment-variable defaults applied, not yet checked
 * against the host.
 */
import { UsageError } from "../errors.ts";
import type { ParsedOptions } from "../cli/parse.ts";
import { splitShellWords } from "../text/shell_words.ts";
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

/** Build a request; `LLM_DEVCONTAINER_MOUNTS` specs come before `--mount` ones. */
export function launchRequest(
  agent: AgentDef,
  agentArgs: readonly string[],
  options: ParsedOptions,
  hostEnv: Readonly<Record<string, string>>,
): LaunchRequest {
  const envMounts = defaultMounts(hostEnv.LLM_DEVCONTAINER_MOUNTS ?? "");
  const flagMounts = (options.lists.get("mount") ?? []).map((spec) => ({
    spec,
    origin: `--mount ${spec}`,
  }));
  const certsFlag = options.values.get("certs");
  const certsEnv = hostEnv.LLM_DEVCONTAINER_CERTS;
  const certs = certsFlag !== undefined
    ? { path: certsFlag, origin: "--certs" }
    : certsEnv
    ? { path: certsEnv, origin: "LLM_DEVCONTAINER_CERTS" }
    : undefined;
  return {
    agent,
    agentArgs: agentArgs[0] === "--" ? agentArgs.slice(1) : agentArgs,
    mounts: [...envMounts, ...flagMounts],
    workspaceMount: options.values.get("workspace-mount"),
    globalReadOnly: options.flags.has("global-read-only"),
    ro: options.lists.get("ro") ?? [],
    mask: options.lists.get("mask") ?? [],
    pathPrepend: options.lists.get("path-prepend") ?? [],
    condaEnv: options.values.get("conda-env"),
    certs,
    env: options.lists.get("env") ?? [],
    imageName: options.values.get("image-name"),
    tag: options.values.get("tag"),
    arch: options.values.get("arch"),
  };
}

/** Split `LLM_DEVCONTAINER_MOUNTS` into specs. */
export function defaultMounts(value: string): SpecWithOrigin[] {
  let words: string[];
  try {
    words = splitShellWords(value);
  } catch (e) {
    throw new UsageError(
      `LLM_DEVCONTAINER_MOUNTS: ${(e as Error).message}; quote each spec as in a shell`,
    );
  }
  return words.map((spec) => ({ spec, origin: `LLM_DEVCONTAINER_MOUNTS ${spec}` }));
}
