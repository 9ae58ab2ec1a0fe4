import { assertEquals, assertThrows } from "../../_assert.ts";
import { LlmError } from "../../../lib/errors.ts";
import { fromWorkspaceFile, resolveSource, walkPath } from "../../../lib/launch/resolve.ts";
import { addSymlink, fakeSystem } from "../../_fake_system.ts";
import { mountsOf, planFor } from "./_plan.ts";

const HOME = "/home/user";
const CWD = "/work/project";
const WS = { path: CWD, real: CWD };

Deno.test("walkPath() follows symlinks component by component and records the way", () => {
  const host = fakeSystem({ files: [`${HOME}/.ssh/`, `${CWD}/x/`] });
  addSymlink(host, `${CWD}/refs`, `${HOME}/.ssh`);
  assertEquals(walkPath(`${CWD}/refs`, host), {
    real: `${HOME}/.ssh`,
    visited: ["/work", CWD, `${CWD}/refs`, "/home", HOME, `${HOME}/.ssh`],
  });
  assertEquals(walkPath(`${CWD}/nope`, host).real, null);
  addSymlink(host, `${CWD}/loop`, `${CWD}/loop`);
  assertEquals(walkPath(`${CWD}/loop`, host).real, null);
});

Deno.test("walkPath() takes '..' in a link after the link, as the kernel does", () => {
  const host = fakeSystem({ files: [`${CWD}/deep/inner/`, `${CWD}/other/`] });
  addSymlink(host, `${CWD}/l`, `${CWD}/deep/inner`);
  host.files.set(`${CWD}/up`, { kind: "other", linkTo: "l/../../other" });
  assertEquals(walkPath(`${CWD}/up`, host).real, `${CWD}/other`);
});

Deno.test("resolveSource() refuses a symlink in the workspace that leads out of it", () => {
  const host = fakeSystem({ files: [`${HOME}/.ssh/`] });
  addSymlink(host, `${CWD}/refs`, `${HOME}/.ssh`);
  assertThrows(
    () =>
      resolveSource(`${CWD}/refs`, WS, host, { what: "--mount refs", fromWorkspaceFile: false }),
    LlmError,
    `--mount refs: ${CWD}/refs resolves to ${HOME}/.ssh, outside the workspace ${CWD}, ` +
      "through a symlink in the workspace (which the agent can change); " +
      `replace the link by what it points to, or name ${HOME}/.ssh itself`,
  );
});

Deno.test("resolveSource() refuses a link outside that passes through the workspace", () => {
  const host = fakeSystem({ files: [`${HOME}/.ssh/`] });
  addSymlink(host, `${HOME}/data`, `${CWD}/x`);
  addSymlink(host, `${CWD}/x`, `${HOME}/.ssh`);
  assertThrows(
    () =>
      resolveSource(`${HOME}/data`, WS, host, { what: "--mount ~/data", fromWorkspaceFile: false }),
    LlmError,
    `${HOME}/data resolves to ${HOME}/.ssh, outside the workspace`,
  );
});

Deno.test("resolveSource() gives the resolved path of a link the user chose outside", () => {
  const host = fakeSystem({ files: ["/mnt/disk/data/"] });
  addSymlink(host, `${HOME}/data`, "/mnt/disk/data");
  const rules = { what: "--mount ~/data", fromWorkspaceFile: false };
  assertEquals(resolveSource(`${HOME}/data`, WS, host, rules), "/mnt/disk/data");
  assertEquals(resolveSource(`${HOME}/nope`, WS, host, rules), null);
});

Deno.test("resolveSource() keeps a project file's paths inside the workspace", () => {
  const host = fakeSystem({ files: ["/data/", `${CWD}/refs/`] });
  const rules = { what: `${CWD}/.llm.yaml:2 /data:/d`, fromWorkspaceFile: true };
  assertEquals(resolveSource(`${CWD}/refs`, WS, host, rules), `${CWD}/refs`);
  assertThrows(
    () => resolveSource("/data", WS, host, rules),
    LlmError,
    `${CWD}/.llm.yaml:2 /data:/d: /data is outside the workspace ${CWD}; a project file may ` +
      "only name paths inside the workspace: put this in your user config or on the command line " +
      "instead",
  );
});

Deno.test("fromWorkspaceFile() recognises settings files kept in the workspace", () => {
  assertEquals(fromWorkspaceFile(`${CWD}/.llm.yaml:3 refs:/refs`, WS), true);
  assertEquals(fromWorkspaceFile(`${CWD}/conf/config.yaml:1 x`, WS), true);
  assertEquals(fromWorkspaceFile("/elsewhere/.llm.yaml:1 x", WS), true);
  assertEquals(fromWorkspaceFile(`${HOME}/.config/llm/config.yaml:3 refs`, WS), false);
  assertEquals(fromWorkspaceFile("--mount refs", WS), false);
  assertEquals(fromWorkspaceFile("LLM_DEVCONTAINER_MOUNTS refs", WS), false);
});

Deno.test("a --mount source is mounted by its resolved path, at the path named", () => {
  const host = fakeSystem({ files: ["/mnt/disk/data/"] });
  addSymlink(host, `${HOME}/data`, "/mnt/disk/data");
  assertEquals(
    mountsOf(planFor(["--mount", "~/data", "codex"], host)).includes(
      `/mnt/disk/data:${HOME}/data`,
    ),
    true,
  );
});

Deno.test("--certs through a symlink in the workspace out of it is refused; resolved otherwise", () => {
  const host = fakeSystem({ files: [`${HOME}/.ssh/id_ed25519`, "/etc/ca.pem"] });
  addSymlink(host, `${CWD}/ca.pem`, `${HOME}/.ssh/id_ed25519`);
  assertThrows(
    () => planFor(["--certs", "ca.pem", "codex"], host),
    LlmError,
    `--certs: ${CWD}/ca.pem resolves to ${HOME}/.ssh/id_ed25519, outside the workspace ${CWD}`,
  );
  addSymlink(host, `${HOME}/ca.pem`, "/etc/ca.pem");
  assertEquals(
    mountsOf(planFor(["--certs", "~/ca.pem", "codex"], host)).includes(
      "/etc/ca.pem:/tmp/llm-devcontainer-cert.pem:ro",
    ),
    true,
  );
});

Deno.test("--conda-env through a symlink in the workspace out of it is refused", () => {
  const host = fakeSystem({ files: ["/opt/envs/e/bin/", "/envs/"] });
  addSymlink(host, `${CWD}/env`, "/opt/envs/e");
  assertThrows(
    () => planFor(["--conda-env", "./env", "codex"], host),
    LlmError,
    `--conda-env ./env: ${CWD}/env resolves to /opt/envs/e, outside the workspace ${CWD}`,
  );
  addSymlink(host, "/envs/e", "/opt/envs/e");
  assertEquals(
    mountsOf(planFor(["--conda-env", "/envs/e", "codex"], host)).includes("/opt/envs/e:/envs/e"),
    true,
  );
});

Deno.test("launching from a directory above the home directory warns", () => {
  const plan = planFor(["codex"], { cwd: "/home", home: HOME });
  assertEquals(
    plan.warnings[0],
    `the working directory /home contains your home directory ${HOME}: the agent can read and ` +
      "change everything in it; cd into a project first",
  );
});
