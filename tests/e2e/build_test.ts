/**
 * `llm build` for real. The project's Dockerfile needs ubuntu:24.04 from a
 * registry, which is not reachable here, so a small Containerfile FROM the
 * local test image stands in: it uses the same build-certs helper and the
 * same secret, tmpfs and bind mounts as the Dockerfile, and records what the
 * build saw. Rootful podman only (the issue asks for no more).
 */
import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import { join } from "../../lib/std/path.ts";
import { CONTEXT_FILES } from "../../lib/image/context.ts";
import { e2eState, ignoreUnless, makeSandbox, REPO, runLlm, type Sandbox } from "./_harness.ts";

const CONTAINERFILE = `FROM localhost/llm-test:latest
ARG CLAUDE_VERSION=unset
ARG CODEX_VERSION=unset
ARG PI_VERSION=unset
RUN --mount=type=secret,id=mitm_ca_bundle \\
    --mount=type=tmpfs,target=/run/llm-ca \\
    --mount=type=bind,source=image/build-certs.sh,target=/run/llm-build-certs.sh \\
    . /run/llm-build-certs.sh \\
    && if [ -n "\${SSL_CERT_FILE:-}" ]; then \\
         grep -c 'BEGIN CERTIFICATE' "$SSL_CERT_FILE" >/etc/llm-test-ca; \\
         echo "$SSL_CERT_FILE $APT_CONFIG $npm_config_cafile" >>/etc/llm-test-ca; \\
       else echo none >/etc/llm-test-ca; fi \\
    && echo "claude=$CLAUDE_VERSION codex=$CODEX_VERSION pi=$PI_VERSION" >/etc/llm-test-versions
LABEL test.codex-version="\${CODEX_VERSION}"
`;

/** A build context in the sandbox: the Containerfile and the real helper. */
async function context(sandbox: Sandbox): Promise<string> {
  const dir = join(sandbox.root, "ctx");
  await Deno.mkdir(join(dir, "image"), { recursive: true });
  await Deno.writeTextFile(join(dir, "Containerfile"), CONTAINERFILE);
  await Deno.copyFile(join(REPO, "image/build-certs.sh"), join(dir, "image/build-certs.sh"));
  return join(dir, "Containerfile");
}

