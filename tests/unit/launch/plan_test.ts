import { assertEquals, assertStringIncludes, assertThrows } from "../../_assert.ts";
import { LlmError, UsageError } from "../../../lib/errors.ts";
import { addSymlink, fakeSystem, setContent } from "../../_fake_system.ts";
import { envOf, mountsOf, planFor } from "./_plan.ts";

const HOME = "/home/user";
const CWD = "/work/project";

Deno.test("codex: command, image tag, workspace and its credentials", () => {
  const plan = planFor(["codex", "exec", "hi there"], { files: [`${HOME}/.codex/`] });
  assertEquals(plan.command, ["codex", "--sandbox", "danger-full-access", "exec", "hi there"]);
  assertEquals(plan.image, "ghcr.io/nichd-bspc/llm:codex-latest");
  assertEquals(plan.workdir, CWD);
  assertEquals(plan.platform, "linux/amd64");
  assertEquals(mountsOf(plan), [`${HOME}/.codex:/home/devuser/.codex`, `${CWD}:${CWD}`]);
});

Deno.test("each agent mounts only its own credentials and gets its own tag", () => {
  const files = [`${HOME}/.codex/`, `${HOME}/.claude/`, `${HOME}/.claude.json`, `${HOME}/.pi/`];
  const claude = planFor(["claude"], { files });
  assertEquals(mountsOf(claude).slice(0, 2), [
    `${HOME}/.claude:/home/devuser/.claude`,
    "session/claude.json:/home/devuser/.claude.json",
  ]);
  assertEquals(claude.image.endsWith(":claude-latest"), true);
  const pi = planFor(["pi"], { files });
  assertEquals(mountsOf(pi)[0], `${HOME}/.pi:/home/devuser/.pi`);
  assertEquals(pi.image.endsWith(":pi-latest"), true);
  const shell = planFor(["shell"], { files });
  assertEquals(mountsOf(shell).length, 5);
  assertEquals(shell.image.endsWith(":latest"), true);
});

Deno.test("credential paths to be created before launch are planned and mounted", () => {
  const plan = planFor(["claude"]);
  assertEquals(plan.ensure.map((e) => `${e.kind} ${e.hostPath}`), [
    `dir ${HOME}/.claude`,
    `file ${HOME}/.claude.json`,
    // Made so the agent cannot create it: it is mounted read-only.
    `file ${HOME}/.claude/settings.json`,
    `file ${HOME}/.claude/CLAUDE.md`,
    `dir ${HOME}/.claude/skills`,
  ]);
  assertEquals(plan.ensure[1].content, "{}\n");
  assertEquals(plan.ensure[2].content, "{}\n");
  assertEquals(mountsOf(plan).length, 3);
});

Deno.test("shell: no args runs bash, one argument is a script, several are an exact argv", () => {
  assertEquals(planFor(["shell"]).command, ["/bin/bash"]);
  assertEquals(planFor(["shell", "--", "echo $HOME; ls"]).command, [
    "/bin/bash",
    "-c",
    "echo $HOME; ls",
  ]);
  assertEquals(planFor(["shell", "--", "exit", "3"]).command, [
    "/bin/bash",
    "-c",
    '"$@"',
    "bash",
    "exit",
    "3",
  ]);
  assertEquals(planFor(["shell", "A=1", "time", "it's"]).command.slice(3), [
    "bash",
    "A=1",
    "time",
    "it's",
  ]);
});

Deno.test("a leading -- after the agent name is dropped, later ones kept", () => {
  assertEquals(planFor(["pi", "--", "--", "x"]).command, ["pi", "--", "x"]);
});

Deno.test("--workspace-mount moves the workspace; relative is a usage error", () => {
  const plan = planFor(["--workspace-mount", "/workspace", "codex"]);
  assertEquals(plan.workdir, "/workspace");
  assertEquals(mountsOf(plan).includes(`${CWD}:/workspace`), true);
  assertEquals(envOf(plan).HOST_MOUNT_DIR, CWD);
  assertThrows(() => planFor(["--workspace-mount", "ws", "codex"]), UsageError, "absolute");
});

