/**
 * The `--dry-run` line: a runtime command as one bash line that, pasted,
 * starts the same container with the same environment, and still puts no
 * variable's value on any process's argv (bash's `printf` is a builtin, and
 * a prefix assignment lands in the environment). Where the command uses the
 * launch's temporary directory, the line makes one first (mask sources,
 * session copies) and removes it when the container ends.
 */
import { quoteArgv, quoteWord } from "../text/shell_words.ts";
import type { RuntimeCommand } from "./runtime.ts";
import type { ScratchEntry } from "./scratch.ts";

/** What the launch makes before the runtime starts, for the line to make it too. */
export interface DryRunSetUp {
  /** The stand-in path for the temporary directory the command was built with. */
  readonly placeholder: string;
  /** What the launch makes in the temporary directory. */
  readonly entries: readonly ScratchEntry[];
}

/** The shell variable holding the pasted line's temporary directory. */
const SCRATCH_VAR = `"$d"`;

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
  setUp?: DryRunSetUp,
): string {
  const markers = [command.createdMarker, command.startedMarker].filter((m) => m !== undefined);
  // The markers only tell llm how far the runtime got; a pasted line needs none.
  const argv = command.argv.filter((arg) =>
    !markers.some((m) => arg === `--cidfile=${m}` || arg === `--pidfile=${m}`)
  );
  const envFileArg = command.envFile && `--env-file=${command.envFile.path}`;
  const placeholder = setUp?.placeholder;
  const usesScratch = placeholder !== undefined &&
    [...argv.filter((a) => a !== envFileArg), ...Object.values(command.env ?? {})]
      .some((a) => a.includes(placeholder));
  const quote = usesScratch ? (w: string) => quoteWithScratch(w, placeholder) : quoteWord;
  const words = argv.map((arg) => {
    if (command.envFile && arg === envFileArg) {
      const lines = command.envFile.lines.map(quoteWord).join(" ");
      return `--env-file <(printf '%s\\n'${lines ? ` ${lines}` : ""})`;
    }
    return quote(arg);
  });
  const assignments = Object.entries(command.env ?? {}).map(([k, v]) => `${k}=${quote(v)} `)
    .join("");
  const run = assignments + words.join(" ");
  const line = usesScratch && setUp
    ? `(${["umask 077", ...scratchSteps(setUp.entries), run].join(" && ")})`
    : run;
  const unset = Object.keys(hostEnv).filter((k) => matchesEnvPattern(k, command.unsetEnv ?? []))
    .sort();
  return unset.length === 0 ? line : `(unset ${quoteArgv(unset)}; ${line})`;
}

/** `word` quoted for bash, the placeholder replaced by the scratch variable. */
function quoteWithScratch(word: string, placeholder: string): string {
  if (!word.includes(placeholder)) return quoteWord(word);
  return word.split(placeholder).map((part) => part === "" ? "" : quoteWord(part)).join(
    SCRATCH_VAR,
  );
}

/** bash that writes `text` (a trailing line break included) to stdout. */
function printText(text: string): string {
  return text.endsWith("\n")
    ? `printf '%s\\n' ${quoteWord(text.slice(0, -1))}`
    : `printf %s ${quoteWord(text)}`;
}

/**
 * Make the temporary directory as the launch would (private; symlinks
 * resolved, as a podman machine finds it through its shared folders) and
 * remove it on the way out of the line's subshell.
 */
function scratchSteps(entries: readonly ScratchEntry[]): string[] {
  const at = (path: string) => `${SCRATCH_VAR}/${quoteWord(path)}`;
  const octal = (mode: number) => `0${mode.toString(8)}`;
  const steps = [
    `d=$(mktemp -d /tmp/llm-XXXXXX)`,
    `d=$(cd -- ${SCRATCH_VAR} && pwd -P)`,
    `trap 'rm -rf -- ${SCRATCH_VAR}' EXIT`,
  ];
  for (const e of entries) {
    if (e.kind === "dir") steps.push(`mkdir -p -m ${octal(e.mode)} -- ${at(e.path)}`);
    else if (e.kind === "file") {
      steps.push(`: > ${at(e.path)}`, `chmod ${octal(e.mode)} -- ${at(e.path)}`);
    } else {
      steps.push(
        `{ cat -- ${quoteWord(e.from)} 2>/dev/null || ${printText(e.fallback)}; } > ${at(e.path)}`,
      );
    }
  }
  return steps;
}
