import { assertEquals, assertThrows } from "../../_assert.ts";
import { GLOBAL_OPTIONS } from "../../../lib/cli/options.ts";
import { checkChoices, mergeOptions, parseOptions } from "../../../lib/cli/parse.ts";
import { UsageError } from "../../../lib/errors.ts";

Deno.test("parseOptions() stops at the agent name and keeps the rest untouched", () => {
  const r = parseOptions(["--dry-run", "codex", "--dry-run", "-h", "--", "x"], GLOBAL_OPTIONS);
  assertEquals([...r.options.flags], ["dry-run"]);
  assertEquals(r.rest, ["codex", "--dry-run", "-h", "--", "x"]);
});

Deno.test("parseOptions() takes values separated or after =", () => {
  const r = parseOptions(
    ["--tag", "v1", "--image-name=x/y", "--mount", "a", "--mount=b:/b", "-e", "K=V", "shell"],
    GLOBAL_OPTIONS,
  );
  assertEquals(r.options.values.get("tag"), "v1");
  assertEquals(r.options.values.get("image-name"), "x/y");
  assertEquals(r.options.lists.get("mount"), ["a", "b:/b"]);
  assertEquals(r.options.lists.get("env"), ["K=V"]);
  assertEquals(r.rest, ["shell"]);
});

Deno.test("parseOptions() keeps the last of a repeated single-value option", () => {
  const r = parseOptions(["--tag", "a", "--tag", "b"], GLOBAL_OPTIONS);
  assertEquals(r.options.values.get("tag"), "b");
});

Deno.test("parseOptions() accepts every global option", () => {
  for (const def of GLOBAL_OPTIONS) {
    const args = def.kind === "flag"
      ? [`--${def.name}`]
      : def.optionalValue
      ? [`--${def.name}=v`]
      : [`--${def.name}`, "v"];
    const r = parseOptions([...args, "codex"], GLOBAL_OPTIONS);
    assertEquals(r.rest, ["codex"], def.name);
  }
});

Deno.test("parseOptions() rejects unknown options, missing values and valued flags", () => {
  assertThrows(() => parseOptions(["--nope", "codex"], GLOBAL_OPTIONS), UsageError, "--nope");
  assertThrows(() => parseOptions(["-x"], GLOBAL_OPTIONS), UsageError, "unknown option -x");
  assertThrows(() => parseOptions(["--mount"], GLOBAL_OPTIONS), UsageError, "needs a value");
  assertThrows(
    () => parseOptions(["--dry-run=yes"], GLOBAL_OPTIONS),
    UsageError,
    "takes no value",
  );
});

Deno.test("parseOptions() collects positionals when asked and honours --", () => {
  const r = parseOptions(["a", "--dry-run", "b", "--", "--tag"], GLOBAL_OPTIONS, {
    stopAtPositional: false,
  });
  assertEquals(r.rest, ["a", "b", "--tag"]);
  assertEquals(r.options.flags.has("dry-run"), true);
});

Deno.test("mergeOptions() lets later values win and concatenates lists", () => {
  const a = parseOptions(["--tag", "a", "--mount", "x"], GLOBAL_OPTIONS).options;
  const b = parseOptions(["--tag", "b", "--mount", "y", "--verbose"], GLOBAL_OPTIONS).options;
  const m = mergeOptions(a, b);
  assertEquals(m.values.get("tag"), "b");
  assertEquals(m.lists.get("mount"), ["x", "y"]);
  assertEquals(m.flags.has("verbose"), true);
});

Deno.test("parseOptions() suggests the closest option for an unknown one", () => {
  assertThrows(
    () => parseOptions(["--dryrun", "codex"], GLOBAL_OPTIONS),
    UsageError,
    "unknown option --dryrun: did you mean --dry-run? (see 'llm --help')",
  );
  assertThrows(
    () => parseOptions(["--mout=~/data", "codex"], GLOBAL_OPTIONS),
    UsageError,
    "unknown option --mout: did you mean --mount?",
  );
  assertThrows(
    () => parseOptions(["--nothing-like-it"], GLOBAL_OPTIONS),
    UsageError,
    "unknown option --nothing-like-it (see 'llm --help')",
  );
});

Deno.test("parseOptions() names the command whose options were searched", () => {
  const defs = GLOBAL_OPTIONS.filter((o) => o.name === "dry-run");
  assertThrows(
    () => parseOptions(["--dry-rn"], defs, { command: "llm pull" }),
    UsageError,
    "unknown option --dry-rn: did you mean --dry-run? (see 'llm pull --help')",
  );
});

Deno.test("parseOptions() suggests the closest value of an option with a fixed set", () => {
  for (const args of [["--backend", "podmn"], ["--backend=podmn"]]) {
    assertThrows(
      () => parseOptions([...args, "codex"], GLOBAL_OPTIONS),
      UsageError,
      "unknown backend 'podmn' from --backend: did you mean 'podman'? " +
        "(one of auto, podman, docker, singularity, apptainer)",
    );
  }
  assertThrows(
    () => parseOptions(["--arch", "linux/amd46", "codex"], GLOBAL_OPTIONS),
    UsageError,
    "did you mean 'linux/amd64'?",
  );
});

Deno.test("parseOptions() leaves a value far from every choice to the command's own check", () => {
  // The command knows more (e.g. llm build explains why singularity cannot build).
  const r = parseOptions(["--backend", "lxc", "codex"], GLOBAL_OPTIONS);
  assertEquals(r.options.values.get("backend"), "lxc");
});

Deno.test("checkChoices() names where a mistyped value came from", () => {
  const fromEnv = {
    flags: new Set<string>(),
    values: new Map([["backend", "dockr"]]),
    lists: new Map<string, string[]>(),
    sources: new Map([["backend", ["LLM_BACKEND"]]]),
  };
  assertThrows(
    () => checkChoices(fromEnv, GLOBAL_OPTIONS),
    UsageError,
    "unknown backend 'dockr' from LLM_BACKEND: did you mean 'docker'?",
  );
  checkChoices(parseOptions(["--backend", "docker"], GLOBAL_OPTIONS).options, GLOBAL_OPTIONS);
});