Deno.test("--global-read-only mounts the workspace read-only", () => {
  assertEquals(
    mountsOf(planFor(["--global-read-only", "codex"])).includes(`${CWD}:${CWD}:ro`),
    true,
  );
});

Deno.test("--mount specs from LLM_DEVCONTAINER_MOUNTS come before the command line's", () => {
  const plan = planFor(["--mount", "~/b:/b:ro", "codex"], {
    env: { LLM_DEVCONTAINER_MOUNTS: `~/a "${HOME}/with space:/ws"` },
    files: [`${HOME}/a/`, `${HOME}/b/`, `${HOME}/with space/`],
  });
  assertEquals(mountsOf(plan).slice(2), [
    `${HOME}/a:${HOME}/a`,
    `${HOME}/with space:/ws`,
    `${HOME}/b:/b:ro`,
  ]);
});

Deno.test("bad mounts: missing source, bad spec, unbalanced quote in the variable", () => {
  assertThrows(() => planFor(["--mount", "/nope", "codex"]), LlmError, "/nope does not exist");
  assertThrows(() => planFor(["--mount", "", "codex"]), UsageError, "empty mount spec");
  assertThrows(() => planFor(["--mount", "a:b:c:d", "codex"]), UsageError, "too many");
  assertThrows(() => planFor(["--mount", "/tmp:rel", "codex"], { files: ["/tmp/"] }), UsageError);
  assertThrows(
    () => planFor(["codex"], { env: { LLM_DEVCONTAINER_MOUNTS: "'/a" } }),
    UsageError,
    "LLM_DEVCONTAINER_MOUNTS",
  );
});

Deno.test("conflicting mounts are an error, identical ones collapse", () => {
  assertThrows(
    () => planFor(["--mount", "/a:/x", "--mount", "/b:/x", "codex"], { files: ["/a/", "/b/"] }),
    LlmError,
    "two mounts for container path /x",
  );
  const plan = planFor(["--mount", "/a:/x", "--mount", "/a:/x", "codex"], { files: ["/a/"] });
  assertEquals(mountsOf(plan).filter((m) => m === "/a:/x").length, 1);
});

Deno.test("a mount inside the workspace is warned about", () => {
  const plan = planFor(["--mount", `/data:${CWD}/data`, "codex"], { files: ["/data/"] });
  assertEquals(plan.warnings.length, 1);
  assertStringIncludes(plan.warnings[0], "hides");
});

Deno.test("--ro re-mounts workspace subdirectories read-only, parents first", () => {
  const host = fakeSystem({ files: [`${CWD}/data/raw/`] });
  const plan = planFor(["--ro", "data/raw", "--ro", `${CWD}/data`, "codex"], host);
  assertEquals(mountsOf(plan).slice(-2), [
    `${CWD}/data:${CWD}/data:ro`,
    `${CWD}/data/raw:${CWD}/data/raw:ro`,
  ]);
  assertEquals(plan.warnings, []);
});

Deno.test("--ro and --mask follow --workspace-mount", () => {
  const plan = planFor(["--workspace-mount", "/ws", "--ro", "a", "--mask", "b", "codex"], {
    files: [`${CWD}/a/`, `${CWD}/b/`],
  });
  assertEquals(mountsOf(plan).slice(-2), [`${CWD}/a:/ws/a:ro`, "mask:/ws/b"]);
});

Deno.test("--mask hides directories and files", () => {
  const plan = planFor(["--mask", "secrets", "--mask", ".env", "codex"], {
    files: [`${CWD}/secrets/`, `${CWD}/.env`],
  });
  const masks = plan.mounts.filter((m) => m.kind === "mask");
  assertEquals(masks.map((m) => m.kind === "mask" ? `${m.entry} ${m.target}` : ""), [
    `dir ${CWD}/secrets`,
    `file ${CWD}/.env`,
  ]);
});

