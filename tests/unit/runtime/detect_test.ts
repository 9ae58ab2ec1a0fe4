import { assertEquals, assertStringIncludes, assertThrows } from "../../_assert.ts";
import { LlmError, UsageError } from "../../../lib/errors.ts";
import { autoOrder, detectRuntime, dockerEngineProblem } from "../../../lib/runtime/detect.ts";
import { engineCheck, selectRuntime } from "../../../lib/runtime/select.ts";

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
    assertEquals([choice.executable, choice.name, choice.found], [name, name, true]);
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

/** Docker engine facts: `present` paths exist, `files` hold text. */
function engineFacts(
  env: Record<string, string>,
  present: string[],
  os = "linux",
  files: Record<string, string> = {},
) {
  return {
    env,
    home: "/home/me",
    os,
    stat: (p: string) => present.includes(p) ? "other" as const : null,
    readText: (p: string) => files[p] ?? null,
  };
}

Deno.test("dockerEngineProblem() finds the default socket on Linux, or says it is missing", () => {
  assertEquals(dockerEngineProblem(engineFacts({}, ["/var/run/docker.sock"])), null);
  assertEquals(
    dockerEngineProblem(engineFacts({}, [])),
    "no engine socket at /var/run/docker.sock",
  );
});

Deno.test("dockerEngineProblem() checks the socket DOCKER_HOST=unix:// names", () => {
  const env = { DOCKER_HOST: "unix:///run/user/1000/docker.sock" };
  assertEquals(dockerEngineProblem(engineFacts(env, ["/run/user/1000/docker.sock"])), null);
  assertEquals(
    dockerEngineProblem(engineFacts(env, ["/var/run/docker.sock"])),
    "no engine socket at /run/user/1000/docker.sock (DOCKER_HOST)",
  );
});

Deno.test("dockerEngineProblem() trusts engines it cannot check without connecting", () => {
  for (const host of ["tcp://10.0.0.5:2376", "ssh://me@build", "fd://"]) {
    assertEquals(dockerEngineProblem(engineFacts({ DOCKER_HOST: host }, [])), null, host);
  }
  assertEquals(dockerEngineProblem(engineFacts({ DOCKER_CONTEXT: "colima" }, [])), null);
  const config = { "/home/me/.docker/config.json": '{"currentContext":"desktop-linux"}' };
  assertEquals(dockerEngineProblem(engineFacts({}, [], "linux", config)), null);
  const elsewhere = { "/cfg/config.json": '{"currentContext":"remote"}' };
  assertEquals(
    dockerEngineProblem(engineFacts({ DOCKER_CONFIG: "/cfg" }, [], "linux", elsewhere)),
    null,
  );
  const bad = { "/home/me/.docker/config.json": "{not json" };
  assertEquals(dockerEngineProblem(engineFacts({}, [], "linux", bad)), null);
});

Deno.test("dockerEngineProblem() with the default context set explicitly checks the sockets", () => {
  const config = { "/home/me/.docker/config.json": '{"currentContext":"default","auths":{}}' };
  assertStringIncludes(
    dockerEngineProblem(engineFacts({ DOCKER_CONTEXT: "default" }, [], "linux", config)) ?? "",
    "no engine socket",
  );
});

Deno.test("dockerEngineProblem() on macOS also accepts Docker Desktop's socket in the home", () => {
  assertEquals(
    dockerEngineProblem(engineFacts({}, ["/home/me/.docker/run/docker.sock"], "darwin")),
    null,
  );
  assertEquals(
    dockerEngineProblem(engineFacts({}, [], "darwin")),
    "no engine socket at /var/run/docker.sock or /home/me/.docker/run/docker.sock",
  );
  // Linux does not look in the home: Docker Desktop there sets a context.
  assertStringIncludes(
    dockerEngineProblem(engineFacts({}, ["/home/me/.docker/run/docker.sock"])) ?? "",
    "no engine socket",
  );
});

Deno.test("auto passes over docker without an engine when a later runtime is on PATH", () => {
  // No runtime follows docker in today's orders; the rule holds for any order.
  const down = (name: string) => name === "podman" ? "no machine" : null;
  const choice = selectRuntime("auto", onPath("podman", "docker"), false, "darwin", down);
  assertEquals(choice.executable, "docker");
  assertStringIncludes(choice.reason, "podman passed over: no machine");
});

Deno.test("auto with only docker and no engine: one error line saying so and what to do", () => {
  const facts = engineFacts({}, []);
  const e = assertThrows(
    () => selectRuntime("auto", onPath("docker"), false, "linux", engineCheck(facts)),
    LlmError,
  );
  assertEquals(
    e.message,
    "docker is on PATH (/opt/bin/docker) but its engine is not running: no engine socket at " +
      "/var/run/docker.sock; install Docker (docs.docker.com/engine/install) and start its " +
      "engine, set DOCKER_HOST, or use --backend docker to try anyway",
  );
});

Deno.test("auto with docker and no engine still shows the docker command on --dry-run", () => {
  const check = engineCheck(engineFacts({}, []));
  const choice = selectRuntime("auto", onPath("docker"), true, "linux", check);
  assertEquals([choice.executable, choice.found], ["docker", true]);
  assertStringIncludes(choice.reason, "shown although no engine socket");
});

Deno.test("auto prefers podman and never checks docker's engine when podman is found", () => {
  let checked = 0;
  const check = (name: string) => {
    checked++;
    return name === "docker" ? "down" : null;
  };
  assertEquals(
    selectRuntime("auto", onPath("podman", "docker"), false, "linux", check).executable,
    "podman",
  );
  assertEquals(checked, 1);
});

Deno.test("a forced docker backend is not second-guessed by the engine check", () => {
  const check = engineCheck(engineFacts({}, []));
  assertEquals(selectRuntime("docker", onPath("docker"), false, "linux", check).found, true);
});

Deno.test("--verbose names where the backend came from: the config file, LLM_BACKEND or --backend", async () => {
  const { main } = await import("../../../lib/cli/main.ts");
  const { fakeSystem, setContent } = await import("../../_fake_system.ts");
  const config = "/home/user/.config/llm/config.yaml";
  const run = async (argv: string[], env: Record<string, string> = {}, file?: string) => {
    const sys = fakeSystem({ executables: ["podman", "docker"], env, files: file ? [config] : [] });
    if (file) setContent(sys, config, file);
    await main(["--dry-run", "--verbose", ...argv, "codex"], sys);
    return sys.err.join("").split("\n").find((l) => l.startsWith("llm: runtime ")) ?? "";
  };
  assertEquals(
    await run([], {}, "backend: docker\n"),
    `llm: runtime docker: requested with ${config}:1 (/usr/bin/docker)`,
  );
  assertEquals(
    await run([], { LLM_BACKEND: "docker" }),
    "llm: runtime docker: requested with LLM_BACKEND (/usr/bin/docker)",
  );
  assertEquals(
    await run(["--backend", "docker"]),
    "llm: runtime docker: requested with --backend (/usr/bin/docker)",
  );
});
