import { assert, assertEquals, assertStringIncludes } from "../../_assert.ts";
import { FAKE_CONTAINER_ID, type FakeSystem } from "../../_fake_system.ts";
import { storeFiles } from "../../../lib/session/image_store.ts";
import {
  CONFIG_JSON,
  CONTAINERS_JSON,
  IMAGE_ID,
  IMAGES_JSON,
  MANIFEST_DIGEST,
} from "./_store_fixtures.ts";
import { host, llm, manifests, SESSIONS, stored } from "./_sessions.ts";
import { networkRecord } from "../../../lib/session/manifest.ts";
import type { LaunchPlan } from "../../../lib/launch/plan.ts";

Deno.test("a launch names and labels its container and leaves a complete manifest", async () => {
  const sys = host({
    env: { OPENAI_API_KEY: "sk-secret-1" },
    interactiveResult: { code: 3, stderrTail: "" },
  });
  const code = await llm(sys, ["-e", "TOKEN=tok-2", "--cpus", "2", "codex"]);
  assertEquals(code, 3);
  const [m] = manifests(sys);
  const argv = sys.ran[0];
  assert(argv.includes("--name=codex-project"), argv.join(" "));
  for (
    const label of [
      "llm.session=" + m.id,
      "llm.agent=codex",
      "llm.workspace=/work/project",
      "llm.version=0.1.0",
    ]
  ) {
    assert(argv.includes(`--label=${label}`), label);
  }
  assertEquals(m.name, "codex-project");
  assertEquals(m.state, "exited");
  assertEquals(m.exitCode, 3);
  assertEquals(m.pid, 4242);
  assertEquals(m.pidStart, "1000");
  assertEquals(m.containerId, FAKE_CONTAINER_ID);
  assertEquals(m.container, "codex-project");
  assertEquals(
    m.image.id,
    "sha256:5e1f00d1e2d3c4b5a6978877665544332211aabbccddeeff0011223344556677",
  );
  assertEquals(m.image.repoDigests, ["ghcr.io/nichd-bspc/llm@sha256:99aa"]);
  assertEquals([m.agentVersion, m.agentVersionSource], ["0.171.0", "label"]);
  assertEquals(m.resources, { cpus: "2" });
  assertEquals(m.network, { policy: "open" });
  assert(m.env.includes("TOKEN"));
  assert(
    m.mounts.some((x) =>
      x.target === "/work/project" && x.mode === "rw" && x.origin === "workspace"
    ),
  );
  assert(m.readOnly.includes("/home/devuser/.codex/config.toml"), m.readOnly.join());
  assertEquals(m.started, "2026-12-01T10:00:00.000Z");
  assert(m.ended !== null);
  const text = new TextDecoder().decode(sys.files.get(`${SESSIONS}/${m.id}.json`)?.content);
  assertEquals(text.includes("tok-2"), false);
  assertEquals(text.includes("sk-secret"), false);
  assertEquals(sys.files.get(`${SESSIONS}/${m.id}.json`)?.mode, 0o600);
  // The name is free again.
  assertEquals(sys.listDir(`${SESSIONS}/running`), []);
  assertEquals(sys.background.map((a) => a.slice(0, 3)), [["podman", "image", "inspect"]]);
});

Deno.test("a second session in the same directory gets the next free name", async () => {
  const sys = host();
  stored(sys, { id: "aaaaaaaaaaaa", name: "codex-project", pid: 500 }, true);
  sys.processes.set(500, "77");
  await llm(sys, ["codex"]);
  const ours = manifests(sys).find((m) => m.id !== "aaaaaaaaaaaa");
  assertEquals(ours?.name, "codex-project-2");
  assert(sys.ran[0].includes("--name=codex-project-2"));
});

