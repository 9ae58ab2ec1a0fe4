/**
 * What the runtime says about the image a session runs: its id, registry
 * digests and labels (which carry the agent CLIs' versions). Asked once,
 * after the container exists, off the launch's critical path. Pure.
 */

/** The production image's label naming an agent CLI's version (see the Dockerfile). */
export function agentVersionLabel(agent: string): string {
  return `io.github.nichd-bspc.llm.${agent}-version`;
}

/** Parsed `image inspect` answer. */
export interface ImageFacts {
  readonly id: string;
  readonly repoDigests: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

/** Separates the fields of the inspect template (a tab cannot occur in JSON output). */
const SEP = "\t";

/**
 * `<podman|docker> image inspect` for an image's id, digests and labels:
 * the same template serves both.
 */
export function imageInspectArgv(executable: string, image: string): string[] {
  return [
    executable,
    "image",
    "inspect",
    "--format",
    `{{.Id}}${SEP}{{json .RepoDigests}}${SEP}{{json .Config.Labels}}`,
    image,
  ];
}

/**
 * Parse the inspect output, or null when it is not what the template makes.
 * Podman prints a bare hex id, docker `sha256:HEX`: both become `sha256:HEX`.
 *
 * @example
 * ```ts
 * import { parseImageInspect } from "./image_facts.ts";
 * parseImageInspect('abc123\tnull\t{"a":"b"}\n')?.id; // "sha256:abc123"
 * ```
 */
export function parseImageInspect(stdout: string): ImageFacts | null {
  const line = stdout.trim().split("\n")[0] ?? "";
  const [rawId, digests, labels] = line.split(SEP);
  if (!rawId || !/^(sha256:)?[0-9a-f]{6,}$/.test(rawId)) return null;
  return {
    id: rawId.startsWith("sha256:") ? rawId : `sha256:${rawId}`,
    repoDigests: strings(parseJson(digests ?? "")),
    labels: stringValues(parseJson(labels ?? "")),
  };
}

/*
 * Readers of the runtimes' JSON (this inspect output, podman's store files,
 * the Engine API's answers: lib/session/image_store.ts), where anything
 * unexpected reads as nothing.
 */

/** The parsed JSON, or undefined when `text` is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `value` when it is a JSON object, else null. */
export function record(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as Record<string, unknown>
    : null;
}

/** The strings of a JSON array; [] for anything else. */
export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === "string") : [];
}

/** The entries of a JSON object whose values are strings (labels); {} for a non-object. */
export function stringValues(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== "object" || value === null) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v;
  return out;
}

/** The agent CLI version an image's labels give, or null. */
export function agentVersionFromLabels(
  labels: Readonly<Record<string, string>>,
  agent: string,
): string | null {
  const v = labels[agentVersionLabel(agent)];
  return v === undefined || v === "" ? null : v;
}

/**
 * The version in a `--version` answer (`codex-cli 0.171.0`, `2.1.3 (Claude
 * Code)`): the first dotted number, or null.
 */
export function versionFromOutput(stdout: string): string | null {
  return /\d+\.\d+(\.\d+)?([-+.][0-9A-Za-z.-]+)?/.exec(stdout)?.[0] ?? null;
}

/** `podman --version` / `docker --version` / `apptainer --version`: the version in it. */
export function runtimeVersionArgv(executable: string): string[] {
  return [executable, "--version"];
}

/**
 * Ask an agent CLI its version in the exact image (by id), with no network
 * and no privileges: for images without the version labels.
 */
export function agentVersionArgv(executable: string, imageId: string, agent: string): string[] {
  return [
    executable,
    "run",
    "--rm",
    "--network=none",
    "--cap-drop=ALL",
    "--security-opt=no-new-privileges",
    imageId.replace(/^sha256:/, ""),
    agent,
    "--version",
  ];
}
