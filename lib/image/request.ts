/**
 * From `llm build`'s options and a few host facts to a checked build
 * request. Pure: every file check goes through `HostFacts`.
 */
import { LlmError, UsageError } from "../errors.ts";
import { type ParsedOptions, sourceOf } from "../cli/parse.ts";
import type { HostFacts } from "../launch/host_facts.ts";
import { containerPlatform, imageRef, splitImageRef } from "../launch/image.ts";
import { hostPath } from "../launch/mounts.ts";
import { DEFAULT_BUILD_IMAGE } from "./spec.ts";

/** Pinned agent versions; an agent left out gets the Dockerfile's default (`latest`). */
export interface AgentVersions {
  readonly claude?: string;
  readonly codex?: string;
  readonly pi?: string;
}

/** What to build; every path is absolute and was checked. */
export interface BuildRequest {
  /** Image reference to tag the result with. */
  readonly image: string;
  /** `linux/amd64` or `linux/arm64`. */
  readonly platform: string;
  readonly noCache: boolean;
  /** CA bundle given to the build as the `mitm_ca_bundle` secret. */
  readonly certs?: string;
  readonly versions?: AgentVersions;
  /** A Dockerfile chosen with `--file`; otherwise the one shipped with llm. */
  readonly file?: string;
}

/** The agent version options and their build arguments, in argv order. */
export const VERSION_OPTIONS = [
  { option: "claude-version", buildArg: "CLAUDE_VERSION", agent: "claude" },
  { option: "codex-version", buildArg: "CODEX_VERSION", agent: "codex" },
  { option: "pi-version", buildArg: "PI_VERSION", agent: "pi" },
] as const;

/** A version as npm and apt spell them (or `latest`), and nothing a build arg would mangle. */
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._+~-]*$/;

/** How much of a CA bundle to read when checking that it is PEM. */
const PEM_PROBE_BYTES = 1 << 20;

/**
 * Check `llm build`'s options against the host.
 *
 * @example
 * ```ts ignore
 * buildRequest(options, system);
 * // { image: "localhost/llm-devcontainer:latest", platform: "linux/amd64", noCache: false }
 * ```
 */
export function buildRequest(options: ParsedOptions, facts: HostFacts): BuildRequest {
  const defaults = splitImageRef(DEFAULT_BUILD_IMAGE);
  // A config file's image and tag name what launches run, not what to build.
  const typed = (name: string) =>
    sourceOf(options, name).startsWith("--") ? options.values.get(name) : undefined;
  const image = imageRef({
    name: typed("image-name"),
    tag: typed("tag"),
    defaultName: defaults.name,
    defaultTag: defaults.tag ?? "latest",
  });
  const platform = containerPlatform(options.values.get("arch"), facts.arch);
  const versions = agentVersions(options);
  const certs = certsPath(options.values.get("certs"), sourceOf(options, "certs"), facts);
  const file = dockerfilePath(options.values.get("file"), facts);
  return {
    image,
    platform,
    noCache: options.flags.has("no-cache"),
    ...(certs === undefined ? {} : { certs }),
    ...(versions === undefined ? {} : { versions }),
    ...(file === undefined ? {} : { file }),
  };
}

/**
 * The versions given, each checked, or undefined when none is: pinning one
 * agent leaves the others at the Dockerfile's default.
 *
 * @example
 * ```ts
 * import { agentVersions } from "./request.ts";
 * const values = new Map([["codex-version", "0.46.0"]]);
 * agentVersions({ flags: new Set(), values, lists: new Map() }); // { codex: "0.46.0" }
 * ```
 */
export function agentVersions(options: ParsedOptions): AgentVersions | undefined {
  const versions: Record<string, string> = {};
  for (const { option, agent } of VERSION_OPTIONS) {
    const v = options.values.get(option);
    if (v === undefined) continue;
    if (!VERSION.test(v)) {
      throw new UsageError(
        `--${option} '${v}' is not a version: expected something like 1.2.3 or latest`,
      );
    }
    versions[agent] = v;
  }
  return Object.keys(versions).length === 0 ? undefined : versions;
}

/**
 * The CA bundle from the `certs` option (whose `source` names where it was
 * set), else `LLM_DEVCONTAINER_CERTS`, checked to be a PEM file.
 */
export function certsPath(
  value: string | undefined,
  source: string,
  facts: HostFacts,
): string | undefined {
  const fromEnv = facts.env.LLM_DEVCONTAINER_CERTS;
  const origin = value !== undefined ? source : "LLM_DEVCONTAINER_CERTS";
  const given = value ?? (fromEnv === "" ? undefined : fromEnv);
  if (given === undefined) return undefined;
  if (given.trim() === "") throw new UsageError("--certs needs a file name");
  const path = hostPath(given, facts.home, facts.cwd);
  const kind = facts.stat(path);
  if (kind !== "file") {
    throw new LlmError(
      `${origin} ${path} ${
        kind === null ? "does not exist" : "is not a file"
      }; give a PEM file of CA certificates`,
    );
  }
  // podman and docker split the --secret value on commas.
  if (path.includes(",")) {
    throw new LlmError(
      `${origin} ${path}: the path contains a comma, which --secret cannot carry; copy the file ` +
        `to a path without one`,
    );
  }
  const head = facts.readHead(path, PEM_PROBE_BYTES);
  const text = head === null ? "" : new TextDecoder().decode(head);
  if (!text.includes("-----BEGIN CERTIFICATE-----")) {
    throw new LlmError(
      `${origin} ${path} is not a PEM CA bundle (no '-----BEGIN CERTIFICATE-----' line)`,
    );
  }
  return path;
}

/** The `--file` Dockerfile, absolute and checked to exist. */
export function dockerfilePath(flag: string | undefined, facts: HostFacts): string | undefined {
  if (flag === undefined) return undefined;
  if (flag.trim() === "") throw new UsageError("--file needs a Dockerfile path");
  const path = hostPath(flag, facts.home, facts.cwd);
  const kind = facts.stat(path);
  if (kind !== "file") {
    throw new LlmError(
      `--file ${path} ${kind === null ? "does not exist" : "is not a file"}; give a Dockerfile`,
    );
  }
  return path;
}