Deno.test("--name of a running session is refused, and nothing is run", async () => {
  const sys = host();
  stored(sys, { id: "aaaaaaaaaaaa", name: "fix", pid: 500 }, true);
  sys.processes.set(500, "77");
  const code = await llm(sys, ["--name", "fix", "codex"]);
  assertEquals(code, 1);
  assertStringIncludes(
    sys.err.join(""),
    "llm: error: a session named fix is already running (see 'llm ps'); give another --name, " +
      "or end it with 'llm stop fix'",
  );
  assertEquals(sys.ran, []);
});

Deno.test("a name left by a killed llm (its pid gone or reused) is taken over", async () => {
  const sys = host();
  stored(sys, { id: "aaaaaaaaaaaa", name: "fix", pid: 500 }, true);
  sys.processes.set(500, "999"); // the pid now belongs to another process
  assertEquals(await llm(sys, ["--name", "fix", "codex"]), 0);
  assert(sys.ran[0].includes("--name=fix"));
});

Deno.test("an invalid --name is a usage error", async () => {
  const sys = host();
  assertEquals(await llm(sys, ["--name", "a/b", "codex"]), 2);
  assertEquals(sys.ran, []);
});

Deno.test("--dry-run makes no session: no manifest, no name or labels", async () => {
  const sys = host();
  await llm(sys, ["--dry-run", "codex"]);
  assertEquals(sys.out[0].includes("--label"), false);
  assertEquals(sys.changes, []);
});

Deno.test("singularity sessions are tracked by the runtime's pid, with no container name", async () => {
  const sys = host({ executables: ["apptainer"] });
  await llm(sys, ["codex"]);
  const [m] = manifests(sys);
  assertEquals(m.container, null);
  assertEquals(m.runtimePid, 31337);
  assertEquals(m.runtime.name, "apptainer");
  assertEquals(sys.ran[0].some((a) => a.startsWith("--label")), false);
});

Deno.test("the runtime's version is asked once and cached by its executable", async () => {
  const sys = host({
    files: ["/usr/bin/podman"],
    outputs: {
      "podman --version": { stdout: "podman version 4.3.1\n" },
      ...{ "podman image inspect": { stdout: "" } },
    },
  });
  // `which` gives /usr/bin/podman; the fake executable file makes it stampable.
  await llm(sys, ["codex"]);
  await llm(sys, ["codex"]);
  const versions = manifests(sys).map((m) => m.runtime.version);
  assertEquals(versions, ["4.3.1", "4.3.1"]);
  assertEquals(sys.background.filter((a) => a[1] === "--version").length, 1);
});

Deno.test("the manifest records the network policy, and under allow its entries", async () => {
  const sys = host();
  await llm(sys, ["--network", "none", "codex"]);
  assertEquals(manifests(sys)[0].network, { policy: "none" });
});

Deno.test("networkRecord() lists the allow entries in their written form", () => {
  const entry = { host: "github.com", wildcard: true, ports: [443], text: "*.github.com:443" };
  const plan = { network: { mode: "allow", entries: [entry], builtin: [], notes: [] } };
  assertEquals(networkRecord(plan as unknown as LaunchPlan), {
    policy: "allow",
    allow: ["*.github.com:443"],
  });
});

Deno.test("an image without version labels: the agent is asked once, in that image, and cached by its id", async () => {
  const id = "5e1f00d1e2d3c4b5a6978877665544332211aabbccddeeff0011223344556677";
  const sys = host({
    outputs: {
      "podman image inspect": { stdout: `${id}\tnull\t{}\n` },
      "podman run --rm --network=none": { stdout: "codex-cli 0.99.1\n" },
    },
  });
  await llm(sys, ["codex"]);
  await llm(sys, ["codex"]);
  assertEquals(
    manifests(sys).map((m) => [m.agentVersion, m.agentVersionSource]),
    [["0.99.1", "asked"], ["0.99.1", "asked"]],
  );
  const asked = sys.background.filter((a) => a[1] === "run");
  assertEquals(asked, [[
    "podman",
    "run",
    "--rm",
    "--network=none",
    "--cap-drop=ALL",
    "--security-opt=no-new-privileges",
    id,
    "codex",
    "--version",
  ]]);
});

