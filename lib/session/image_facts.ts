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
  const json = (text: string | undefined): unknown => {
    try {
      return JSON.parse(text ?? "null");
    } catch {
      return null;
    }
  };
  const d = json(digests);
  const l = json(labels);
  const stringMap: Record<string, string> = {};
  if (typeof l === "object" && l !== null) {
    for (const [k, v] of Object.entries(l)) if (typeof v === "string") stringMap[k] = v;
  }
  return {
    id: rawId.startsWith("sha256:") ? rawId : `sha256:${rawId}`,
    repoDigests: Array.isArray(d) ? d.filter((x): x is string => typeof x === "string") : [],
    labels: stringMap,
  };
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
