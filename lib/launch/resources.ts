/**
 * `--cpus`, `--memory` and `--gpus`: what the user asked the container to
 * be given, checked for shape here and turned into each runtime's flags in
 * lib/runtime/resources.ts.
 */
import { UsageError } from "../errors.ts";

/** Limits and devices for the container. Absent fields: the runtime's default. */
export interface Resources {
  /** CPUs, as a positive decimal (`1.5`). */
  readonly cpus?: string;
  /** Memory limit with an optional unit b, k, m or g (`8g`). */
  readonly memory?: string;
  /** GPUs: `all` (NVIDIA, every device), `amd` (ROCm), or NVIDIA device indices (`0,1`). */
  readonly gpus?: string;
}

/**
 * Check the three values and gather them.
 *
 * @example
 * ```ts
 * import { parseResources } from "./resources.ts";
 * parseResources({ cpus: "2", memory: "8g" }); // { cpus: "2", memory: "8g" }
 * ```
 */
export function parseResources(given: Resources): Resources {
  const out: { cpus?: string; memory?: string; gpus?: string } = {};
  if (given.cpus !== undefined) {
    if (!/^(\d+(\.\d+)?|\.\d+)$/.test(given.cpus) || Number(given.cpus) <= 0) {
      throw new UsageError(
        `--cpus '${given.cpus}' is not a number of CPUs: give a positive number such as 2 or 1.5`,
      );
    }
    out.cpus = given.cpus;
  }
  if (given.memory !== undefined) {
    const m = /^(\d+)([bkmg]?)$/i.exec(given.memory);
    if (!m || Number(m[1]) === 0) {
      throw new UsageError(
        `--memory '${given.memory}' is not a memory size: give a whole number with an optional ` +
          `unit b, k, m or g, such as 8g or 512m`,
      );
    }
    out.memory = `${m[1]}${m[2].toLowerCase()}`;
  }
  if (given.gpus !== undefined) {
    if (given.gpus !== "all" && given.gpus !== "amd" && !/^\d+(,\d+)*$/.test(given.gpus)) {
      throw new UsageError(
        `--gpus '${given.gpus}' is not understood: give all (every NVIDIA GPU), amd (AMD GPUs ` +
          `through ROCm) or NVIDIA device indices such as 0 or 0,1`,
      );
    }
    out.gpus = given.gpus;
  }
  return out;
}