Deno.test("the shell agent is not asked for a version", async () => {
  const sys = host({ outputs: { "podman image inspect": { stdout: "abcdef12\tnull\t{}\n" } } });
  await llm(sys, ["shell"]);
  assertEquals(manifests(sys)[0].agentVersion, null);
  assertEquals(sys.background.filter((a) => a[1] === "run"), []);
});

Deno.test("a state directory that cannot be made: the agent still runs, with a warning", async () => {
  const sys = host({ env: { XDG_STATE_HOME: "/ro/state" } });
  const mkdir = sys.mkdir;
  sys.mkdir = (path, mode) => {
    if (path.startsWith("/ro/")) throw new Deno.errors.PermissionDenied("permission denied");
    mkdir(path, mode);
  };
  assertEquals(await llm(sys, ["codex"]), 0);
  assertStringIncludes(
    sys.err.join(""),
    "llm: warning: this session is not recorded (llm ps will not list it): cannot make " +
      "/ro/state/llm/sessions: permission denied; set XDG_STATE_HOME to a writable directory",
  );
  assert(sys.ran[0].includes("--name=codex-project"));
});

/** Podman's store files for the fake container, as containers/storage lays them out. */
function podmanStore(sys: FakeSystem, root: string, containerId = FAKE_CONTAINER_ID): void {
  const entry = JSON.parse(CONTAINERS_JSON)[0];
  sys.mkdir(`${root}/overlay-containers`);
  sys.writeFileAtomic(
    `${root}/overlay-containers/volatile-containers.json`,
    JSON.stringify([{ ...entry, id: containerId }]),
  );
  sys.mkdir(`${root}/overlay-images/${IMAGE_ID}`);
  sys.writeFileAtomic(`${root}/overlay-images/images.json`, IMAGES_JSON);
  sys.writeFileAtomic(storeFiles(root, "overlay").config(IMAGE_ID), CONFIG_JSON);
}

Deno.test("podman: the image facts come from its store, found by the container, with no process", async () => {
  const sys = host();
  podmanStore(sys, "/home/user/.local/share/containers/storage");
  await llm(sys, ["codex"]);
  const [m] = manifests(sys);
  assertEquals(m.image.id, `sha256:${IMAGE_ID}`);
  assertEquals(m.image.repoDigests, [`localhost/llm-agents@${MANIFEST_DIGEST}`]);
  assertEquals([m.agentVersion, m.agentVersionSource], ["0.171.0", "label"]);
  assertEquals(sys.background.filter((a) => a[1] === "image"), []);
});

Deno.test("podman: a store named by CONTAINERS_STORAGE_CONF's rootless_storage_path is read", async () => {
  const sys = host({ env: { CONTAINERS_STORAGE_CONF: "/etc/llm-storage.conf" } });
  sys.writeFileAtomic(
    "/etc/llm-storage.conf",
    '[storage]\ndriver = "overlay"\nrootless_storage_path = "$HOME/store"\n',
  );
  podmanStore(sys, "/home/user/store");
  await llm(sys, ["codex"]);
  assertEquals(manifests(sys)[0].image.id, `sha256:${IMAGE_ID}`);
  assertEquals(sys.background.filter((a) => a[1] === "image"), []);
});

Deno.test("podman: a store without the session's container is not trusted; image inspect is asked", async () => {
  const sys = host();
  // Another user's or a stale store: it holds some other container.
  podmanStore(sys, "/home/user/.local/share/containers/storage", "9".repeat(64));
  await llm(sys, ["codex"]);
  const [m] = manifests(sys);
  assertEquals(
    m.image.id,
    "sha256:5e1f00d1e2d3c4b5a6978877665544332211aabbccddeeff0011223344556677",
  );
  assertEquals(sys.background.map((a) => a.slice(0, 3)), [["podman", "image", "inspect"]]);
});

