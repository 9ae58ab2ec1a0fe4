/**
 * Where a build's Dockerfile and context come from: `--file`, the checkout
 * llm runs from, or the copy built into llm (written to a temporary
 * directory, so the compiled binary builds without a checkout).
 */
import { dirname, join } from "../std/path.ts";
import type { FileKind } from "../launch/host_facts.ts";

/** The files of the agent image's build context, relative to the checkout. */
export const CONTEXT_FILES = [
  "Dockerfile",
  "image/build-certs.sh",
  "image/install-agents.sh",
  "image/install-extras.sh",
  "image/install-user.sh",
  "image/llm-claude-statusline",
  "image/llm-diagnostics",
  "image/packages.txt",
  "image/pi-auth-reload.js",
  "image/pi-launcher.mjs",
];

/** One file of the build context built into llm. */
export interface EmbeddedFile {
  /** Relative to the build context. */
  readonly path: string;
  readonly mode: number;
  readonly content: string;
}

/** The chosen build context. */
export type BuildSource =
  | { readonly kind: "file"; readonly dockerfile: string; readonly contextDir: string }
  | { readonly kind: "checkout"; readonly dockerfile: string; readonly contextDir: string }
  | { readonly kind: "embedded" };

/**
 * The checkout's root when `root` holds every build context file, else null.
 * `root` is derived from the running module's URL, which for the compiled
 * binary or a bundle points somewhere without them.
 */
export function findCheckout(
  root: string | null,
  stat: (path: string) => FileKind | null,
): string | null {
  if (root === null) return null;
  return CONTEXT_FILES.every((f) => stat(join(root, f)) === "file") ? root : null;
}

/**
 * Decide the build source: `--file` wins, then a checkout, then the embedded copy.
 *
 * @example
 * ```ts
 * import { buildSource } from "./context.ts";
 * buildSource("/x/Containerfile", "/src").kind; // "file"
 * buildSource(undefined, null).kind; // "embedded"
 * ```
 */
export function buildSource(file: string | undefined, checkout: string | null): BuildSource {
  if (file !== undefined) return { kind: "file", dockerfile: file, contextDir: dirname(file) };
  if (checkout !== null) {
    return { kind: "checkout", dockerfile: join(checkout, "Dockerfile"), contextDir: checkout };
  }
  return { kind: "embedded" };
}

/** The project root two levels above a module in `lib/<dir>/`, when it is a local file. */
export function projectRoot(moduleUrl: string): string | null {
  const url = new URL("../../", moduleUrl);
  if (url.protocol !== "file:") return null;
  const path = decodeURIComponent(url.pathname);
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}
