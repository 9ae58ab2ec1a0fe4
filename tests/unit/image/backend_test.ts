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
    selectBuildBackend({ requested: "docker", which: on("podman", "docker"), dryRun: false })
      .executable,
    "docker",
  );
  assertThrows(
    () => selectBuildBackend({ requested: "docker", which: on("podman"), dryRun: false }),
    LlmError,
    "docker (from --backend) was not found on PATH",
  );
  const fromEnv = selectBuildBackend({
    requested: "docker",
    origin: "LLM_BACKEND",
    which: on("podman", "docker"),
    dryRun: false,
  });
  assertEquals(fromEnv.reason, "docker: requested with LLM_BACKEND");
});

Deno.test("selectBuildBackend() refuses --backend singularity: it cannot build", () => {
  assertThrows(
    () => selectBuildBackend({ requested: "singularity", which: on("podman"), dryRun: false }),
    UsageError,
    "llm build needs podman or docker, not singularity",
  );
});

Deno.test("selectBuildBackend() treats apptainer from LLM_BACKEND or a config file as auto", () => {
  for (const origin of ["LLM_BACKEND", "/h/.config/llm/config.yaml:2"]) {
    const b = selectBuildBackend({
      requested: "apptainer",
      origin,
      which: on("podman", "apptainer"),
      dryRun: false,
    });
    assertEquals(b.executable, "podman");
    assertEquals(
      b.reason,
      `podman: found on PATH (apptainer from ${origin} cannot build, so auto)`,
    );
  }
});

Deno.test("selectBuildBackend() rejects an unknown backend and names where it came from", () => {
  assertThrows(
    () => selectBuildBackend({ requested: "lxc", which: on("podman"), dryRun: false }),
    UsageError,
    "unknown backend 'lxc' from --backend: use one of auto, podman, docker",
  );
  assertThrows(
    () =>
      selectBuildBackend({
        requested: "nerdctl",
        origin: "LLM_BACKEND",
        which: on("podman"),
        dryRun: true,
      }),
    UsageError,
    "from LLM_BACKEND",
  );
});