async function podman(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command("podman", {
    args,
    env: e2eState()?.podmanEnv ?? {},
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Whether `needle` occurs anywhere in the file's bytes. */
async function fileContains(path: string, needle: string): Promise<boolean> {
  const haystack = await Deno.readFile(path);
  const n = new TextEncoder().encode(needle);
  outer: for (let i = 0; i + n.length <= haystack.length; i++) {
    for (let j = 0; j < n.length; j++) if (haystack[i + j] !== n[j]) continue outer;
    return true;
  }
  return false;
}

Deno.test({
  name:
    "llm build passes build args and the certs secret to podman build, and llm shell runs the image (rootful)",
  ignore: ignoreUnless("rootful"),
  async fn() {
    const sandbox = await makeSandbox("rootful");
    const tag = `localhost/llm-e2e-build:${crypto.randomUUID().slice(0, 8)}`;
    try {
      const file = await context(sandbox);
      // A unique body, to search the saved image for afterwards.
      const marker = `LLME2E${crypto.randomUUID().replaceAll("-", "")}`;
      const certs = join(sandbox.root, "corp ca.pem");
      await Deno.writeTextFile(
        certs,
        `-----BEGIN CERTIFICATE-----\n${marker}\n-----END CERTIFICATE-----\n`,
      );
      const built = await runLlm(sandbox, [
        "build",
        "--file",
        file,
        "--image-name",
        tag,
        "--certs",
        certs,
        "--claude-version",
        "2.0.14",
        "--codex-version",
        "0.46.0",
        "--pi-version",
        "0.9.0",
        "--backend",
        "podman",
      ]);
      assertEquals(built.code, 0, built.stderr);
      assertStringIncludes(built.stderr, `llm: built ${tag}; run an agent in it with`);

      const ran = await runLlm(sandbox, [
        "--image-name",
        tag,
        "shell",
        "--",
        "cat",
        "/etc/llm-test-versions",
        "/etc/llm-test-ca",
      ]);
      assertEquals(ran.code, 0, ran.stderr);
      assertEquals(ran.stdout.split("\n"), [
        "claude=2.0.14 codex=0.46.0 pi=0.9.0",
        "1",
        "/run/llm-ca/ca.pem /run/llm-ca/apt.conf /run/llm-ca/ca.pem",
        "",
      ]);

      const label = await podman([
        "image",
        "inspect",
        "--format",
        '{{ index .Labels "test.codex-version" }}',
        tag,
      ]);
      assertEquals(label.stdout.trim(), "0.46.0", label.stderr);

      // The CA was trusted during the build, yet no layer and no file keeps it.
      const archive = join(sandbox.root, "image.tar");
      const saved = await podman(["save", "--format", "docker-archive", "-o", archive, tag]);
      assertEquals(saved.code, 0, saved.stderr);
      assert(!(await fileContains(archive, marker)), "the CA's body is in the saved image");
      const clean = await runLlm(sandbox, [
        "--image-name",
        tag,
        "shell",
        "--",
        "ls",
        "/run/llm-ca/ca.pem",
        "/run/llm-build-certs.sh",
        "/run/secrets/mitm_ca_bundle",
      ]);
      assertEquals(clean.stdout, "");
      assertEquals(clean.stderr.match(/No such file or directory/g)?.length, 3, clean.stderr);
    } finally {
      await podman(["rmi", "--force", tag]);
      await sandbox.cleanup();
    }
  },
});

Deno.test({
  name: "llm build without --certs or versions builds with the Dockerfile's defaults (rootful)",
  ignore: ignoreUnless("rootful"),
  async fn() {
    const sandbox = await makeSandbox("rootful");
    const tag = `localhost/llm-e2e-build:${crypto.randomUUID().slice(0, 8)}`;
    try {
      const file = await context(sandbox);
      const built = await runLlm(sandbox, ["build", "-f", file, "--image-name", tag]);
      assertEquals(built.code, 0, built.stderr);
      const ran = await runLlm(sandbox, [
        "--image-name",
        tag,
        "shell",
        "--",
        "cat",
        "/etc/llm-test-versions",
        "/etc/llm-test-ca",
      ]);
      assertEquals(ran.stdout, "claude=unset codex=unset pi=unset\nnone\n", ran.stderr);
    } finally {
      await podman(["rmi", "--force", tag]);
      await sandbox.cleanup();
    }
  },
});

Deno.test({
  name: "llm build reports a failing build with podman's exit status and exits 1 (rootful)",
  ignore: ignoreUnless("rootful"),
  async fn() {
    const sandbox = await makeSandbox("rootful");
    try {
      const file = join(sandbox.root, "Containerfile");
      await Deno.writeTextFile(file, "FROM localhost/llm-test:latest\nRUN exit 3\n");
      const r = await runLlm(sandbox, [
        "build",
        "-f",
        file,
        "--image-name",
        "localhost/llm-e2e-fail",
      ]);
      assertEquals(r.code, 1);
      assertStringIncludes(r.stderr, "llm: error: podman build failed (exit ");
    } finally {
      await sandbox.cleanup();
    }
  },
});

const NO_BUNDLE = e2eState() === null;
if (NO_BUNDLE) {
  console.log("skipping the bundled-llm build test: run the tests with 'deno task test'");
}

Deno.test({
  name: "the bundled llm, with no checkout beside it, builds from its embedded Dockerfile",
  ignore: NO_BUNDLE,
  async fn() {
    // A recorded fake podman: logs its argv and copies the build context out.
    const root = await Deno.makeTempDir({ prefix: "llm-e2e-embedded-" });
    try {
      const bin = join(root, "bin");
      await Deno.mkdir(bin);
      await Deno.writeTextFile(
        join(bin, "podman"),
        `#!/bin/bash\nprintf '%s\\n' "$@" >"${root}/argv"\ncp -a "\${@: -1}" "${root}/captured"\n`,
        { mode: 0o755 },
      );
      const bundle = e2eState()?.bundle ?? "";
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-all",
          "--quiet",
          bundle,
          "build",
          "--verbose",
          "--arch",
          "linux/arm64",
        ],
        cwd: root,
        env: { HOME: root, PATH: `${bin}:/usr/bin:/bin` },
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assertEquals(out.code, 0, stderr);
      assertStringIncludes(stderr, "llm: Dockerfile built into llm");
      const argv = (await Deno.readTextFile(join(root, "argv"))).trimEnd().split("\n");
      const dir = argv[argv.length - 1];
      assertEquals(argv.slice(0, 5), [
        "build",
        "--platform",
        "linux/arm64",
        "--tag",
        "localhost/llm-devcontainer:latest",
      ]);
      assertEquals(argv.slice(-3), ["--file", `${dir}/Dockerfile`, dir]);
      for (const path of CONTEXT_FILES) {
        const copy = join(root, "captured", path);
        assertEquals(
          await Deno.readTextFile(copy),
          await Deno.readTextFile(join(REPO, path)),
          `${path} in the context matches the checkout`,
        );
        assertEquals(
          ((await Deno.stat(copy)).mode ?? 0) & 0o111,
          ((await Deno.stat(join(REPO, path))).mode ?? 0) & 0o111,
          `${path} keeps its executable bit`,
        );
      }
      let gone = false;
      await Deno.stat(dir).catch(() => (gone = true));
      assert(gone, `the temporary context ${dir} is removed after the build`);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "the checkout's .dockerignore keeps only image/ in the build context (rootful)",
  ignore: ignoreUnless("rootful"),
  async fn() {
    const sandbox = await makeSandbox("rootful");
    const tag = `localhost/llm-e2e-build:${crypto.randomUUID().slice(0, 8)}`;
    try {
      // A copy of the checkout's layout, with junk where .e2e/ and .git/ would be.
      const ctx = join(sandbox.root, "checkout");
      for (const d of ["image", ".e2e/storage", ".git", "lib"]) {
        await Deno.mkdir(join(ctx, d), { recursive: true });
      }
      await Deno.copyFile(join(REPO, ".dockerignore"), join(ctx, ".dockerignore"));
      for (const f of CONTEXT_FILES.filter((f) => f.startsWith("image/"))) {
        await Deno.copyFile(join(REPO, f), join(ctx, f));
      }
      for (const f of [".e2e/storage/layer", ".git/HEAD", "lib/x.ts", "README.md"]) {
        await Deno.writeTextFile(join(ctx, f), "junk\n");
      }
      await Deno.writeTextFile(
        join(ctx, "Dockerfile"),
        "FROM localhost/llm-test:latest\nCOPY . /ctx\n",
      );
      const built = await runLlm(sandbox, [
        "build",
        "-f",
        join(ctx, "Dockerfile"),
        "--image-name",
        tag,
      ]);
      assertEquals(built.code, 0, built.stderr);
      const listed = await runLlm(sandbox, ["--image-name", tag, "shell", "--", "find", "/ctx"]);
      assertEquals(
        listed.stdout.trim().split("\n").sort(),
        [
          "/ctx",
          "/ctx/image",
          ...CONTEXT_FILES.filter((f) => f.startsWith("image/")).map((f) => `/ctx/${f}`),
        ].sort(),
      );
    } finally {
      await podman(["rmi", "--force", tag]);
      await sandbox.cleanup();
    }
  },
});
