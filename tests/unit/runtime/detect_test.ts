import { assertEquals, assertStringIncludes, assertThrows } from "../../_assert.ts";
import { LlmError, UsageError } from "../../../lib/errors.ts";
import { autoOrder, detectRuntime } from "../../../lib/runtime/detect.ts";
import { selectRuntime } from "../../../lib/runtime/select.ts";

/** A PATH holding exactly `names`. */
function onPath(...names: string[]): (name: string) => string | null {
  return (name) => names.includes(name) ? `/opt/bin/${name}` : null;
}

const ALL = ["podman", "docker", "singularity", "apptainer"];

Deno.test("auto on Linux tries apptainer, singularity, podman, docker in that order", () => {
  assertEquals(autoOrder("linux"), ["apptainer", "singularity", "podman", "docker"]);
  const cases: [string[], string][] = [
    [ALL, "apptainer"],
    [["singularity", "podman", "docker"], "singularity"],
    [["podman", "docker"], "podman"],
    [["docker"], "docker"],
    [["apptainer", "docker"], "apptainer"],
    [["singularity", "apptainer"], "apptainer"],
  ];
  for (const [present, want] of cases) {
    assertEquals(detectRuntime("linux", onPath(...present))?.name, want, present.join(","));
    assertEquals(selectRuntime("auto", onPath(...present), false, "linux").executable, want);
  }
});

Deno.test("auto on macOS tries podman, then docker, and never the HPC runtimes", () => {
  assertEquals(autoOrder("darwin"), ["podman", "docker"]);
  assertEquals(detectRuntime("darwin", onPath(...ALL))?.name, "podman");
  assertEquals(detectRuntime("darwin", onPath("docker", "apptainer"))?.name, "docker");
  assertEquals(detectRuntime("darwin", onPath("apptainer", "singularity")), null);
});

Deno.test("detectRuntime() reports where the runtime was found", () => {
  assertEquals(detectRuntime("linux", onPath("docker")), {
    name: "docker",
    path: "/opt/bin/docker",
  });
});

Deno.test("auto with nothing on PATH: one error naming what was looked for and how to get each", () => {
  for (const os of ["linux", "darwin"]) {
    const e = assertThrows(() => selectRuntime(undefined, onPath(), false, os), LlmError);
    for (const name of autoOrder(os)) assertStringIncludes(e.message, `${name}: `);
    assertStringIncludes(e.message, `looked for ${autoOrder(os).join(", ")}`);
    assertEquals(e.message.includes("\n"), false);
  }
});

Deno.test("auto with nothing on PATH on --dry-run shows a podman command, marked not found", () => {
  const choice = selectRuntime("auto", onPath(), true, "linux");
  assertEquals([choice.executable, choice.found], ["podman", false]);
});

Deno.test("--verbose reason says which runtime auto chose and why", () => {
  const reason = selectRuntime("auto", onPath("podman"), false, "linux").reason;
  assertStringIncludes(reason, "podman: first found on PATH (/opt/bin/podman)");
  assertStringIncludes(reason, "not found: apptainer, singularity");
});

Deno.test("a forced backend is used even when an earlier one is present", () => {
  for (const name of ["podman", "docker", "singularity", "apptainer"]) {
    const choice = selectRuntime(name, onPath(...ALL), false, "linux");
    assertEquals([choice.executable, choice.adapter.name, choice.found], [name, name, true]);
    assertStringIncludes(choice.reason, "requested");
  }
});

Deno.test("a forced backend that is absent is an error with how to get it", () => {
  const e = assertThrows(
    () => selectRuntime("apptainer", onPath("podman"), false, "linux"),
    LlmError,
  );
  assertStringIncludes(e.message, "apptainer is not on PATH");
  assertStringIncludes(e.message, "module load apptainer");
  assertEquals(selectRuntime("docker", onPath(), true, "linux").found, false);
});

Deno.test("an unknown backend is a usage error listing the choices", () => {
  assertThrows(
    () => selectRuntime("lxc", onPath(...ALL), false, "linux"),
    UsageError,
    "unknown backend 'lxc': use one of auto, podman, docker, singularity, apptainer",
  );
});
