/**
 * The environment-variable layer of the settings: `LLM_DEVCONTAINER_MOUNTS`,
 * `LLM_DEVCONTAINER_CERTS` and `LLM_BACKEND`, which sit above the config file
 * and below the command line.
 */
import { UsageError } from "../errors.ts";
import type { ParsedOptions } from "../cli/parse.ts";
import { splitShellWords } from "../text/shell_words.ts";

/** Environment variables that supply option values, by option name. */
export const OPTION_VARIABLES = {
  mount: "LLM_DEVCONTAINER_MOUNTS",
  certs: "LLM_DEVCONTAINER_CERTS",
  backend: "LLM_BACKEND",
} as const;

/**
 * Options set by the environment. `LLM_DEVCONTAINER_MOUNTS` holds mount specs
 * as shell words (quotes allowed); an unbalanced quote is a usage error.
 */
export function environmentLayer(env: Readonly<Record<string, string>>): ParsedOptions {
  const values = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const sources = new Map<string, string[]>();
  const mounts = env[OPTION_VARIABLES.mount];
  if (mounts !== undefined && mounts.trim() !== "") {
    let words: string[];
    try {
      words = splitShellWords(mounts);
    } catch (e) {
      throw new UsageError(
        `${OPTION_VARIABLES.mount}: ${(e as Error).message}; quote each spec as in a shell`,
      );
    }
    lists.set("mount", words);
    sources.set("mount", words.map(() => OPTION_VARIABLES.mount));
  }
  for (const name of ["certs", "backend"] as const) {
    const value = env[OPTION_VARIABLES[name]];
    if (value !== undefined && value !== "") {
      values.set(name, value);
      sources.set(name, [OPTION_VARIABLES[name]]);
    }
  }
  return { flags: new Set(), values, lists, sources };
}
