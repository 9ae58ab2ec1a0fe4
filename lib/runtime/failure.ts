/**
 * Telling a runtime's own failure from the agent's exit status, and saying
 * in one line what failed and what to do. The container's state decides (did
 * the runtime create it, did its process start), not the exit code: an agent
 * may itself exit 125.
 */
import { DEFAULT_BUILD_IMAGE } from "../image/spec.ts";

/** How far a launch got, from the markers the runtime writes. */
export interface LaunchOutcome {
  /** The runtime's name: podman, docker, singularity, apptainer. */
  readonly runtime: string;
  readonly image: string;
  readonly code: number;
  readonly stderrTail: string;
  /** The runtime wrote its created marker (undefined: it has none). */
  readonly created?: boolean;
  /** The runtime wrote its started marker (undefined: it has none). */
  readonly started?: boolean;
}

/** True when the runtime failed before the agent ran (so the exit code is not the agent's). */
export function runtimeFailed(outcome: LaunchOutcome): boolean {
  if (outcome.code === 0) return false;
  if (outcome.runtime === "singularity" || outcome.runtime === "apptainer") {
    return /^FATAL:/m.test(outcome.stderrTail);
  }
  if (outcome.created === false || outcome.started === false) return true;
  // Docker reports no start: a daemon error after creation is its own.
  return outcome.runtime === "docker" && outcome.code >= 125 && outcome.code <= 127 &&
    /^docker: Error response from daemon/m.test(outcome.stderrTail);
}

const PULL_FAILURE =
  /manifest unknown|unable to pull|pull access denied|image not known|repository .* not found|requested access to the resource is denied|initializing source|no such image|Unable to find image/i;
const ENGINE_DOWN =
  /Cannot connect to the Docker daemon|Is the docker daemon running|Cannot connect to Podman|unable to connect to Podman/i;
const PLATFORM =
  /does not match the (?:expected|detected host) platform|no image found in manifest list for architecture|exec format error/i;

/** The runtime's last line that reads as an error, for the summary. */
function lastErrorLine(tail: string): string | null {
  const lines = tail.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const errors = lines.filter((l) => /error|fatal|failed|denied/i.test(l));
  const line = errors.at(-1) ?? lines.at(-1);
  if (line === undefined) return null;
  const text = line.replace(/^(?:Error|FATAL|docker):\s*/i, "");
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/**
 * The one `llm: error:` message (without the prefix) for a runtime failure.
 *
 * @example
 * ```ts
 * import { runtimeFailureMessage } from "./failure.ts";
 * runtimeFailureMessage({
 *   runtime: "podman", image: "localhost/x:1", code: 125, created: false,
 *   stderrTail: "Error: localhost/x:1: image not known",
 * });
 * // "podman has no image localhost/x:1 in its local storage; build it with 'llm build' ..."
 * ```
 */
export function runtimeFailureMessage(outcome: LaunchOutcome): string {
  const { runtime, image, stderrTail } = outcome;
  const singularity = runtime === "singularity" || runtime === "apptainer";
  if (singularity) {
    return image.includes("://")
      ? `${runtime} could not start ${image} (see above); where the registry is not reachable ` +
        `(a compute node), run 'llm pull' where it is, or give a local image with --sif-path`
      : `${runtime} could not start ${image} (see above)`;
  }
  if (ENGINE_DOWN.test(stderrTail)) {
    return runtime === "docker"
      ? "the docker engine is not running or not reachable (DOCKER_HOST); start it, or choose " +
        "another runtime with --backend"
      : "podman cannot reach its service; on macOS start the machine with 'podman machine start'";
  }
  if (PULL_FAILURE.test(stderrTail)) {
    if (image.startsWith("localhost/")) {
      return `${runtime} has no image ${image} in its local storage; build it with 'llm build' ` +
        `(then launch with --image-name ${DEFAULT_BUILD_IMAGE}), or ` +
        `check --image-name/--tag against '${runtime} images'`;
    }
    return `${runtime} could not get image ${image}; check --image-name/--tag, log in with ` +
      `'${runtime} login ${image.split("/")[0]}' if the registry needs it, or build it locally ` +
      `with 'llm build' and launch with --image-name ${DEFAULT_BUILD_IMAGE}`;
  }
  const reason = lastErrorLine(stderrTail);
  if (PLATFORM.test(stderrTail)) {
    return `${runtime} could not run ${image}: it was built for another architecture` +
      `${reason ? ` (${reason})` : ""}; pass --arch with the image's platform, or rebuild it ` +
      `with 'llm build' for this machine`;
  }
  return `${runtime} could not start the container${reason ? `: ${reason}` : ""}; run again ` +
    `with --verbose to see how llm called it`;
}
