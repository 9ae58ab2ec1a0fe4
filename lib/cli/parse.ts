/**
 * The command-line parser that serves every command, driven by
 * `OptionDef` tables.
 */
import { UsageError } from "../errors.ts";
import { closest } from "../text/suggest.ts";
import { quoteArgv } from "../text/shell_words.ts";
import { AGENT_SHARED_OPTIONS, GLOBAL_OPTIONS, type OptionDef } from "./options.ts";

/** Values of parsed options, by long name. */
export interface ParsedOptions {
  readonly flags: ReadonlySet<string>;
  readonly values: ReadonlyMap<string, string>;
  readonly lists: ReadonlyMap<string, readonly string[]>;
  /**
   * Where each setting came from, for messages and `llm config show`: one
   * label per list item, one for a value or flag. Absent means the command
   * line (`--name`).
   */
  readonly sources?: ReadonlyMap<string, readonly string[]>;
}

/** Where option `name` (item `index` of a list) came from. */
export function sourceOf(options: ParsedOptions, name: string, index = 0): string {
  return options.sources?.get(name)?.[index] ?? `--${name}`;
}

/** Result of `parseOptions`. */
export interface ParseResult {
  readonly options: ParsedOptions;
  /** The first positional argument and everything after it, untouched. */
  readonly rest: string[];
}

/** Options for `parseOptions`. */
export interface ParseOptions {
  /**
   * Stop at the first positional argument and return it with everything
   * after it in `rest` (default true). With false, positionals are collected
   * and options may follow them.
   */
  readonly stopAtPositional?: boolean;
  /** Names the command in error messages (default `llm`). */
  readonly command?: string;
}

/** An empty `ParsedOptions`. */
export function emptyOptions(): ParsedOptions {
  return { flags: new Set(), values: new Map(), lists: new Map() };
}

/**
 * Parse `args` against `defs`. Accepts `--name value`, `--name=value`,
 * `-x value`; `--` ends the options.
 *
 * @example
 * ```ts
 * import { parseOptions } from "./parse.ts";
 * import { GLOBAL_OPTIONS } from "./options.ts";
 * const r = parseOptions(["--mount", "~/data", "codex", "--help"], GLOBAL_OPTIONS);
 * r.options.lists.get("mount"); // ["~/data"]
 * r.rest; // ["codex", "--help"]
 * ```
 */
export function parseOptions(
  args: readonly string[],
  defs: readonly OptionDef[],
  options: ParseOptions = {},
): ParseResult {
  const stopAtPositional = options.stopAtPositional ?? true;
  const command = options.command ?? "llm";
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const positionals: string[] = [];
  const byLong = new Map(defs.map((d) => [d.name, d]));
  const byShort = new Map(defs.filter((d) => d.short).map((d) => [d.short as string, d]));

  let i = 0;
  while (i < args.length) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    let def: OptionDef | undefined;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      def = byLong.get(name);
      if (!def) throw new UsageError(unknownMessage(`--${name}`, defs, command));
    } else if (arg.startsWith("-") && arg.length > 1) {
      def = byShort.get(arg.slice(1));
      if (!def) throw new UsageError(unknownMessage(arg, defs, command));
    } else {
      if (stopAtPositional) {
        positionals.push(...args.slice(i));
        break;
      }
      positionals.push(arg);
      i++;
      continue;
    }
    i++;
    if (def.kind === "flag") {
      if (inline !== undefined) {
        throw new UsageError(`--${def.name} takes no value (got --${def.name}=${inline})`);
      }
      flags.add(def.name);
      continue;
    }
    let value = inline;
    if (value === undefined && def.optionalValue) value = "";
    if (value === undefined) {
      if (i >= args.length) {
        throw new UsageError(
          `--${def.name} needs a value: --${def.name} ${def.placeholder ?? "VALUE"}`,
        );
      }
      value = args[i++];
    }
    if (def.kind === "value") values.set(def.name, value);
    else lists.set(def.name, [...(lists.get(def.name) ?? []), value]);
  }
  const parsed = { flags, values, lists };
  checkChoices(parsed, defs);
  return { options: parsed, rest: positionals };
}

