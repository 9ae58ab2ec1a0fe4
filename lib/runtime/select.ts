/**
 * Choosing the container runtime for a launch.
 */
import { LlmError, UsageError } from "../errors.ts";
import { BACKENDS } from "../cli/options.ts";
import { podman } from "./podman.ts";
import type { RuntimeAdapter } from "./runtime.ts";

/** The runtime chosen, and why. */
export interface RuntimeChoice {
  readonly adapter: RuntimeAdapter;
  /** Executable name to run. */
  readonly executable: string;
  /** For --verbose. */
  readonly reason: string;
  /** False when the executable was not found (allowed on --dry-run only). */
  readonly found: boolean;
}

const ADAPTERS: Readonly<Record<string, RuntimeAdapter>> = { podman };

/** How to install each runtime, for error messages. */
export const INSTALL_HINTS: Readonly<Record<string, string>> = {
  podman:
    "install Podman Desktop on macOS (podman-desktop.io), the podman package or HPC module on Linux",
};

/**
 * Pick a runtime. `requested` is `--backend` or `LLM_BACKEND` (default auto).
 * With `dryRun`, a missing runtime is tolerated so the command can still be shown.
 */
export function selectRuntime(
  requested: string | undefined,
  which: (name: string) => string | null,
  dryRun: boolean,
): RuntimeChoice {
  const name = requested ?? "auto";
  if (!(BACKENDS as readonly string[]).includes(name)) {
    throw new UsageError(`unknown backend '${name}': use one of ${BACKENDS.join(", ")}`);
  }
  const wanted = name === "auto" ? "podman" : name;
  const adapter = ADAPTERS[wanted];
  if (!adapter) throw new LlmError(`backend '${wanted}' is not supported by this version of llm`);
  const found = which(wanted) !== null;
  if (!found && !dryRun) {
    throw new LlmError(`${wanted} was not found on PATH; ${INSTALL_HINTS[wanted]}`);
  }
  const reason = name === "auto"
    ? `${wanted}: the default runtime${found ? "" : " (not found on PATH)"}`
    : `${wanted}: requested with --backend or LLM_BACKEND`;
  return { adapter, executable: wanted, reason, found };
}