Deno.test("--ro/--mask outside, equal to, or missing from the workspace are errors", () => {
  const host = { files: ["/elsewhere/", `${CWD}/x/`] };
  for (const opt of ["--ro", "--mask"]) {
    assertThrows(
      () => planFor([opt, "/elsewhere", "codex"], host),
      LlmError,
      "outside the workspace",
    );
    assertThrows(() => planFor([opt, "..", "codex"], host), LlmError, "outside the workspace");
    assertThrows(() => planFor([opt, ".", "codex"], host), LlmError, "the workspace itself");
    assertThrows(() => planFor([opt, CWD, "codex"], host), LlmError, "the workspace itself");
    assertThrows(() => planFor([opt, "nope", "codex"], host), LlmError, "does not exist");
  }
});

Deno.test("a symlink out of the workspace cannot be used with --ro or --mask", () => {
  const host = fakeSystem({ files: ["/elsewhere/"] });
  addSymlink(host, `${CWD}/out`, "/elsewhere");
  assertThrows(() => planFor(["--mask", "out", "codex"], host), LlmError, "outside the workspace");
});

Deno.test("PATH: conda bin, then --path-prepend, then ~/.local/bin and the system", () => {
  const plan = planFor([
    "--conda-env",
    "/envs/e",
    "--path-prepend",
    "tools/bin",
    "--path-prepend",
    "/envs/e/extra",
    "codex",
  ], { files: ["/envs/e/bin/"] });
  assertEquals(
    envOf(plan).PATH,
    `/envs/e/bin:${CWD}/tools/bin:/envs/e/extra:/home/devuser/.local/bin:` +
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  );
  assertEquals(mountsOf(plan).includes("/envs/e:/envs/e"), true);
});

Deno.test("PATH never has an empty element", () => {
  const path = envOf(planFor(["codex"])).PATH;
  assertEquals(path.split(":").includes(""), false);
  assertThrows(() => planFor(["--path-prepend", "", "codex"]), UsageError, "non-empty");
  assertThrows(() => planFor(["--path-prepend", "a:b", "codex"]), UsageError, "no ':'");
});

Deno.test("an absolute --path-prepend must lie under a mount", () => {
  assertThrows(
    () => planFor(["--path-prepend", "/opt/bin", "codex"]),
    LlmError,
    "not under any mount",
  );
  const ok = planFor(["--path-prepend", `${CWD}/bin`, "codex"]);
  assertEquals(envOf(ok).PATH.startsWith(`${CWD}/bin:`), true);
});

Deno.test("a conda env inside the workspace uses its container path and no extra mount", () => {
  const plan = planFor(["--workspace-mount", "/ws", "--conda-env", "env", "codex"], {
    files: [`${CWD}/env/bin/`],
  });
  assertEquals(envOf(plan).PATH.startsWith("/ws/env/bin:"), true);
  assertEquals(mountsOf(plan).length, 2);
});

Deno.test("--conda-env: missing, without bin/, or macOS binaries are errors", () => {
  assertThrows(() => planFor(["--conda-env", "/nope", "codex"]), LlmError, "not a directory");
  assertThrows(
    () => planFor(["--conda-env", "/e", "codex"], { files: ["/e/"] }),
    LlmError,
    "no bin/",
  );
  const host = fakeSystem({ files: ["/e/bin/python"] });
  setContent(host, "/e/bin/python", new Uint8Array([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]));
  assertThrows(() => planFor(["--conda-env", "/e", "codex"], host), LlmError, "conda-bootstrap");
  const linux = fakeSystem({ files: ["/e/bin/python"] });
  setContent(linux, "/e/bin/python", new Uint8Array([0x7f, 0x45, 0x4c, 0x46]));
  assertEquals(
    envOf(planFor(["--conda-env", "/e", "codex"], linux)).PATH.startsWith("/e/bin:"),
    true,
  );
});

Deno.test("--certs mounts the bundle read-only and points every TLS variable at it", () => {
  const plan = planFor(["--certs", "~/ca.pem", "--env", "NODE_EXTRA_CA_CERTS=/x", "codex"], {
    files: [`${HOME}/ca.pem`],
  });
  assertEquals(mountsOf(plan).includes(`${HOME}/ca.pem:/tmp/llm-devcontainer-cert.pem:ro`), true);
  const env = envOf(plan);
  for (
    const v of [
      "SSL_CERT_FILE",
      "GIT_SSL_CAINFO",
      "AWS_CA_BUNDLE",
      "REQUESTS_CA_BUNDLE",
      "CURL_CA_BUNDLE",
    ]
  ) {
    assertEquals(env[v], "/tmp/llm-devcontainer-cert.pem", v);
  }
  assertEquals(env.NODE_EXTRA_CA_CERTS, "/x");
});

