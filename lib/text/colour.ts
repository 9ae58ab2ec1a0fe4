/**
 * Colour for terminals: whether to use it, and the few styles `llm` uses.
 * Plain text whenever `NO_COLOR` is set (any value), `TERM` is `dumb`, or
 * the stream is not a terminal, so pipes, files and logs never get escapes.
 */
import type { System } from "../system/system.ts";

/** The styles `llm` uses; each is the identity when colour is off. */
export interface Palette {
  readonly error: (text: string) => string;
  readonly warning: (text: string) => string;
  readonly ok: (text: string) => string;
}

const same = (text: string): string => text;

/** No colour at all. */
export const PLAIN: Palette = { error: same, warning: same, ok: same };

/**
 * Whether to colour a stream, from the environment and whether the stream
 * is a terminal.
 *
 * @example
 * ```ts
 * import { colourWanted } from "./colour.ts";
 * colourWanted({}, true); // true
 * colourWanted({ NO_COLOR: "" }, true); // false
 * colourWanted({}, false); // false
 * ```
 */
export function colourWanted(env: Readonly<Record<string, string>>, terminal: boolean): boolean {
  return terminal && !("NO_COLOR" in env) && env.TERM !== "dumb";
}

/**
 * The palette for `stream` of `system`. std's colours load only when they
 * are wanted, so plain output costs no import.
 */
export async function paletteFor(system: System, stream: "stdout" | "stderr"): Promise<Palette> {
  if (!colourWanted(system.env, system.isTerminal(stream))) return PLAIN;
  const c = await import("../std/colors.ts");
  return {
    error: (t) => c.bold(c.red(t)),
    warning: (t) => c.bold(c.yellow(t)),
    ok: c.green,
  };
}

/**
 * One `llm: error: ...` or `llm: warning: ...` line, its prefix in `palette`.
 *
 * @example
 * ```ts
 * import { PLAIN, problemText } from "./colour.ts";
 * problemText(PLAIN, "warning", "x"); // "llm: warning: x\n"
 * ```
 */
export function problemText(palette: Palette, kind: "error" | "warning", message: string): string {
  return `${palette[kind](`llm: ${kind}:`)} ${message}\n`;
}

/** `problemText` for `system`'s stderr: coloured on a terminal, plain otherwise. */
export async function problemLine(
  system: System,
  kind: "error" | "warning",
  message: string,
): Promise<string> {
  return problemText(await paletteFor(system, "stderr"), kind, message);
}
