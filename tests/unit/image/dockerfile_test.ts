/**
 * The Dockerfile cannot be built here (no registry for ubuntu:24.04), so
 * these tests read it: each requirement of the image is checked as text,
 * and against the launcher's idea of the image (lib/launch/container.ts).
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../../_assert.ts";
import { CONTEXT_FILES } from "../../../lib/image/context.ts";
import {
  BASE_PATH,
  CONTAINER_GID,
  CONTAINER_HOME,
  CONTAINER_UID,
  CONTAINER_USER,
} from "../../../lib/launch/container.ts";

interface Instruction {
  readonly keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  readonly args: string;
}

const TEXT = Deno.readTextFileSync(new URL("../../../Dockerfile", import.meta.url));

/** Split a Dockerfile into instructions: comments dropped, `\` continuations joined. */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let current = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (current === "" && (line === "" || line.startsWith("#"))) continue;
    if (line.startsWith("#")) continue;
    current += (current ? " " : "") + line.replace(/\\$/, "").trim();
    if (!line.endsWith("\\")) {
      const space = current.indexOf(" ");
      out.push({ keyword: current.slice(0, space).toUpperCase(), args: current.slice(space + 1) });
      current = "";
    }
  }
  return out;
}

const ALL = instructions(TEXT);
const of = (keyword: string) => ALL.filter((i) => i.keyword === keyword);
const RUNS = of("RUN").map((i) => i.args);
const runWith = (text: string) => RUNS.filter((r) => r.includes(text));

/** ARG defaults, by name. */
function args(): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const { args } of of("ARG")) {
    const [name, value] = args.split("=");
    out.set(name, value);
  }
  return out;
}

/** `KEY=VALUE` pairs of ENV or LABEL instructions (values may be double-quoted). */
function pairs(keyword: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const { args } of of(keyword)) {
    for (const m of args.matchAll(/([\w.-]+)=("([^"]*)"|\S+)/g)) out.set(m[1], m[3] ?? m[2]);
  }
  return out;
}

Deno.test("Dockerfile starts from Ubuntu 24.04", () => {
  assertEquals(ALL[0], { keyword: "FROM", args: "ubuntu:24.04" });
});

Deno.test("Dockerfile fails clearly on an architecture other than amd64 and arm64", () => {
  assert(args().has("TARGETARCH"));
  const check = RUNS.find((r) => r.includes("unsupported architecture"));
  assert(check, "a RUN that rejects other architectures");
  assertStringIncludes(check, "amd64|arm64) ;;");
  assertStringIncludes(check, "exit 1");
  assert(RUNS.indexOf(check) === 0, "the architecture check comes before any download");
});

Deno.test("Dockerfile trusts the mitm_ca_bundle secret in every RUN that downloads", () => {
  const downloading = RUNS.filter((r) =>
    /\b(curl|apt-get update|npm install|install-agents\.sh)\b/.test(r)
  );
  assert(downloading.length >= 5, `found ${downloading.length} downloading RUNs`);
  for (const run of downloading) {
    assertStringIncludes(run, "--mount=type=secret,id=mitm_ca_bundle");
    assertStringIncludes(run, "--mount=type=tmpfs,target=/run/llm-ca");
    assertStringIncludes(
      run,
      "--mount=type=bind,source=image/build-certs.sh,target=/run/llm-build-certs.sh",
    );
    assertMatch(run, /^(--mount=\S+ )+\. \/run\/llm-build-certs\.sh &&/);
  }
});

Deno.test("Dockerfile keeps the CA bundle out of every layer and out of the image config", () => {
  for (const i of ALL) {
    if (i.keyword === "RUN") continue;
    assert(!/secrets|mitm|llm-ca/.test(i.args), `${i.keyword} ${i.args} mentions the build CA`);
  }
  for (const run of RUNS) {
    assert(
      !/\/etc\/apt\/apt\.conf\.d|update-ca-certificates/.test(run),
      `RUN writes CA config: ${run}`,
    );
  }
});

