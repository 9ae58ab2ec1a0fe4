/**
 * Typed face of std's assertions for the tests (std arrives here untyped).
 */
import * as std from "@std/assert";

export const assert: (expr: unknown, msg?: string) => asserts expr = std.assert;
export const assertEquals: <T>(actual: T, expected: T, msg?: string) => void = std.assertEquals;
export const assertNotEquals: <T>(actual: T, expected: T, msg?: string) => void =
  std.assertNotEquals;
export const assertStringIncludes: (actual: string, expected: string, msg?: string) => void =
  std.assertStringIncludes;
export const assertMatch: (actual: string, expected: RegExp, msg?: string) => void =
  std.assertMatch;
export const assertThrows: (
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  ErrorClass?: abstract new (...args: any[]) => Error,
  msgIncludes?: string,
) => Error = std.assertThrows;
export const assertRejects: (
  fn: () => PromiseLike<unknown>,
  // deno-lint-ignore no-explicit-any
  ErrorClass?: abstract new (...args: any[]) => Error,
  msgIncludes?: string,
) => Promise<Error> = std.assertRejects;
