import { assertEquals, assertMatch, assertStringIncludes, assertThrows } from "../../_assert.ts";
import { main } from "../../../lib/cli/main.ts";
import { UsageError } from "../../../lib/errors.ts";
import { BUILTIN_AGENTS } from "../../../lib/launch/agents.ts";
import { planPull, type PullRequest } from "../../../lib/runtime/pull.ts";
import { type FakeSystem, fakeSystem, type FakeSystemOptions } from "../../_fake_system.ts";

const BASE: PullRequest = {
  runtime: "podman",
  executable: "podman",
  names: [],
  agents: BUILTIN_AGENTS,
  platform: "linux/amd64",
  progress: true,
  env: {},
  home: "/h",
  unique: "u1",
};

Deno.test("planPull() with no agents pulls all four tags with podman", () => {
  assertEquals(planPull(BASE).map((s) => s.argv), [
    ["podman", "pull", "--platform=linux/amd64", "ghcr.io/nichd-bspc/llm:codex-latest"],
    ["podman", "pull", "--platform=linux/amd64", "ghcr.io/nichd-bspc/llm:claude-latest"],
    ["podman", "pull", "--platform=linux/amd64", "ghcr.io/nichd-bspc/llm:pi-latest"],
    ["podman", "pull", "--platform=linux/amd64", "ghcr.io/nichd-bspc/llm:latest"],
  ]);
});

Deno.test("planPull() for docker off a terminal is quiet and honours the agent list", () => {
  const steps = planPull({
    ...BASE,
    runtime: "docker",
    executable: "docker",
    names: ["pi"],
    progress: false,
    platform: "linux/arm64",
  });
  assertEquals(steps.map((s) => s.argv), [
    ["docker", "pull", "--quiet", "--platform=linux/arm64", "ghcr.io/nichd-bspc/llm:pi-latest"],
  ]);
});

Deno.test("planPull() for apptainer pulls each SIF into a partial file beside the cache entry", () => {
  const steps = planPull({
    ...BASE,
    runtime: "apptainer",
    executable: "apptainer",
    names: ["codex"],
  });
  assertEquals(steps, [{
    ref: "oras://ghcr.io/nichd-bspc/llm-sif:codex-latest",
    argv: [
      "apptainer",
      "pull",
      "/h/.cache/llm/.ghcr.io_nichd-bspc_llm-sif_codex-latest.u1.partial.sif",
      "oras://ghcr.io/nichd-bspc/llm-sif:codex-latest",
    ],
    cache: {
      partial: "/h/.cache/llm/.ghcr.io_nichd-bspc_llm-sif_codex-latest.u1.partial.sif",
      cacheFile: "/h/.cache/llm/ghcr.io_nichd-bspc_llm-sif_codex-latest.sif",
    },
  }]);
  const quiet = planPull({
    ...BASE,
    runtime: "singularity",
    executable: "singularity",
    names: ["pi"],
    progress: false,
    env: { XDG_CACHE_HOME: "/x" },
  });
  assertEquals(quiet[0].argv.slice(0, 3), ["singularity", "--quiet", "pull"]);
  assertEquals(quiet[0].cache?.cacheFile, "/x/llm/ghcr.io_nichd-bspc_llm-sif_pi-latest.sif");
});

Deno.test("planPull() pulls an image once when --tag makes every agent's the same", () => {
  const steps = planPull({ ...BASE, tag: "v1" });
  assertEquals(steps.map((s) => s.ref), ["ghcr.io/nichd-bspc/llm:v1"]);
});

Deno.test("planPull() rejects an unknown agent with a suggestion", () => {
  assertThrows(
    () => planPull({ ...BASE, names: ["codx"] }),
    UsageError,
    "unknown agent 'codx' to pull: did you mean 'codex'?",
  );
});

async function llm(argv: string[], host: FakeSystemOptions = {}): Promise<[number, FakeSystem]> {
  const system = fakeSystem(host);
  const code = await main(argv, system);
  return [code, system];
}

const CACHED = "/home/user/.cache/llm/ghcr.io_nichd-bspc_llm-sif_codex-latest.sif";

Deno.test("llm pull with apptainer moves the new SIF into the cache and cleans up", async () => {
  const [code, sys] = await llm(["pull", "codex"], { executables: ["apptainer", "mv"] });
  assertEquals(code, 0, sys.err.join(""));
  const pull = sys.ran[0];
  assertEquals(pull.slice(0, 2), ["apptainer", "--quiet"]);
  const partial = pull[3];
  assertEquals(sys.ran[1], ["mv", "-f", "--", partial, CACHED]);
  assertEquals(sys.changes, ["mkdir /home/user/.cache/llm", `remove ${partial}`]);
  assertEquals(sys.out, [`oras://ghcr.io/nichd-bspc/llm-sif:codex-latest -> ${CACHED}\n`]);
});

Deno.test("a failed llm pull leaves the previously cached SIF intact", async () => {
  const [code, sys] = await llm(["pull", "codex"], {
    executables: ["apptainer"],
    files: [CACHED],
    interactiveResult: { code: 255, stderrTail: "FATAL: unable to pull" },
  });
  assertEquals(code, 1);
  assertEquals(sys.ran.length, 1, "no mv after a failed pull");
  assertEquals(sys.stat(CACHED), "file");
  assertEquals(sys.changes.filter((c) => c.includes(CACHED)), []);
  const err = sys.err.join("");
  assertMatch(err, /^llm: error: could not pull oras:\/\/\S+codex-latest \(see above\)/);
  assertStringIncludes(err, "previously cached images are unchanged");
});

Deno.test("llm pull with podman pulls with a progress display on a terminal", async () => {
  const [code, sys] = await llm(["pull", "--tag", "v2", "shell"], { terminal: true });
  assertEquals(code, 0);
  assertEquals(sys.ran, [[
    "podman",
    "pull",
    "--platform=linux/amd64",
    "ghcr.io/nichd-bspc/llm:v2",
  ]]);
  assertEquals(sys.changes, []);
});

Deno.test("llm pull --dry-run prints the commands and changes nothing", async () => {
  const [code, sys] = await llm(["pull", "--dry-run", "--backend", "apptainer", "pi"], {
    executables: ["apptainer"],
  });
  assertEquals(code, 0);
  assertEquals(sys.out.length, 2);
  assertMatch(sys.out[0], /^apptainer --quiet pull \S+\.partial\.sif oras:\/\/\S+:pi-latest\n$/);
  assertMatch(sys.out[1], /^mv -f -- \S+\.partial\.sif \S+_pi-latest\.sif\n$/);
  assertEquals([sys.changes, sys.ran], [[], []]);
});

Deno.test("llm pull with an unknown agent or backend: one error line, exit 2", async () => {
  for (const argv of [["pull", "nope"], ["pull", "--backend", "lxc"]]) {
    const [code, sys] = await llm(argv);
    assertEquals(code, 2, argv.join(" "));
    assertEquals(sys.err.join("").trimEnd().split("\n").length, 1);
    assertEquals(sys.ran, []);
  }
});
