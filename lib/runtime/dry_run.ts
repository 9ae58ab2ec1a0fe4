/**
 * The `--dry-run` line: a runtime command as one bash line that, pasted,
 * starts the same container with the same environment, and still puts no
 * variable's value on any process's argv (bash's `printf` is a builtin, and
 * a prefix assignment lands in the environment).
 */
import { quoteArgv, quoteWord } from "../text/shell_words.ts";
import type { RuntimeCommand } from "./runtime.ts";

/** True when `name` matches an `unsetEnv` entry (a trailing `*` matches a prefix). */
export function matchesEnvPattern(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => p.endsWith("*") ? name.startsWith(p.slice(0, -1)) : name === p);
}

/**
 * The runtime process's whole environment: the host's without `unsetEnv`,
 * plus the command's own; undefined when it simply inherits the host's.
 */
export function runtimeEnvironment(
  hostEnv: Readonly<Record<string, string>>,
  command: RuntimeCommand,
): Record<string, string> | undefined {
  if (!command.env && !command.unsetEnv) return undefined;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(hostEnv)) {
    if (!matchesEnvPattern(k, command.unsetEnv ?? [])) env[k] = v;
  }
  return { ...env, ...command.env };
}

/**
 * Render `command` for `--dry-run`.
 *
 * @example
 * ```ts
 * import { dryRunLine } from "./dry_run.ts";
 * dryRunLine({
 *   argv: ["podman", "run", "--env-file=/tmp/llm-1/env", "img"],
 *   envFile: { path: "/tmp/llm-1/env", lines: ["A=1 2"] },
 * }, {});
 * // "podman run --env-file <(printf '%s\\n' 'A=1 2') img"
 * ```
 */
export function dryRunLine(
  command: RuntimeCommand,
  hostEnv: Readonly<Record<string, string>>,
): string {
  const markers = [command.createdMarker, command.startedMarker].filter((m) => m !== undefined);
  const words: string[] = [];
  for (const arg of command.argv) {
    // The markers only tell llm how far the runtime got; a pasted line needs none.
    if (markers.some((m) => arg === `--cidfile=${m}` || arg === `--pidfile=${m}`)) continue;
    if (command.envFile && arg === `--env-file=${command.envFile.path}`) {
      const lines = command.envFile.lines.map(quoteWord).join(" ");
      words.push(`--env-file <(printf '%s\\n'${lines ? ` ${lines}` : ""})`);
      continue;
    }
    words.push(quoteWord(arg));
  }
  const assignments = Object.entries(command.env ?? {}).map(([k, v]) => `${k}=${quoteWord(v)} `)
    .join("");
  const line = assignments + words.join(" ");
  const unset = Object.keys(hostEnv).filter((k) => matchesEnvPattern(k, command.unsetEnv ?? []))
    .sort();
  return unset.length === 0 ? line : `(unset ${quoteArgv(unset)}; ${line})`;
}
