/**
 * Built-in allow lists: what each agent needs to reach its model and log in,
 * and named extra sets (`github`, `npm`, ...) a user can opt into.
 *
 * The agents' lists come from their own sources and documentation (Codex:
 * `api.openai.com` with an API key, `chatgpt.com/backend-api` and
 * `auth.openai.com` with a ChatGPT login; Claude Code: `api.anthropic.com`,
 * OAuth on `platform.claude.com` (formerly `console.anthropic.com`),
 * `claude.ai` for its WebFetch domain check; Pi: the providers its model
 * table points at). Deliberately left out: general-purpose services an
 * agent only uses for telemetry or error reports (`sentry.io`,
 * `statsig.com`), since anyone can open an account there and receive data;
 * Claude Code works without them.
 */
import { UsageError } from "../errors.ts";
import { type AllowEntry, parseAllowEntries, printable } from "./allowlist.ts";

const OPENAI = ["api.openai.com", "auth.openai.com", "chatgpt.com"];
const ANTHROPIC = [
  "api.anthropic.com",
  "platform.claude.com",
  "console.anthropic.com",
  "claude.ai",
  "statsig.anthropic.com",
];
/** Pi's model providers that serve nothing but model APIs (plus its OpenAI and Anthropic logins). */
const PI_PROVIDERS = [
  "generativelanguage.googleapis.com",
  "openrouter.ai",
  "api.groq.com",
  "api.cerebras.ai",
  "api.x.ai",
  "api.mistral.ai",
  "api.deepseek.com",
];

const AGENT_HOSTS: Readonly<Record<string, readonly string[]>> = {
  codex: OPENAI,
  claude: ANTHROPIC,
  pi: [
    ...ANTHROPIC.filter((h) => h !== "claude.ai" && h !== "statsig.anthropic.com"),
    ...OPENAI,
    ...PI_PROVIDERS,
  ],
};

/** Named extra sets, for `--allow-set NAME` and `allow_sets:` in the config files. */
export const ALLOW_SETS: Readonly<Record<string, readonly string[]>> = {
  github: [
    "github.com",
    "api.github.com",
    "codeload.github.com",
    "uploads.github.com",
    "*.githubusercontent.com",
  ],
  npm: ["registry.npmjs.org"],
  pypi: ["pypi.org", "files.pythonhosted.org"],
  // conda.anaconda.org serves conda-forge and bioconda; repo.anaconda.com (the
  // licensed "defaults" channel) is not included on purpose.
  "conda-forge": ["conda.anaconda.org"],
  cran: ["cloud.r-project.org", "cran.r-project.org", "bioconductor.org"],
  huggingface: ["huggingface.co", "cdn-lfs.huggingface.co", "*.hf.co"],
};

const REGION = /^[a-z]{2}(?:-gov)?-[a-z]+-\d{1,2}$/;

/** Options of `agentAllowList`. */
export interface AgentHostsOptions {
  /**
   * AWS regions whose Bedrock endpoints are needed (Bedrock is on). Default:
   * none. Each adds `bedrock-runtime.REGION.amazonaws.com` (model calls) and
   * `bedrock.REGION.amazonaws.com` (model and inference-profile listings).
   */
  readonly bedrockRegions?: readonly string[];
}

/**
 * The built-in allow list of agent `name`: `shell` gets every agent's list
 * (it carries every agent's credentials); an agent `llm` does not know (a
 * user-defined one) gets none, so its hosts must be listed by the user.
 *
 * @example
 * ```ts
 * import { agentAllowList } from "./hosts.ts";
 * agentAllowList("claude", { bedrockRegions: ["us-east-1"] }).map((e) => e.text);
 * // [..., "bedrock-runtime.us-east-1.amazonaws.com", "bedrock.us-east-1.amazonaws.com"]
 * ```
 */
export function agentAllowList(name: string, options: AgentHostsOptions = {}): AllowEntry[] {
  const hosts = name === "shell"
    ? Object.values(AGENT_HOSTS).flat()
    : [...(Object.hasOwn(AGENT_HOSTS, name) ? AGENT_HOSTS[name] : [])];
  for (const region of options.bedrockRegions ?? []) {
    if (!REGION.test(region)) {
      throw new UsageError(
        `AWS region '${printable(region)}' is not a region name such as 'us-east-1'`,
      );
    }
    hosts.push(`bedrock-runtime.${region}.amazonaws.com`, `bedrock.${region}.amazonaws.com`);
  }
  return parseAllowEntries([...new Set(hosts)], `built-in list of ${name}`);
}

/** The agents that have a built-in list. */
export function agentsWithHosts(): string[] {
  return Object.keys(AGENT_HOSTS);
}

/**
 * The entries of named set `name`; an unknown name is a usage error listing
 * the known ones.
 */
export function allowSet(name: string, origin = "--allow-set"): AllowEntry[] {
  const hosts = Object.hasOwn(ALLOW_SETS, name) ? ALLOW_SETS[name] : undefined;
  if (!hosts) {
    throw new UsageError(
      `${origin}: unknown allow set '${printable(name)}' (known: ${
        Object.keys(ALLOW_SETS).join(", ")
      })`,
    );
  }
  return parseAllowEntries(hosts, `allow set ${name}`);
}