function unknownMessage(option: string, defs: readonly OptionDef[], command: string): string {
  const near = option.startsWith("--")
    ? closest(option.slice(2), defs.map((d) => d.name))
    : undefined;
  const hint = near === undefined ? "" : `: did you mean --${near}?`;
  return `unknown option ${option}${hint} (see '${command} --help')`;
}

/**
 * Reject a value that looks like a typo of one of its option's fixed
 * choices (`complete` words), naming the closest and where the value came
 * from. A value close to none is left to the command's own check, which
 * knows more (`llm build --backend singularity` explains why it cannot).
 *
 * @example
 * ```ts
 * import { checkChoices, emptyOptions } from "./parse.ts";
 * import { GLOBAL_OPTIONS } from "./options.ts";
 * checkChoices(emptyOptions(), GLOBAL_OPTIONS); // nothing to check: no error
 * ```
 */
export function checkChoices(options: ParsedOptions, defs: readonly OptionDef[]): void {
  for (const def of defs) {
    const choices = def.complete;
    if (def.kind === "flag" || !Array.isArray(choices)) continue;
    const given = def.kind === "value"
      ? [options.values.get(def.name)].filter((v) => v !== undefined)
      : options.lists.get(def.name) ?? [];
    given.forEach((value, i) => {
      if (choices.includes(value)) return;
      const near = closest(value, choices);
      if (near === undefined) return;
      throw new UsageError(
        `unknown ${def.name} '${value}' from ${sourceOf(options, def.name, i)}: ` +
          `did you mean '${near}'? (one of ${choices.join(", ")})`,
      );
    });
  }
}

/**
 * Merge option sets in precedence order: later sets win for values and
 * flags, and extend lists. Sources follow their settings.
 */
export function mergeOptions(...sets: readonly ParsedOptions[]): ParsedOptions {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const sources = new Map<string, string[]>();
  for (const set of sets) {
    for (const f of set.flags) {
      flags.add(f);
      sources.set(f, [sourceOf(set, f)]);
    }
    for (const [k, v] of set.values) {
      values.set(k, v);
      sources.set(k, [sourceOf(set, k)]);
    }
    for (const [k, v] of set.lists) {
      lists.set(k, [...(lists.get(k) ?? []), ...v]);
      sources.set(k, [...(sources.get(k) ?? []), ...v.map((_, i) => sourceOf(set, k, i))]);
    }
  }
  return { flags, values, lists, sources };
}

/**
 * A warning when the first argument after an agent's name is one of llm's
 * own options that no agent has (`llm codex --dry-run`): it still goes to the
 * agent, as documented, and the warning shows the line with it moved before
 * the agent name. Options an agent may have (`AGENT_SHARED_OPTIONS`) and
 * anything after `--` pass silently.
 *
 * @example
 * ```ts
 * import { misplacedOption } from "./parse.ts";
 * misplacedOption("codex", ["--dry-run"]);
 * // "--dry-run after 'codex' goes to codex; llm's own options go before the agent name: llm --dry-run codex"
 * misplacedOption("claude", ["--verbose"]); // undefined: Claude Code has --verbose
 * ```
 */
export function misplacedOption(agent: string, args: readonly string[]): string | undefined {
  const first = args[0];
  if (first === undefined || !first.startsWith("--")) return undefined;
  const name = first.slice(2).split("=")[0];
  const def = GLOBAL_OPTIONS.find((d) => d.name === name);
  if (def === undefined || AGENT_SHARED_OPTIONS.includes(name)) return undefined;
  const taken = def.kind !== "flag" && !def.optionalValue && !first.includes("=") &&
      args.length > 1
    ? 2
    : 1;
  const line = quoteArgv(["llm", ...args.slice(0, taken), agent, ...args.slice(taken)]);
  return `--${name} after '${agent}' goes to ${agent}; ` +
    `llm's own options go before the agent name: ${line}`;
}
