/**
 * .github/workflows/image.yml cannot run here; these tests load it with
 * @std/yaml and check that it builds, checks, tags and pushes what the
 * project promises, and that every shell script in it is valid bash.
 */
import { assert, assertEquals, assertStringIncludes } from "../../_assert.ts";
import { parse } from "../../../lib/std/yaml.ts";

const WORKFLOWS = new URL("../../../.github/workflows/", import.meta.url);
const TEXT = Deno.readTextFileSync(new URL("image.yml", WORKFLOWS));

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  "runs-on": string;
  needs?: string | string[];
  if?: string;
  outputs?: Record<string, string>;
  strategy?: { matrix: { include: Record<string, string>[] } };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const WORKFLOW = parse(TEXT) as Workflow;
const job = (name: string): Job => {
  const j = WORKFLOW.jobs[name];
  assert(j, `job ${name}`);
  return j;
};
const scripts = (j: Job) => j.steps.map((s) => s.run ?? "").join("\n");
const stepRunning = (j: Job, text: string): Step => {
  const step = j.steps.find((s) => s.run?.includes(text));
  assert(step, `a step running ${text}`);
  return step;
};
const NOT_ON_PULL_REQUESTS = "github.event_name != 'pull_request'";

Deno.test("every workflow file parses as YAML", () => {
  for (const entry of Deno.readDirSync(WORKFLOWS)) {
    if (!/\.ya?ml$/.test(entry.name)) continue;
    const doc = parse(Deno.readTextFileSync(new URL(entry.name, WORKFLOWS)));
    assert(doc !== null && typeof doc === "object", `${entry.name} is a mapping`);
  }
});

Deno.test("image.yml runs on pushes to main, pull requests, nightly and by hand", () => {
  assertEquals((WORKFLOW.on.push as { branches: string[] }).branches, ["main"]);
  assert("pull_request" in WORKFLOW.on);
  assert("workflow_dispatch" in WORKFLOW.on);
  const cron = (WORKFLOW.on.schedule as { cron: string }[])[0].cron;
  assertEquals(cron.split(" ").length, 5);
  assertEquals(cron.split(" ").slice(2), ["*", "*", "*"], "daily");
  assertEquals(WORKFLOW.permissions.packages, "write");
});

Deno.test("image.yml builds each architecture natively with deno task build-image", () => {
  const build = job("build");
  assertEquals(build.strategy?.matrix.include, [
    { arch: "amd64", runner: "ubuntu-latest" },
    { arch: "arm64", runner: "ubuntu-24.04-arm" },
  ]);
  assertEquals(build["runs-on"], "${{ matrix.runner }}");
  const step = stepRunning(build, "deno task build-image");
  assertStringIncludes(step.run ?? "", "--arch linux/${{ matrix.arch }}");
  for (const agent of ["claude", "codex", "pi"]) {
    assertStringIncludes(
      step.run ?? "",
      `--${agent}-version "\${{ needs.versions.outputs.${agent} }}"`,
    );
  }
});

Deno.test("image.yml runs llm-diagnostics through llm shell and fails on FAIL lines", () => {
  const step = stepRunning(job("build"), "llm-diagnostics");
  assertStringIncludes(step.run ?? "", "deno task llm --backend podman --image-name");
  assertStringIncludes(step.run ?? "", "shell -- llm-diagnostics");
  assertStringIncludes(step.run ?? "", "grep '^FAIL'");
});

Deno.test("image.yml reads the agent versions from the built image", () => {
  const run = stepRunning(job("build"), 'shell -- "$1" --version').run ?? "";
  assertStringIncludes(run, 'shell -- "$1" --version');
  for (const agent of ["claude", "codex", "pi"]) assertStringIncludes(run, `version ${agent}`);
});

Deno.test("image.yml pushes nothing on pull requests", () => {
  const pushing = Object.entries(WORKFLOW.jobs).flatMap(([name, j]) =>
    j.steps.filter((s) => /\b(podman push|manifest push|apptainer push|login)\b/.test(s.run ?? ""))
      .map((s) => ({ name, job: j, step: s }))
  );
  assert(pushing.length >= 3);
  for (const { name, job, step } of pushing) {
    assert(
      job.if === NOT_ON_PULL_REQUESTS || step.if === NOT_ON_PULL_REQUESTS,
      `${name}: '${step.name}' must not run on pull requests`,
    );
  }
});

