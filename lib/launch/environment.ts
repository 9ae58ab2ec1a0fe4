/**
 * The environment inside the container: identity, PATH, the host variables an
 * agent may see, and Amazon Bedrock credentials.
 */
import { LlmError, UsageError } from "../errors.ts";
import type { AgentDef } from "./agents.ts";
import { BASE_PATH, CONTAINER_HOME, CONTAINER_USER } from "./container.ts";

const PROXIES = ["http_proxy", "https_proxy", "no_proxy"] as const;

/** AWS variables that carry static keys; never passed when a profile is used. */
export const STATIC_AWS_KEYS = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_SECURITY_TOKEN",
  "AWS_CREDENTIAL_EXPIRATION",
] as const;

/** The profile `llm refresh` writes into `~/.aws/config`. */
export const EXPORT_PROFILE = "llm-export";

/** What a variable name may be: runtimes trim or reinterpret anything else (' PATH' is PATH). */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parse `--env KEY=VALUE` and `--env KEY` values (the latter from `hostEnv`);
 * a key that is not a name, or a bare KEY that is not set, is a usage error.
 */
export function parseEnvAssignments(
  values: readonly string[],
  hostEnv: Readonly<Record<string, string>> = {},
): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of values) {
    const eq = v.indexOf("=");
    // NAME alone takes the value from llm's own environment (as `docker run -e NAME`
    // does), so a secret need not be written on any command line.
    const key = eq < 0 ? v : v.slice(0, eq);
    if (!ENV_NAME.test(key)) {
      throw new UsageError(
        eq === 0 || key === ""
          ? `--env '${v}' must be KEY=VALUE, or KEY alone to pass llm's own value`
          : `--env '${v}': '${key}' is not a variable name (letters, digits and _, not starting ` +
            `with a digit)`,
      );
    }
    if (eq < 0) {
      const value = hostEnv[key];
      if (value === undefined) {
        throw new UsageError(
          `--env ${key}: ${key} is not set in llm's environment; export it, or give ${key}=VALUE`,
        );
      }
      out.set(key, value);
    } else {
      out.set(key, v.slice(eq + 1));
    }
  }
  return out;
}

/** Join PATH elements, dropping empty ones: an empty element would mean the current directory. */
export function joinPath(elements: readonly string[]): string {
  return elements.filter((e) => e !== "").join(":");
}

/** Inputs of `containerEnvironment`. */
export interface EnvironmentInput {
  readonly agent: AgentDef;
  readonly hostEnv: Readonly<Record<string, string>>;
  /** `--env` assignments; they win over everything. */
  readonly overrides: ReadonlyMap<string, string>;
  readonly hostWorkdir: string;
  /** Container directories to put before the base PATH, in order. */
  readonly pathPrepend: readonly string[];
  /** Variables pointing at the mounted CA bundle, when `--certs` is used. */
  readonly certs?: { target: string; variables: readonly string[] };
  /** Bedrock settings computed by `bedrockSettings`. */
  readonly bedrock?: BedrockSettings;
}

/**
 * Build the container environment as ordered pairs. Defaults first, then the
 * agent's host variables, then `--env`, which replaces any default in place.
 */
export function containerEnvironment(input: EnvironmentInput): [string, string][] {
  const env = new Map<string, string>();
  env.set("HOME", CONTAINER_HOME);
  env.set("USER", CONTAINER_USER);
  env.set("LOGNAME", CONTAINER_USER);
  env.set("USERNAME", CONTAINER_USER);
  env.set("TOOL", input.agent.name);
  env.set("HOST_MOUNT_DIR", input.hostWorkdir);
  env.set("PATH", joinPath([...input.pathPrepend, ...BASE_PATH]));
  for (const [k, v] of proxyVariables(input.hostEnv)) env.set(k, v);
  for (const [k, v] of prefixedVariables(input.hostEnv, input.agent.envPrefixes)) env.set(k, v);
  if (input.bedrock) { for (const [k, v] of input.bedrock.variables) env.set(k, v); }
  if (input.certs) {
    for (const name of input.certs.variables) env.set(name, input.certs.target);
  }
  for (const [k, v] of input.overrides) env.set(k, v);
  return [...env];
}

/** Proxy variables; when only one case is set on the host, both get its value. */
export function proxyVariables(hostEnv: Readonly<Record<string, string>>): [string, string][] {
  const out: [string, string][] = [];
  for (const lower of PROXIES) {
    const upper = lower.toUpperCase();
    const lv = hostEnv[lower];
    const uv = hostEnv[upper];
    if (lv === undefined && uv === undefined) continue;
    out.push([lower, lv ?? uv as string]);
    out.push([upper, uv ?? lv as string]);
  }
  return out;
}

function prefixedVariables(
  hostEnv: Readonly<Record<string, string>>,
  prefixes: readonly string[],
): [string, string][] {
  return Object.keys(hostEnv)
    .filter((k) => prefixes.some((p) => k.startsWith(p)))
    .sort()
    .map((k) => [k, hostEnv[k]]);
}

/** What Bedrock needs: variables to set and whether `~/.aws` is mounted. */
export interface BedrockSettings {
  readonly variables: [string, string][];
}

/**
 * Decide Bedrock settings, or undefined when Bedrock is off. `effective` is
 * what the container would see without Bedrock (host pass-through plus
 * `--env`); `credentialsJsonExists` says whether `~/.aws/credentials.json` is
 * there.
 */
export function bedrockSettings(
  agent: AgentDef,
  hostEnv: Readonly<Record<string, string>>,
  effective: ReadonlyMap<string, string>,
  credentialsJsonExists: boolean,
): BedrockSettings | undefined {
  if (!agent.bedrockFlags.some((flag) => effective.get(flag) === "1")) return undefined;
  const profile = effective.get("AWS_PROFILE") ?? hostEnv.AWS_PROFILE;
  const useProfile = profile !== undefined || credentialsJsonExists;
  const variables: [string, string][] = [];
  for (const key of Object.keys(hostEnv).filter((k) => k.startsWith("AWS_")).sort()) {
    if (effective.has(key)) continue;
    if (useProfile && (STATIC_AWS_KEYS as readonly string[]).includes(key)) continue;
    variables.push([key, hostEnv[key]]);
  }
  if (profile === undefined && credentialsJsonExists) {
    variables.push(["AWS_PROFILE", EXPORT_PROFILE]);
  }
  const hasStaticKeys = effective.has("AWS_ACCESS_KEY_ID") ||
    hostEnv.AWS_ACCESS_KEY_ID !== undefined;
  if (!useProfile && !hasStaticKeys) {
    throw new LlmError(
      "Bedrock is on but no AWS credentials were found: set AWS_PROFILE, or run 'llm refresh' " +
        "to write ~/.aws/credentials.json",
    );
  }
  return { variables };
}
