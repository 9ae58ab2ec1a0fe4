import { assertEquals, assertThrows } from "../../_assert.ts";
import { LlmError, UsageError } from "../../../lib/errors.ts";
import { selectBuildBackend } from "../../../lib/image/backend.ts";

const on = (...names: string[]) => (name: string) =>
  names.includes(name) ? `/usr/bin/${name}` : null;

Deno.test("selectBuildBackend() prefers podman, then docker", () => {
  assertEquals(
    selectBuildBackend({ which: on("podman", "docker"), dryRun: false }).executable,
    "podman",
  );
  assertEquals(selectBuildBackend({ which: on("docker"), dryRun: false }).executable, "docker");
});

Deno.test("selectBuildBackend() fails when neither podman nor docker is on PATH", () => {
  assertThrows(
    () => selectBuildBackend({ which: on(), dryRun: false }),
    LlmError,
    "neither podman nor docker is on PATH",
  );
});

Deno.test("selectBuildBackend() on --dry-run shows podman even when nothing is installed", () => {
  const b = selectBuildBackend({ which: on(), dryRun: true });
  assertEquals([b.executable, b.found], ["podman", false]);
});

Deno.test("selectBuildBackend() uses the requested builder and fails when it is missing", () => {
  assertEquals(
    selectBuildBackend({ flag: "docker", which: on("podman", "docker"), dryRun: false }).executable,
    "docker",
  );
  assertThrows(
    () => selectBuildBackend({ flag: "docker", which: on("podman"), dryRun: false }),
    LlmError,
    "docker (from --backend) was not found on PATH",
  );
  assertEquals(
    selectBuildBackend({ env: "docker", which: on("podman", "docker"), dryRun: false }).executable,
    "docker",
  );
});

Deno.test("selectBuildBackend() --backend wins over LLM_BACKEND", () => {
  assertEquals(
    selectBuildBackend({
      flag: "podman",
      env: "docker",
      which: on("podman", "docker"),
      dryRun: false,
    })
      .executable,
    "podman",
  );
});

Deno.test("selectBuildBackend() refuses --backend singularity: it cannot build", () => {
  assertThrows(
    () => selectBuildBackend({ flag: "singularity", which: on("podman"), dryRun: false }),
    UsageError,
    "llm build needs podman or docker, not singularity",
  );
});

Deno.test("selectBuildBackend() treats LLM_BACKEND=apptainer as auto, since it is a launch setting", () => {
  const b = selectBuildBackend({
    env: "apptainer",
    which: on("podman", "apptainer"),
    dryRun: false,
  });
  assertEquals(b.executable, "podman");
  assertEquals(b.reason, "podman: found on PATH (LLM_BACKEND=apptainer cannot build, so auto)");
});

Deno.test("selectBuildBackend() rejects an unknown backend and names the choices", () => {
  assertThrows(
    () => selectBuildBackend({ flag: "lxc", which: on("podman"), dryRun: false }),
    UsageError,
    "unknown backend 'lxc' for --backend: use one of auto, podman, docker",
  );
  assertThrows(
    () => selectBuildBackend({ env: "nerdctl", which: on("podman"), dryRun: true }),
    UsageError,
    "for LLM_BACKEND",
  );
});