Deno.test("image.yml tags sha-<commit>, <agent>-<version>, and latest and <agent>-latest on main", () => {
  const run = scripts(job("tags"));
  assertStringIncludes(run, 'tags="sha-${GITHUB_SHA} claude-${claude} codex-${codex} pi-${pi}"');
  assertStringIncludes(run, 'if [[ "$GITHUB_REF" == refs/heads/main ]]; then');
  assertStringIncludes(run, 'tags="$tags latest claude-latest codex-latest pi-latest"');
  assertStringIncludes(run, "diff versions-amd64.env versions-arm64.env");
});

Deno.test("image.yml stitches the per-arch images into one multi-arch manifest", () => {
  const manifest = job("manifest");
  assertEquals(manifest.if, NOT_ON_PULL_REQUESTS);
  const run = scripts(manifest);
  assertStringIncludes(run, "podman manifest create llm");
  assertStringIncludes(run, 'podman manifest add llm "docker://$image:sha-${GITHUB_SHA}-$arch"');
  assertStringIncludes(run, "for tag in ${{ needs.tags.outputs.tags }}; do");
  assertStringIncludes(run, 'podman manifest push --all llm "docker://$image:$tag"');
  assertStringIncludes(scripts(job("build")), 'image="ghcr.io/${GITHUB_REPOSITORY_OWNER,,}/llm"');
});

Deno.test("image.yml converts the amd64 image to a SIF with Apptainer and pushes it to llm-sif", () => {
  const sif = job("sif");
  assert(sif.steps.some((s) => s.uses?.startsWith("eWaterCycle/setup-apptainer@")));
  const run = scripts(sif);
  assertStringIncludes(run, "apptainer build llm.sif docker-archive://llm-amd64.tar");
  assertStringIncludes(run, 'sif="oras://ghcr.io/${GITHUB_REPOSITORY_OWNER,,}/llm-sif"');
  assertStringIncludes(run, 'apptainer push llm.sif "$sif:$tag"');
  assertStringIncludes(
    scripts(job("build")),
    'podman save --format docker-archive -o llm-amd64.tar "$LOCAL_TAG"',
  );
});

Deno.test("image.yml checks the org.opencontainers.image.source label", () => {
  assertStringIncludes(scripts(job("build")), "org.opencontainers.image.source");
});

Deno.test("image.yml uses only deno tasks that deno.json defines", () => {
  const config = JSON.parse(Deno.readTextFileSync(new URL("../../../deno.json", import.meta.url)));
  const used = [...TEXT.matchAll(/deno task (?:-q )?([\w-]+)/g)].map((m) => m[1]);
  assert(used.includes("build-image") && used.includes("llm"));
  for (const task of used) assert(task in config.tasks, `deno task ${task} is defined`);
});

Deno.test("image.yml reads only outputs of jobs it needs, and those jobs declare them", () => {
  for (const [name, j] of Object.entries(WORKFLOW.jobs)) {
    const needs = [j.needs ?? []].flat();
    const text = JSON.stringify(j);
    for (const m of text.matchAll(/needs\.([\w-]+)\.outputs\.([\w-]+)/g)) {
      assert(needs.includes(m[1]), `${name} reads ${m[0]} but needs only [${needs}]`);
      assert(WORKFLOW.jobs[m[1]].outputs?.[m[2]], `${m[1]} declares output ${m[2]}`);
    }
  }
});

Deno.test("image.yml pins every action to a major version", () => {
  for (const j of Object.values(WORKFLOW.jobs)) {
    for (const s of j.steps.filter((s) => s.uses)) {
      assert(/@v\d+$/.test(s.uses ?? ""), `${s.uses} is pinned`);
    }
  }
});

Deno.test("every run script in image.yml is valid bash", async () => {
  for (const [name, j] of Object.entries(WORKFLOW.jobs)) {
    for (const s of j.steps.filter((s) => s.run)) {
      // Expressions are substituted by Actions before bash sees the script.
      const script = (s.run ?? "").replace(/\$\{\{[^}]*\}\}/g, "EXPR");
      const out = await new Deno.Command("bash", {
        args: ["-n", "-c", script],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(out.code, 0, `${name}: ${s.name}: ${new TextDecoder().decode(out.stderr)}`);
    }
  }
});
