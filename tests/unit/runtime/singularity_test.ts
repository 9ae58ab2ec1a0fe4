import { assertEquals, assertThrows } from "../../_assert.ts";
import { LlmError, UsageError } from "../../../lib/errors.ts";
import type { InvocationFacts } from "../../../lib/runtime/runtime.ts";
import {
  chooseSifImage,
  sifCacheDir,
  sifCacheFile,
  singularityAdapter,
  singularityBind,
  singularityCommand,
  singularityRef,
} from "../../../lib/runtime/singularity.ts";
import { fakeSystem } from "../../_fake_system.ts";
import { planFor } from "../launch/_plan.ts";

const FACTS: InvocationFacts = {
  executable: "apptainer",
  tty: true,
  uid: 1234,
  gid: 99,
  os: "linux",
  scratch: "/tmp/llm-1",
};

Deno.test("singularity golden argv: codex with a fresh home, clean env and contained mounts", () => {
  const plan = planFor(["codex", "--model", "x"], { files: ["/home/user/.codex/"] });
  const command = singularityCommand(plan, FACTS);
  assertEquals(command.argv, [
    "apptainer",
    "exec",
    "--containall",
    "--no-mount",
    "bind-paths",
    "--home",
    "/tmp/llm-1/home:/home/devuser",
    "--pwd",
    "/work/project",
    "--bind",
    "/home/user/.codex:/home/devuser/.codex",
    "--bind",
    "/work/project:/work/project",
    "--bind",
    "/home/user/.codex/config.toml:/home/devuser/.codex/config.toml:ro",
    "--bind",
    "/home/user/.codex/AGENTS.md:/home/devuser/.codex/AGENTS.md:ro",
    "--bind",
    "/home/user/.codex/skills:/home/devuser/.codex/skills:ro",
    "ghcr.io/nichd-bspc/llm:codex-latest",
    "codex",
    "--sandbox",
    "danger-full-access",
    "--model",
    "x",
  ]);
  // Values reach the container through the runtime's environment, never its argv.
  assertEquals(command.env, {
    APPTAINERENV_USER: "devuser",
    APPTAINERENV_LOGNAME: "devuser",
    APPTAINERENV_USERNAME: "devuser",
    APPTAINERENV_TOOL: "codex",
    APPTAINERENV_HOST_MOUNT_DIR: "/work/project",
    APPTAINERENV_PATH:
      "/home/devuser/.local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  });
  assertEquals(command.unsetEnv?.includes("APPTAINERENV_*"), true);
  assertEquals(command.unsetEnv?.includes("FTP_PROXY"), true);
});

Deno.test("singularity, not apptainer, reads SINGULARITYENV_ variables", () => {
  const command = singularityCommand(planFor(["codex"]), {
    ...FACTS,
    executable: "/opt/singularity",
  });
  assertEquals(command.env?.SINGULARITYENV_TOOL, "codex");
  assertEquals(Object.keys(command.env ?? {}).every((k) => k.startsWith("SINGULARITYENV_")), true);
});

Deno.test("singularity emits no TTY, platform or user-mapping flags", () => {
  const plan = planFor(["--arch", "linux/arm64", "codex"]);
  const argv = singularityCommand(plan, FACTS).argv;
  for (const a of argv) {
    assertEquals(/^(-t|--platform|--user|--userns|--uidmap|--gidmap)/.test(a), false, a);
  }
});

Deno.test("singularity never passes HOME as a variable; --env HOME moves the home instead", () => {
  const command = singularityCommand(planFor(["codex"]), FACTS);
  assertEquals(Object.keys(command.env ?? {}).some((k) => k.endsWith("_HOME")), false);
  const moved = singularityCommand(planFor(["--env", "HOME=/h2", "codex"]), FACTS).argv;
  assertEquals(moved.slice(5, 7), ["--home", "/tmp/llm-1/home:/h2"]);
});

Deno.test("singularity golden binds: global ro, --ro, masks, certs, extra mounts", () => {
  const plan = planFor([
    "--mount",
    "/data:/d:ro",
    "--ro",
    "in",
    "--mask",
    "secret",
    "--mask",
    ".env",
    "--certs",
    "/ca.pem",
    "--global-read-only",
    "shell",
  ], {
    files: [
      "/data/",
      "/work/project/in/",
      "/work/project/secret/",
      "/work/project/.env",
      "/ca.pem",
    ],
  });
  const argv = singularityCommand(plan, FACTS).argv;
  const binds = argv.flatMap((a, i) => a === "--bind" ? [argv[i + 1]] : []);
  assertEquals(binds, [
    "/home/user/.codex:/home/devuser/.codex",
    "/home/user/.claude:/home/devuser/.claude",
    "/tmp/llm-1/session/claude.json:/home/devuser/.claude.json",
    "/home/user/.pi:/home/devuser/.pi",
    "/work/project:/work/project:ro",
    "/data:/d:ro",
    "/work/project/in:/work/project/in:ro",
    "/tmp/llm-1/empty:/work/project/secret:ro",
    "/tmp/llm-1/empty-file:/work/project/.env:ro",
    "/ca.pem:/tmp/llm-devcontainer-cert.pem:ro",
    "/home/user/.codex/config.toml:/home/devuser/.codex/config.toml:ro",
    "/home/user/.codex/AGENTS.md:/home/devuser/.codex/AGENTS.md:ro",
    "/home/user/.codex/skills:/home/devuser/.codex/skills:ro",
    "/home/user/.claude/settings.json:/home/devuser/.claude/settings.json:ro",
    "/home/user/.claude/CLAUDE.md:/home/devuser/.claude/CLAUDE.md:ro",
    "/home/user/.claude/skills:/home/devuser/.claude/skills:ro",
    "/home/user/.pi/agent/AGENTS.md:/home/devuser/.pi/agent/AGENTS.md:ro",
    "/home/user/.pi/agent/skills:/home/devuser/.pi/agent/skills:ro",
  ]);
  assertEquals(argv.slice(-2), ["ghcr.io/nichd-bspc/llm:latest", "/bin/bash"]);
});

Deno.test("singularity refuses bind paths with ':', ',' or a line break rather than mount something else", () => {
  assertThrows(
    () => singularityCommand(planFor(["codex"], { cwd: "/work/a:b" }), FACTS),
    LlmError,
    "cannot contain ':', ',' or a line break",
  );
  assertThrows(
    () =>
      singularityBind(
        { kind: "bind", source: "/a\nb", target: "/x", readOnly: false, origin: "--mount" },
        "/s",
      ),
    LlmError,
    "cannot mount /a\nb (--mount)",
  );
  assertThrows(
    () =>
      singularityBind(
        { kind: "bind", source: "/a,b", target: "/x", readOnly: false, origin: "--mount" },
        "/s",
      ),
    LlmError,
    "/a,b",
  );
  assertThrows(
    () => singularityBind({ kind: "mask", target: "/w/a,b", entry: "dir", origin: "--mask" }, "/s"),
    LlmError,
    "cannot mask /w/a,b",
  );
});

Deno.test("the singularity adapter asks for a home in its scratch directory", () => {
  for (const name of ["singularity", "apptainer"] as const) {
    const adapter = singularityAdapter(name);
    assertEquals(adapter.name, name);
    assertEquals(adapter.scratchDirs, ["home"]);
  }
});

Deno.test("sifCacheDir() uses XDG_CACHE_HOME when absolute, else ~/.cache", () => {
  assertEquals(sifCacheDir({ XDG_CACHE_HOME: "/c" }, "/h"), "/c/llm");
  assertEquals(sifCacheDir({ XDG_CACHE_HOME: "rel" }, "/h"), "/h/.cache/llm");
  assertEquals(sifCacheDir({}, "/h"), "/h/.cache/llm");
});

Deno.test("sifCacheFile() names one file per reference", () => {
  assertEquals(
    sifCacheFile("/c", "oras://ghcr.io/nichd-bspc/llm-sif:codex-latest"),
    "/c/ghcr.io_nichd-bspc_llm-sif_codex-latest.sif",
  );
  assertEquals(sifCacheFile("/c", "docker://a/b@sha256:00"), "/c/a_b_sha256_00.sif");
});

Deno.test("singularityRef() tags the SIF image per agent and schemes a bare --image-name", () => {
  assertEquals(
    singularityRef({ defaultTag: "pi-latest" }),
    "oras://ghcr.io/nichd-bspc/llm-sif:pi-latest",
  );
  assertEquals(
    singularityRef({ tag: "v2", defaultTag: "pi-latest" }),
    "oras://ghcr.io/nichd-bspc/llm-sif:v2",
  );
  assertEquals(
    singularityRef({ imageName: "ghcr.io/me/img:1", defaultTag: "pi-latest" }),
    "docker://ghcr.io/me/img:1",
  );
  assertEquals(
    singularityRef({ imageName: "oras://ghcr.io/me/sif", tag: "3", defaultTag: "x" }),
    "oras://ghcr.io/me/sif:3",
  );
});

Deno.test("chooseSifImage(): --sif-path is resolved against the working directory, never re-tagged", () => {
  const host = fakeSystem({ files: ["/work/project/img/a.sif"] });
  const choice = chooseSifImage({ sifPath: "img/a.sif", tag: "v9", defaultTag: "latest" }, host);
  assertEquals(choice.image, "/work/project/img/a.sif");
  assertEquals(choice.source, "sif-path");
  assertEquals(choice.warnings.length, 1);
});

Deno.test("chooseSifImage(): --sif-path missing, a directory or empty is an error", () => {
  const host = fakeSystem({ files: ["/work/project/dir/"] });
  assertThrows(
    () => chooseSifImage({ sifPath: "nope.sif", defaultTag: "latest" }, host),
    LlmError,
    "/work/project/nope.sif does not exist",
  );
  assertThrows(
    () => chooseSifImage({ sifPath: "dir", defaultTag: "latest" }, host),
    LlmError,
    "/work/project/dir is not a file",
  );
  assertThrows(
    () => chooseSifImage({ sifPath: " ", defaultTag: "latest" }, host),
    UsageError,
    "--sif-path needs",
  );
});

Deno.test("chooseSifImage(): a SIF cached by llm pull wins over the registry", () => {
  const cached = "/x/llm/ghcr.io_nichd-bspc_llm-sif_codex-latest.sif";
  const env = { XDG_CACHE_HOME: "/x" };
  const without = chooseSifImage({ defaultTag: "codex-latest" }, fakeSystem({ env }));
  assertEquals(without, {
    image: "oras://ghcr.io/nichd-bspc/llm-sif:codex-latest",
    source: "registry",
    warnings: [],
  });
  const withCache = chooseSifImage(
    { defaultTag: "codex-latest" },
    fakeSystem({ env, files: [cached] }),
  );
  assertEquals(withCache, { image: cached, source: "cache", warnings: [] });
});
