/**
 * Typed face of std's POSIX path functions.
 *
 * std is consumed here from an npm republication without type declarations,
 * so its imports are `any`; this module pins the signatures so no `any`
 * reaches the rest of the code. Host paths (macOS, Linux) and container paths
 * are all POSIX.
 */
import * as posix from "@std/path/posix";

export const join: (...paths: string[]) => string = posix.join;
export const resolve: (...paths: string[]) => string = posix.resolve;
export const dirname: (path: string) => string = posix.dirname;
export const basename: (path: string, suffix?: string) => string = posix.basename;
export const relative: (from: string, to: string) => string = posix.relative;
export const isAbsolute: (path: string) => boolean = posix.isAbsolute;
export const normalize: (path: string) => string = posix.normalize;
