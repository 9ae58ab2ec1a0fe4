/**
 * Typed face of std's ANSI colours (std arrives here untyped, from npm).
 *
 * Load it with a dynamic import, only once colour is known to be wanted:
 * nothing on the start-up path needs it.
 */
import * as colors from "@std/fmt/colors";

export const red: (text: string) => string = colors.red;
export const green: (text: string) => string = colors.green;
export const yellow: (text: string) => string = colors.yellow;
export const bold: (text: string) => string = colors.bold;
