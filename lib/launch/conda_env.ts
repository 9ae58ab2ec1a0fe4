/**
 * `--conda-env`: naming an environment, and refusing ones that cannot run in
 * the Linux container.
 */
import { LlmError } from "../errors.ts";
import { basename, join } from "../std/path.ts";
import type { HostFacts } from "./host_facts.ts";

/** True when `name` names an environment rather than giving its path. */
export function isCondaEnvName(value: string): boolean {
  return !value.includes("/") && value !== "." && value !== ".." && !value.startsWith("~");
}

/**
 * Pick the environment called `name` from `conda env list --json` output,
 * matching the last path component.
 */
export function findCondaEnv(listJson: string, name: string): string {
  let envs: unknown;
  try {
    envs = (JSON.parse(listJson) as { envs?: unknown }).envs;
  } catch {
    throw new LlmError("could not read the output of 'conda env list --json'");
  }
  if (!Array.isArray(envs)) throw new LlmError("'conda env list --json' gave no env list");
  const paths = envs.filter((e): e is string => typeof e === "string");
  const match = paths.find((p) => basename(p) === name);
  if (!match) {
    const known = paths.map((p) => basename(p)).join(", ");
    throw new LlmError(
      `no conda environment named '${name}' (known: ${known || "none"}); give its path instead`,
    );
  }
  return match;
}

const MACH_O_MAGICS = [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe];

/** True when `head` starts with a Mach-O (macOS) binary magic number. */
export function isMachO(head: Uint8Array): boolean {
  if (head.length < 4) return false;
  const magic = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
  return MACH_O_MAGICS.includes(magic);
}

/** Check that `path` is a conda environment the Linux container can run. */
export function checkCondaEnv(path: string, facts: HostFacts): void {
  if (facts.stat(path) !== "dir") {
    throw new LlmError(`--conda-env ${path} is not a directory; give an existing environment`);
  }
  if (facts.stat(join(path, "bin")) !== "dir") {
    throw new LlmError(`--conda-env ${path} has no bin/ directory; is it a conda environment?`);
  }
  const head = facts.readHead(join(path, "bin", "python"), 4);
  if (head && isMachO(head)) {
    throw new LlmError(
      `--conda-env ${path} holds macOS binaries, which cannot run in the Linux container; ` +
        `build a Linux environment with 'llm conda-bootstrap' and 'llm conda create'`,
    );
  }
}
