/**
 * AWS variables that name files (`AWS_CONFIG_FILE`, ...) hold host paths.
 * Passed unchanged, they point at nothing inside the container, and the SDK
 * then fails in ways that do not name the variable. A path inside `~/.aws`
 * (which Bedrock launches mount) is mapped to where the container sees it,
 * one mounted at the same path stays, anything else is dropped with a warning.
 */
import { join, relative } from "../std/path.ts";
import { CONTAINER_HOME } from "./container.ts";
import { hostPath, isWithin } from "./host_paths.ts";
import type { Mount } from "./mounts.ts";

/** The AWS SDKs' and CLI's variables that hold a file path. */
export const AWS_PATH_VARIABLES = [
  "AWS_CONFIG_FILE",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_CA_BUNDLE",
] as const;

/** The Bedrock variables with host paths mapped, and a warning for each one dropped. */
export interface MappedAwsPaths {
  readonly variables: [string, string][];
  readonly warnings: string[];
}

/**
 * Map the file-path variables among `variables` (host AWS_* values) for a
 * container with `mounts`; `awsDir` is the host `~/.aws` when it is mounted.
 */
export function mapAwsPaths(
  variables: readonly (readonly [string, string])[],
  home: string,
  cwd: string,
  awsDir: string | undefined,
  mounts: readonly Mount[],
): MappedAwsPaths {
  const out: [string, string][] = [];
  const warnings: string[] = [];
  for (const [name, value] of variables) {
    if (!(AWS_PATH_VARIABLES as readonly string[]).includes(name) || value === "") {
      out.push([name, value]);
      continue;
    }
    const path = hostPath(value, home, cwd);
    if (awsDir !== undefined && isWithin(path, awsDir)) {
      out.push([name, join(CONTAINER_HOME, ".aws", relative(awsDir, path))]);
    } else if (
      mounts.some((m) => m.kind === "bind" && m.source === m.target && isWithin(path, m.source))
    ) {
      out.push([name, path]);
    } else {
      warnings.push(
        `${name}=${value} is a host path the container does not see, so it is not passed; ` +
          `keep the file in ~/.aws, or mount it at the same path (--mount ${path}:${path}:ro)`,
      );
    }
  }
  return { variables: out, warnings };
}
