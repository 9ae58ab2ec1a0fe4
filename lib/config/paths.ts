/**
 * Where configuration lives.
 */
import { join } from "../std/path.ts";

/** A project's own settings file, in the working directory. */
export const PROJECT_FILE = ".llm.yaml";

/** `$XDG_CONFIG_HOME/llm`, default `~/.config/llm`. */
export function configDir(env: Readonly<Record<string, string>>, home: string): string {
  const base = env.XDG_CONFIG_HOME || join(home, ".config");
  return join(base, "llm");
}

/** The user config file and whether it was named explicitly (`--config`, `LLM_CONFIG`). */
export function userConfigPath(
  env: Readonly<Record<string, string>>,
  home: string,
  flag?: string,
): { path: string; explicit: boolean } {
  const named = flag ?? (env.LLM_CONFIG || undefined);
  if (named !== undefined) return { path: named, explicit: true };
  return { path: join(configDir(env, home), "config.yaml"), explicit: false };
}

/** Where `llm trust` records the checksums of trusted project files. */
export function trustStorePath(env: Readonly<Record<string, string>>, home: string): string {
  return join(configDir(env, home), "trusted.json");
}

/**
 * Whether any settings file may apply: one named explicitly, the user file,
 * a project file, or the trust store (a trusted project file that vanished
 * still restricts). Three stats, so launches without config never load the
 * config modules (or YAML).
 */
export function configFilesPresent(
  env: Readonly<Record<string, string>>,
  home: string,
  cwd: string,
  stat: (path: string) => unknown,
  flag?: string,
): boolean {
  const user = userConfigPath(env, home, flag);
  return user.explicit || stat(user.path) !== null || stat(join(cwd, PROJECT_FILE)) !== null ||
    stat(trustStorePath(env, home)) !== null;
}