Deno.test("Dockerfile copies only files that are part of the embedded build context", () => {
  const sources = [
    ...of("COPY").map((i) => i.args.split(" ").filter((w) => !w.startsWith("--")).slice(0, -1))
      .flat(),
    ...[...TEXT.matchAll(/type=bind,source=([^,\s]+)/g)].map((m) => m[1]),
  ];
  assert(sources.length > 0);
  for (const s of sources) assert(CONTEXT_FILES.includes(s), `${s} is not in CONTEXT_FILES`);
  assertEquals(of("ADD"), []);
});

/** A shared build script or list under image/, as the Dockerfile mounts it. */
const shared = (name: string) =>
  Deno.readTextFileSync(new URL(`../../../image/${name}`, import.meta.url));

Deno.test("Dockerfile installs the everyday tools", () => {
  const install = runWith("apt-get install -y --no-install-recommends")[0];
  assertStringIncludes(install, "$(grep -v '^#' /run/llm-packages.txt)");
  assertStringIncludes(install, "source=image/packages.txt,target=/run/llm-packages.txt");
  const apt = shared("packages.txt").split("\n").filter((l) => l && !l.startsWith("#")).join(" ");
  for (
    const tool of [
      "bash",
      "git",
      "ripgrep",
      "fzf",
      "jq",
      "curl",
      "less",
      "vim",
      "procps",
      "unzip",
      "xz-utils",
      "bubblewrap",
      "ca-certificates",
      "man-db",
      "python3",
      "python-is-python3",
      "sudo",
    ]
  ) {
    assert(apt.split(" ").includes(tool), `apt installs ${tool}`);
  }
});

Deno.test("Dockerfile pins Node.js and checks it against the published SHASUMS256.txt", () => {
  assertMatch(args().get("NODE_VERSION") ?? "", /^\d+\.\d+\.\d+$/);
  const node = runWith("nodejs.org")[0];
  assertStringIncludes(node, "https://nodejs.org/dist/v${NODE_VERSION}/SHASUMS256.txt");
  assertStringIncludes(node, "sha256sum -c");
  assert(node.indexOf("sha256sum -c") < node.indexOf("tar -xJf"), "checked before unpacking");
  assertStringIncludes(node, "amd64) node_arch=x64 ;; arm64) node_arch=arm64 ;;");
});

Deno.test("Dockerfile installs AWS CLI v2 for both architectures", () => {
  const aws = runWith("awscli")[0];
  assertStringIncludes(aws, "amd64) aws_arch=x86_64 ;; arm64) aws_arch=aarch64 ;;");
  assertStringIncludes(aws, "awscli-exe-linux-${aws_arch}.zip");
  assertStringIncludes(aws, "aws --version");
});

Deno.test("Dockerfile installs the three agents, each pinnable by a build arg defaulting to latest", () => {
  const a = args();
  for (const name of ["CLAUDE_VERSION", "CODEX_VERSION", "PI_VERSION"]) {
    assertEquals(a.get(name), "latest", name);
  }
  const npm = runWith("install-agents.sh")[0];
  assertStringIncludes(npm, '"codex=${CODEX_VERSION}" "pi=${PI_VERSION}"');
  const script = shared("install-agents.sh");
  assertStringIncludes(script, "codex) package=@openai/codex ;;");
  assertStringIncludes(script, "pi) package=@earendil-works/pi-coding-agent ;;");
  assertStringIncludes(script, "npm install --global --no-fund --no-audit $packages");
  const claude = runWith("claude-code")[0];
  assertStringIncludes(claude, "https://downloads.claude.ai/claude-code/apt/stable stable main");
  assertStringIncludes(claude, '"$fingerprint" != "$CLAUDE_KEY_FINGERPRINT"');
  assertStringIncludes(claude, 'package="claude-code=${CLAUDE_VERSION}-*"');
  assertMatch(a.get("CLAUDE_KEY_FINGERPRINT") ?? "", /^[0-9A-F]{40}$/);
});

