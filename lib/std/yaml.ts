/**
 * Typed face of std's YAML parser (std arrives here untyped, from npm).
 *
 * Load it with a dynamic import on the paths that need YAML: it is heavy
 * compared with the rest of start-up.
 */
import * as yaml from "@std/yaml";

/**
 * Parse one YAML document into plain data. Throws on malformed YAML.
 *
 * @example
 * ```ts
 * import { parse } from "./yaml.ts";
 * parse("a: [1, 2]"); // { a: [1, 2] }
 * ```
 */
export const parse: (text: string) => unknown = yaml.parse;
