/**
 * Which agents' credentials a refresh covers, and which files under the home
 * directory belong to each: the small "auth" set pushed by default and the
 * "full" set (`--full`) that also carries settings, skills and memories.
 *
 * @example
 * ```ts
 * import { pushPaths } from "./kinds.ts";
 * pushPaths("claude", false); // [".aws/config", ".aws/credentials.json"]
 * ```
 */
import { UsageError } from "../errors.ts";

/** What `--kind` accepts. */
export const KIND_CHOICES = ["all", "codex", "claude", "pi"] as const;

/** A value of `--kind`. */
export type KindChoice = typeof KIND_CHOICES[number];

/** One agent whose credentials are refreshed. */
export type Kind = Exclude<KindChoice, "all">;

/** The agents `all` stands for, in the order they are handled and listed. */
export const ALL_KINDS: readonly Kind[] = ["codex", "claude", "pi"];

const AWS_PAIR = [".aws/config", ".aws/credentials.json"];

/** Paths relative to the home directory; a trailing `/` marks a directory. */
const AUTH_PATHS: Readonly<Record<Kind, readonly string[]>> = {
  codex: [".codex/auth.json"],
  claude: [...AWS_PAIR],
  pi: [".pi/agent/auth.json", ...AWS_PAIR],
};

const FULL_PATHS: Readonly<Record<Kind, readonly string[]>> = {
  codex: [".codex/config.toml", ".codex/auth.json", ".codex/skills/", ".codex/memories/"],
  claude: [".claude/settings.json", ".claude.json", ".claude/skills/", ...AWS_PAIR],
  pi: [
    ".pi/agent/skills/",
    ".pi/agent/settings.json",
    ".pi/agent/extensions/",
    ".pi/agent/auth.json",
    ...AWS_PAIR,
  ],
};

/** Parse `--kind`; throws `UsageError` naming the accepted values. */
export function parseKind(value: string | undefined): KindChoice {
  const v = value ?? "all";
  if ((KIND_CHOICES as readonly string[]).includes(v)) return v as KindChoice;
  throw new UsageError(`--kind must be one of ${KIND_CHOICES.join(", ")} (got '${v}')`);
}

/** The agents a `--kind` value covers. */
export function kindsOf(choice: KindChoice): readonly Kind[] {
  return choice === "all" ? ALL_KINDS : [choice];
}

/** The home-relative paths of one agent's auth set, or its full set. */
export function kindPaths(kind: Kind, full: boolean): readonly string[] {
  return (full ? FULL_PATHS : AUTH_PATHS)[kind];
}

/** The home-relative paths to push for a `--kind` value: the sets' union, without repeats. */
export function pushPaths(choice: KindChoice, full: boolean): string[] {
  const paths: string[] = [];
  for (const kind of kindsOf(choice)) {
    for (const p of kindPaths(kind, full)) if (!paths.includes(p)) paths.push(p);
  }
  return paths;
}

/** The steps a refresh takes for a `--kind` value (see the behaviour list). */
export interface RefreshSteps {
  /** Make sure Codex is logged in with ChatGPT. */
  readonly codexLogin: boolean;
  /** Make sure AWS SSO credentials are valid (and export them). */
  readonly awsLogin: boolean;
  /** Copy the ChatGPT login into Pi's auth store. */
  readonly piFromCodex: boolean;
}

/** Which steps `choice` needs: Pi uses both the ChatGPT login and Bedrock. */
export function refreshSteps(choice: KindChoice): RefreshSteps {
  const kinds = kindsOf(choice);
  return {
    codexLogin: kinds.includes("codex") || kinds.includes("pi"),
    awsLogin: kinds.includes("claude") || kinds.includes("pi"),
    piFromCodex: kinds.includes("codex") || kinds.includes("pi"),
  };
}