Deno.test("LLM_DEVCONTAINER_CERTS is the default for --certs", () => {
  const host = { env: { LLM_DEVCONTAINER_CERTS: "/ca.pem" }, files: ["/ca.pem", "/other.pem"] };
  assertEquals(
    mountsOf(planFor(["codex"], host)).includes("/ca.pem:/tmp/llm-devcontainer-cert.pem:ro"),
    true,
  );
  assertEquals(
    mountsOf(planFor(["--certs", "/other.pem", "codex"], host)).includes(
      "/other.pem:/tmp/llm-devcontainer-cert.pem:ro",
    ),
    true,
  );
});

const PEM = "# the site's CA\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

/** A host whose `path` holds `text` (a PEM bundle by default). */
function withBundle(path: string, text = PEM, options: { env?: Record<string, string> } = {}) {
  const host = fakeSystem({ files: [path], ...options });
  setContent(host, path, text);
  return host;
}

Deno.test("--certs that is unreadable, empty or not PEM is refused at launch", () => {
  const unreadable = withBundle("/ca.pem");
  const file = unreadable.files.get("/ca.pem");
  if (file) file.mode = 0o000;
  assertThrows(
    () => planFor(["--certs", "/ca.pem", "codex"], unreadable),
    LlmError,
    "--certs /ca.pem cannot be read (permission denied?); make it readable (chmod a+r) or give " +
      "another PEM file",
  );
  assertThrows(
    () => planFor(["--certs", "/ca.pem", "codex"], withBundle("/ca.pem", "")),
    LlmError,
    "--certs /ca.pem is empty; give a PEM file of CA certificates",
  );
  assertThrows(
    () =>
      planFor(
        ["codex"],
        withBundle("/ca.der", "0\x82\x01", { env: { LLM_DEVCONTAINER_CERTS: "/ca.der" } }),
      ),
    LlmError,
    "LLM_DEVCONTAINER_CERTS /ca.der holds no PEM certificate (no '-----BEGIN CERTIFICATE-----' " +
      "line); export your CA certificates in PEM format",
  );
  const plan = planFor(["--certs", "/ca.pem", "codex"], withBundle("/ca.pem"));
  assertEquals(mountsOf(plan).includes("/ca.pem:/tmp/llm-devcontainer-cert.pem:ro"), true);
});

Deno.test("--certs missing or a directory is an error", () => {
  assertThrows(() => planFor(["--certs", "/nope.pem", "codex"]), LlmError, "does not exist");
  assertThrows(
    () => planFor(["--certs", "/d", "codex"], { files: ["/d/"] }),
    LlmError,
    "is not a file",
  );
  assertThrows(
    () => planFor(["codex"], { env: { LLM_DEVCONTAINER_CERTS: "/nope" } }),
    LlmError,
    "LLM_DEVCONTAINER_CERTS /nope does not exist",
  );
});

Deno.test("--arch, --image-name and --tag reach the plan", () => {
  const plan = planFor(["--arch", "linux/arm64", "--image-name", "me/i:1", "--tag", "2", "pi"]);
  assertEquals(plan.platform, "linux/arm64");
  assertEquals(plan.image, "me/i:2");
  assertThrows(() => planFor(["--arch", "arm", "pi"]), UsageError, "--arch");
});

Deno.test("launching from the home directory warns that everything there is exposed", () => {
  const home = planFor(["codex"], { cwd: HOME });
  assertStringIncludes(home.warnings[0], "is your home directory");
  assertEquals(planFor(["codex"]).warnings, []);
});

Deno.test("launching from / is refused with one error, whatever the container path", () => {
  for (const argv of [["codex"], ["--workspace-mount", "/work", "codex"]]) {
    assertThrows(
      () => planFor(argv, { cwd: "/" }),
      LlmError,
      "the working directory / is the root directory, which would give the agent the whole " +
        "machine; cd into a project directory and launch from there",
    );
  }
});