Deno.test("Dockerfile makes devuser with the uid, gid and home the launcher expects", () => {
  assertEquals(args().get("DEVUSER_UID"), String(CONTAINER_UID));
  assertEquals(args().get("DEVUSER_GID"), String(CONTAINER_GID));
  assertStringIncludes(runWith("install-user.sh")[0], "sh /run/llm-install-user.sh");
  const user = shared("install-user.sh");
  assertStringIncludes(user, `--home-dir ${CONTAINER_HOME}`);
  assertStringIncludes(user, `--shell /bin/bash ${CONTAINER_USER}`);
  assertStringIncludes(user, "userdel --remove ubuntu");
  assertStringIncludes(user, `${CONTAINER_USER} ALL=(ALL) NOPASSWD:ALL`);
  assertStringIncludes(user, `chown -R devuser:devuser /workspace ${CONTAINER_HOME}`);
  assertEquals(of("USER").at(-1)?.args, CONTAINER_USER);
  assertEquals(of("WORKDIR").at(-1)?.args, "/workspace");
});

Deno.test("Dockerfile sets HOME, SHELL, a UTF-8 locale, TERM, EDITOR and the launcher's PATH", () => {
  const env = pairs("ENV");
  assertEquals(env.get("HOME"), CONTAINER_HOME);
  assertEquals(env.get("SHELL"), "/bin/bash");
  assertMatch(env.get("LANG") ?? "", /UTF-8$/);
  assertMatch(env.get("TERM") ?? "", /^xterm/);
  assertEquals(env.get("EDITOR"), "vim");
  assertEquals(env.get("PATH"), BASE_PATH.join(":"));
});

Deno.test("Dockerfile installs llm-diagnostics executable on PATH", () => {
  assertEquals(of("COPY").map((i) => i.args), [
    "--chmod=755 image/llm-diagnostics /usr/local/bin/llm-diagnostics",
  ]);
});

Deno.test("Dockerfile labels the source repository, a description and the agent versions", () => {
  const labels = pairs("LABEL");
  assertEquals(labels.get("org.opencontainers.image.source"), "${SOURCE_REPOSITORY}");
  assertEquals(args().get("SOURCE_REPOSITORY"), "https://github.com/nichd-bspc/llm");
  assert((labels.get("org.opencontainers.image.description") ?? "").length > 10);
  assertEquals(labels.get("io.github.nichd-bspc.llm.claude-version"), "${CLAUDE_VERSION}");
  assertEquals(labels.get("io.github.nichd-bspc.llm.codex-version"), "${CODEX_VERSION}");
  assertEquals(labels.get("io.github.nichd-bspc.llm.pi-version"), "${PI_VERSION}");
});

Deno.test("Dockerfile installs llm's extras after the agents, with the script the test image runs", async () => {
  const agents = RUNS.findIndex((r) => r.includes("install-agents.sh"));
  const extras = RUNS.findIndex((r) => r.includes("install-extras.sh"));
  assert(agents >= 0 && extras > agents, "install-extras.sh must run after install-agents.sh");
  const mounted = [...RUNS[extras].matchAll(/type=bind,source=image\/([^,\s]+)/g)].map((m) => m[1]);
  assertEquals(mounted.sort(), [
    "install-extras.sh",
    "llm-claude-statusline",
    "pi-auth-reload.js",
    "pi-launcher.mjs",
  ]);
  assertStringIncludes(RUNS[extras], "sh /run/llm-extras/install-extras.sh /run/llm-extras");
  // tasks/_agent_rootfs.ts copies the same files next to the same script.
  const rootfs = await Deno.readTextFile(
    new URL("../../../tasks/_agent_rootfs.ts", import.meta.url),
  );
  for (const f of mounted) assertStringIncludes(rootfs, `"${f}"`);
  assertStringIncludes(rootfs, '"/run/llm-extras/install-extras.sh", "/run/llm-extras"');
});