Deno.test("docker: the image facts come from the Engine API on DOCKER_HOST's socket, with no process", async () => {
  const socket = "/run/user/1000/docker.sock";
  const id = `sha256:${IMAGE_ID}`;
  const sys = host({
    executables: ["docker"],
    env: { DOCKER_HOST: `unix://${socket}` },
    files: [socket],
    sockets: {
      [socket]: {
        [`/containers/${FAKE_CONTAINER_ID}/json`]: {
          status: 200,
          body: JSON.stringify({ Id: FAKE_CONTAINER_ID, Image: id }),
        },
        [`/images/${id}/json`]: {
          status: 200,
          body: JSON.stringify({
            Id: id,
            RepoDigests: ["ghcr.io/nichd-bspc/llm@sha256:77"],
            Config: { Labels: { "io.github.nichd-bspc.llm.codex-version": "0.171.0" } },
          }),
        },
      },
    },
  });
  await llm(sys, ["codex"]);
  const [m] = manifests(sys);
  assertEquals(m.runtime.name, "docker");
  assertEquals(m.image.id, id);
  assertEquals(m.image.repoDigests, ["ghcr.io/nichd-bspc/llm@sha256:77"]);
  assertEquals(m.agentVersion, "0.171.0");
  assertEquals(sys.httpGets, [
    `${socket} /containers/${FAKE_CONTAINER_ID}/json`,
    `${socket} /images/${id}/json`,
  ]);
  assertEquals(sys.background.filter((a) => a[1] === "image"), []);
});

Deno.test("docker: an engine that does not answer leaves the query to docker image inspect", async () => {
  const sys = host({
    executables: ["docker"],
    files: ["/var/run/docker.sock"],
    outputs: {
      "docker image inspect": { stdout: `sha256:${IMAGE_ID}\tnull\t{}\n` },
    },
  });
  await llm(sys, ["codex"]);
  assertEquals(manifests(sys)[0].image.id, `sha256:${IMAGE_ID}`);
  assertEquals(sys.httpGets, [`/var/run/docker.sock /containers/${FAKE_CONTAINER_ID}/json`]);
  assertEquals(sys.background.filter((a) => a[1] !== "run").map((a) => a.slice(0, 3)), [[
    "docker",
    "image",
    "inspect",
  ]]);
});

Deno.test("LLM_SESSION_ID (set by llm batch) gives the session its id; a bad or taken one is refused", async () => {
  const sys = host({ env: { LLM_SESSION_ID: "0123456789ab" } });
  assertEquals(await llm(sys, ["codex"]), 0);
  assertEquals(manifests(sys).map((m) => m.id), ["0123456789ab"]);
  // The same id again: that session exists.
  assertEquals(await llm(sys, ["codex"]), 1);
  assertStringIncludes(
    sys.err.join(""),
    "llm: error: LLM_SESSION_ID=0123456789ab names a session that exists already (see " +
      "'llm show 0123456789ab'); unset it to let llm choose one",
  );
  const bad = host({ env: { LLM_SESSION_ID: "../../x" } });
  assertEquals(await llm(bad, ["codex"]), 1);
  assertStringIncludes(
    bad.err.join(""),
    "llm: error: LLM_SESSION_ID='../../x' is not a session id (12 lowercase hexadecimal digits)",
  );
  assertEquals(bad.ran, []);
});

Deno.test("a signal that ends llm outside the container's run gives the session's name back", async () => {
  // The fake runs the signal clean-ups whenever raised; the real system only
  // outside the container's run (tests/unit/runtime/prepare_test.ts).
  let before: string[] = [];
  let after: string[] = [];
  const sys = host({
    agent(_argv, system) {
      before = system.listDir(`${SESSIONS}/running`) ?? [];
      system.raise("SIGTERM");
      // The real process ends here.
      after = system.listDir(`${SESSIONS}/running`) ?? [];
    },
  });
  await llm(sys, ["codex"]);
  assertEquals([before, after], [["codex-project"], []]);
  assertEquals(sys.exits, [143]);
  // After the launch nothing is left registered.
  sys.raise("SIGTERM");
  assertEquals(sys.exits, [143]);
});