Deno.test("a workspace landing on the container's system directories is refused", () => {
  assertThrows(
    () => planFor(["codex"], { cwd: "/usr/local/src/proj", files: ["/usr/local/src/proj/"] }),
    LlmError,
    "the workspace would be mounted at /usr/local/src/proj, inside the container's /usr, where " +
      "it hides files the agent needs to start; launch from a project directory elsewhere, or " +
      "give --workspace-mount /work",
  );
  assertThrows(
    () => planFor(["--workspace-mount", "/", "codex"]),
    LlmError,
    "over the container's whole system",
  );
  assertThrows(
    () => planFor(["--workspace-mount", "/etc", "codex"]),
    LlmError,
    "inside the container's /etc, where it hides files the agent needs to start; give " +
      "--workspace-mount another path, such as /work",
  );
  const moved = planFor(["--workspace-mount", "/work", "codex"], {
    cwd: "/usr/local/src/proj",
    files: ["/usr/local/src/proj/"],
  });
  assertEquals(moved.workdir, "/work");
  // Only whole system directories count: /usr2 or /devel are ordinary places.
  assertEquals(planFor(["--workspace-mount", "/devel", "codex"]).workdir, "/devel");
});

Deno.test("a path hidden by permissions is reported as permission denied, not as absent", () => {
  const host = { denied: ["/root"] };
  assertThrows(
    () => planFor(["--mount", "/root/.codex:/c", "codex"], host),
    LlmError,
    "--mount /root/.codex:/c: host path /root/.codex cannot be read (permission denied); fix " +
      "its permissions, or run llm as a user who can read it",
  );
  assertThrows(
    () => planFor(["--mount", "/nope:/c", "codex"], host),
    LlmError,
    "host path /nope does not exist; create it or fix the spec",
  );
  assertThrows(
    () => planFor(["--certs", "/root/ca.pem", "codex"], host),
    LlmError,
    "--certs /root/ca.pem cannot be read (permission denied); give a PEM file",
  );
  assertThrows(
    () => planFor(["--mask", "secret", "codex"], { denied: ["/work/project/secret"] }),
    LlmError,
    "--mask secret cannot be read (permission denied); give an existing path",
  );
});

Deno.test("a mount that shows the workspace again carries its masks and read-only paths along", () => {
  const files = [`${CWD}/a/secrets/key`, `${CWD}/data/f`];
  const plan = planFor(
    ["--mask", "a/secrets", "--ro", "data", "--mount", `${CWD}:/other`, "codex"],
    {
      files,
    },
  );
  const mounts = mountsOf(plan);
  assertEquals(mounts.includes("mask:/other/a/secrets"), true, mounts.join("\n"));
  assertEquals(mounts.includes(`${CWD}/data:/other/data:ro`), true, mounts.join("\n"));
  assertEquals(mounts.includes(`mask:${CWD}/a/secrets`), true);
  // A parent of the workspace, mounted elsewhere, too.
  const parent = planFor(["--mask", "a/secrets", "--mount", "/work:/w:ro", "codex"], { files });
  assertEquals(mountsOf(parent).includes("mask:/w/project/a/secrets"), true);
});

Deno.test("a mount inside a masked path, or a writable one inside a read-only path, is refused", () => {
  const files = [`${CWD}/a/secrets/key`, `${CWD}/data/f`];
  assertThrows(
    () => planFor(["--mask", "a/secrets", "--mount", "a/secrets/key:/k", "codex"], { files }),
    LlmError,
    "--mount a/secrets/key:/k is inside --mask a/secrets, so it would show what that protects; " +
      "drop one of them",
  );
  assertThrows(
    () => planFor(["--ro", "data", "--mount", "data:/d", "codex"], { files }),
    LlmError,
    "--mount data:/d is inside --ro data, so it would show what that protects; drop one of " +
      "them, or add :ro to the mount",
  );
  const ro = planFor(["--ro", "data", "--mount", "data:/d:ro", "codex"], { files });
  assertEquals(mountsOf(ro).includes(`${CWD}/data:/d:ro`), true);
});
