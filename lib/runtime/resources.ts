/**
 * `--cpus`, `--memory`, `--gpus` and `--runtime-arg` as each runtime's own
 * flags. A request a runtime cannot honour is an error, never dropped.
 */
import { LlmError } from "../errors.ts";
import type { Resources } from "../launch/resources.ts";

/** The devices AMD documents for ROCm in podman and docker containers. */
const AMD_DEVICES = ["--device=/dev/kfd", "--device=/dev/dri"];

function noGpusOnMac(runtime: string, os: string, gpus: string | undefined): void {
  if (gpus !== undefined && os === "darwin") {
    throw new LlmError(
      `--gpus ${gpus}: ${runtime} on macOS runs containers in a virtual machine that has no ` +
        `access to the GPU; leave --gpus out`,
    );
  }
}

/**
 * Podman's flags: CPU and memory limits, NVIDIA GPUs through CDI
 * (`nvidia.com/gpu=...`, which the NVIDIA Container Toolkit's
 * `nvidia-ctk cdi generate` sets up), AMD GPUs as their device nodes.
 *
 * @example
 * ```ts
 * import { podmanResourceArgs } from "./resources.ts";
 * podmanResourceArgs({ cpus: "2", gpus: "all" }, "linux");
 * // ["--cpus=2", "--device=nvidia.com/gpu=all"]
 * ```
 */
export function podmanResourceArgs(resources: Resources, os: string): string[] {
  noGpusOnMac("podman", os, resources.gpus);
  const argv = limits(resources);
  const gpus = resources.gpus;
  if (gpus === "amd") argv.push(...AMD_DEVICES);
  else if (gpus !== undefined) {
    argv.push(...gpus.split(",").map((g) => `--device=nvidia.com/gpu=${g}`));
  }
  return argv;
}

/** Docker's flags: limits, `--gpus` for NVIDIA (the NVIDIA runtime hook), AMD device nodes. */
export function dockerResourceArgs(resources: Resources, os: string): string[] {
  noGpusOnMac("docker", os, resources.gpus);
  const argv = limits(resources);
  const gpus = resources.gpus;
  if (gpus === "amd") argv.push(...AMD_DEVICES);
  else if (gpus === "all") argv.push("--gpus=all");
  else if (gpus !== undefined) argv.push(`--gpus="device=${gpus}"`);
  return argv;
}

/**
 * Singularity/Apptainer: `--nv` and `--rocm` bind the host's GPU driver
 * libraries and expose every device of that vendor; `--cpus` and `--memory`
 * are cgroup limits (on a rootless launch they need cgroups v2 with systemd,
 * which the runtime reports itself when missing).
 */
export function singularityResourceArgs(resources: Resources, runtime: string): string[] {
  const argv = limits(resources);
  const gpus = resources.gpus;
  if (gpus === "all") argv.push("--nv");
  else if (gpus === "amd") argv.push("--rocm");
  else if (gpus !== undefined) {
    throw new LlmError(
      `--gpus ${gpus}: ${runtime} cannot pick single GPUs (its --nv exposes them all); give ` +
        `--gpus all, and choose devices inside with CUDA_VISIBLE_DEVICES (-e CUDA_VISIBLE_DEVICES=${gpus})`,
    );
  }
  return argv;
}

function limits(resources: Resources): string[] {
  const argv: string[] = [];
  if (resources.cpus !== undefined) argv.push(`--cpus=${resources.cpus}`);
  if (resources.memory !== undefined) argv.push(`--memory=${resources.memory}`);
  return argv;
}

/** The warning `--runtime-arg` earns: it is passed on unchecked. */
export function runtimeArgWarning(runtime: string, args: readonly string[]): string | null {
  if (args.length === 0) return null;
  return `--runtime-arg passes ${JSON.stringify(args)} to ${runtime} verbatim: they are outside ` +
    `llm's guarantees (they can widen what the agent sees)`;
}
