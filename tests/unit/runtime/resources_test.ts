/**
 * --cpus, --memory, --gpus and --runtime-arg as golden argv per runtime.
 * No GPU host is available here, so GPUs are tested as argv only: the CDI
 * device podman is given, docker's --gpus, Singularity's --nv/--rocm.
 */
import { assertEquals, assertStringIncludes, assertThrows } from "../../_assert.ts";
import { main } from "../../../lib/cli/main.ts";
import { LlmError, UsageError } from "../../../lib/errors.ts";
import { parseResources } from "../../../lib/launch/resources.ts";
import {
  dockerResourceArgs,
  podmanResourceArgs,
  singularityResourceArgs,
} from "../../../lib/runtime/resources.ts";
import { splitShellWords } from "../../../lib/text/shell_words.ts";
import { fakeSystem, type FakeSystemOptions } from "../../_fake_system.ts";

const ALL = { cpus: "1.5", memory: "8g", gpus: "all" };

Deno.test("resources as each runtime's flags", () => {
  assertEquals(podmanResourceArgs(ALL, "linux"), [
    "--cpus=1.5",
    "--memory=8g",
    "--device=nvidia.com/gpu=all",
  ]);
  assertEquals(dockerResourceArgs(ALL, "linux"), ["--cpus=1.5", "--memory=8g", "--gpus=all"]);
  assertEquals(singularityResourceArgs(ALL, "apptainer"), ["--cpus=1.5", "--memory=8g", "--nv"]);
});

Deno.test("GPU choices: device indices and AMD", () => {
  assertEquals(podmanResourceArgs({ gpus: "0,2" }, "linux"), [
    "--device=nvidia.com/gpu=0",
    "--device=nvidia.com/gpu=2",
  ]);
  assertEquals(dockerResourceArgs({ gpus: "0,2" }, "linux"), ['--gpus="device=0,2"']);
  assertEquals(podmanResourceArgs({ gpus: "amd" }, "linux"), [
    "--device=/dev/kfd",
    "--device=/dev/dri",
  ]);
  assertEquals(dockerResourceArgs({ gpus: "amd" }, "linux"), [
    "--device=/dev/kfd",
    "--device=/dev/dri",
  ]);
  assertEquals(singularityResourceArgs({ gpus: "amd" }, "singularity"), ["--rocm"]);
  assertEquals(podmanResourceArgs({}, "linux"), []);
});

Deno.test("a GPU request a runtime cannot honour is an error, never dropped", () => {
  assertThrows(
    () => singularityResourceArgs({ gpus: "1" }, "apptainer"),
    LlmError,
    "--gpus 1: apptainer cannot pick single GPUs (its --nv exposes them all); give --gpus all, " +
      "and choose devices inside with CUDA_VISIBLE_DEVICES (-e CUDA_VISIBLE_DEVICES=1)",
  );
  for (
    const [fn, name] of [[podmanResourceArgs, "podman"], [dockerResourceArgs, "docker"]] as const
  ) {
    assertThrows(
      () => fn({ gpus: "all" }, "darwin"),
      LlmError,
      `--gpus all: ${name} on macOS runs containers in a virtual machine that has no access to ` +
        `the GPU; leave --gpus out`,
    );
  }
});

Deno.test("parseResources() checks each value's shape, naming it", () => {
  assertEquals(parseResources({ cpus: ".5", memory: "512M", gpus: "0" }), {
    cpus: ".5",
    memory: "512m",
    gpus: "0",
  });
  for (const cpus of ["0", "two", "-1", "1e3", ""]) {
    assertThrows(
      () => parseResources({ cpus }),
      UsageError,
      `--cpus '${cpus}' is not a number of CPUs: give a positive number such as 2 or 1.5`,
    );
  }
  for (const memory of ["0", "8gb", "1.5g", "lots", ""]) {
    assertThrows(
      () => parseResources({ memory }),
      UsageError,
      `--memory '${memory}' is not a memory size: give a whole number with an optional unit b, ` +
        `k, m or g, such as 8g or 512m`,
    );
  }
  assertThrows(
    () => parseResources({ gpus: "nvidia" }),
    UsageError,
    "--gpus 'nvidia' is not understood: give all (every NVIDIA GPU), amd (AMD GPUs through " +
      "ROCm) or NVIDIA device indices such as 0 or 0,1",
  );
});

/** The words of `llm --dry-run ARGS codex` between --workdir and the image. */
async function dryRunMiddle(args: string[], host: FakeSystemOptions): Promise<string[]> {
  const sys = fakeSystem(host);
  const code = await main(["--dry-run", ...args, "codex"], sys);
  assertEquals(code, 0, sys.err.join(""));
  const argv = splitShellWords(sys.out[0]);
  const image = argv.findIndex((a) => a.startsWith("ghcr.io/") || a.startsWith("oras://"));
  const from = argv.findLastIndex((a, i) =>
    i < image && (a.startsWith("--workdir=") || a.startsWith("--bind"))
  );
  return argv.slice(from + (argv[from] === "--bind" ? 2 : 1), image);
}

Deno.test("golden argv: resources then --runtime-arg, last before the image, on every runtime", async () => {
  const args = [
    "--cpus",
    "2",
    "--memory",
    "4g",
    "--gpus",
    "all",
    "--runtime-arg",
    "--pids-limit=64",
  ];
  assertEquals(await dryRunMiddle(args, {}), [
    "--cpus=2",
    "--memory=4g",
    "--device=nvidia.com/gpu=all",
    "--pids-limit=64",
  ]);
  assertEquals(
    await dryRunMiddle(["--backend", "docker", ...args], { executables: ["docker"] }),
    ["--cpus=2", "--memory=4g", "--gpus=all", "--pids-limit=64"],
  );
  assertEquals(
    await dryRunMiddle(["--backend", "apptainer", ...args], { executables: ["apptainer"] }),
    ["--cpus=2", "--memory=4g", "--nv", "--pids-limit=64"],
  );
});

Deno.test("--runtime-arg warns that it is outside llm's guarantees", async () => {
  const sys = fakeSystem();
  await main(["--dry-run", "--runtime-arg", "--privileged", "codex"], sys);
  assertStringIncludes(
    sys.err.join(""),
    `llm: warning: --runtime-arg passes ["--privileged"] to podman verbatim: they are outside ` +
      `llm's guarantees (they can widen what the agent sees)`,
  );
});

Deno.test("--gpus on macOS fails before anything is created", async () => {
  const sys = fakeSystem({ os: "darwin" });
  const code = await main(["--gpus", "all", "codex"], sys);
  assertEquals(code, 1);
  assertStringIncludes(sys.err.join(""), "no access to the GPU");
  assertEquals(sys.changes, []);
});
