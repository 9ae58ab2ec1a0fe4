import { assertEquals, assertThrows } from "../../_assert.ts";
import { LlmError } from "../../../lib/errors.ts";
import { reconcileMounts } from "../../../lib/launch/mounts.ts";
import { protectPaths, type ProtectRequest } from "../../../lib/launch/protect.ts";
import { addSymlink, type FakeSystem, fakeSystem } from "../../_fake_system.ts";
import { mountsOf, planFor } from "./_plan.ts";

const CWD = "/work/project";
const WS = { path: CWD, real: CWD };

function protect(host: FakeSystem, request: Partial<ProtectRequest>) {
  return protectPaths({
    ro: [],
    mask: [],
    workspace: WS,
    workdir: CWD,
    readOnly: false,
    ...request,
  }, host);
}

function hardLinks(host: FakeSystem, path: string, links: number): void {
  host.files.set(path, { kind: "file", links });
}

function short(m: ReturnType<typeof protectPaths>["mounts"][number]): string {
  return m.kind === "bind"
    ? `${m.source}:${m.target}${m.readOnly ? ":ro" : ""} [${m.origin}]`
    : `mask:${m.target} [${m.origin}]`;
}

Deno.test("every directory between the workspace and a masked path is pinned onto itself", () => {
  const host = fakeSystem({ files: [`${CWD}/a/b/secrets/key`] });
  const { mounts, warnings } = protect(host, { mask: ["a/b/secrets"] });
  assertEquals(mounts.map(short), [
    `${CWD}/a:${CWD}/a [pin a for --mask a/b/secrets]`,
    `${CWD}/a/b:${CWD}/a/b [pin a/b for --mask a/b/secrets]`,
    `mask:${CWD}/a/b/secrets [--mask a/b/secrets]`,
  ]);
  assertEquals(warnings, []);
});

Deno.test("a read-only path gets pins too, and a path at the top of the workspace none", () => {
  const host = fakeSystem({ files: [`${CWD}/a/data/`, `${CWD}/top/`] });
  const { mounts } = protect(host, { ro: ["a/data", "top"] });
  assertEquals(mounts.map(short), [
    `${CWD}/a:${CWD}/a [pin a for --ro a/data]`,
    `${CWD}/top:${CWD}/top:ro [--ro top]`,
    `${CWD}/a/data:${CWD}/a/data:ro [--ro a/data]`,
  ]);
});

Deno.test("pins are shared, skip protected directories, and sort parents first", () => {
  const host = fakeSystem({ files: [`${CWD}/a/x/`, `${CWD}/a/y/.env`, `${CWD}/a/y/z/`] });
  const { mounts } = protect(host, { mask: ["a/y/z", "a/x"], ro: ["a/y"] });
  assertEquals(mounts.map(short), [
    `${CWD}/a:${CWD}/a [pin a for --ro a/y]`,
    `${CWD}/a/y:${CWD}/a/y:ro [--ro a/y]`,
    `mask:${CWD}/a/x [--mask a/x]`,
    `mask:${CWD}/a/y/z [--mask a/y/z]`,
  ]);
});

Deno.test("a pin inside a read-only path, or in a read-only workspace, is read-only", () => {
  const host = fakeSystem({ files: [`${CWD}/a/b/c/`] });
  assertEquals(protect(host, { ro: ["a"], mask: ["a/b/c"] }).mounts.map(short), [
    `${CWD}/a:${CWD}/a:ro [--ro a]`,
    `${CWD}/a/b:${CWD}/a/b:ro [pin a/b for --mask a/b/c]`,
    `mask:${CWD}/a/b/c [--mask a/b/c]`,
  ]);
  assertEquals(protect(host, { mask: ["a/b/c"], readOnly: true }).mounts.map(short).slice(0, 2), [
    `${CWD}/a:${CWD}/a:ro [pin a for --mask a/b/c]`,
    `${CWD}/a/b:${CWD}/a/b:ro [pin a/b for --mask a/b/c]`,
  ]);
});

Deno.test("pins follow --workspace-mount", () => {
  const host = fakeSystem({ files: [`${CWD}/a/s/`] });
  assertEquals(protect(host, { mask: ["a/s"], workdir: "/ws" }).mounts.map(short), [
    `${CWD}/a:/ws/a [pin a for --mask a/s]`,
    "mask:/ws/a/s [--mask a/s]",
  ]);
});

Deno.test("a protection inside a masked directory is dropped with a warning", () => {
  const host = fakeSystem({ files: [`${CWD}/a/b/`] });
  const { mounts, warnings } = protect(host, { ro: ["a/b"], mask: ["a"] });
  assertEquals(mounts.map(short), [`mask:${CWD}/a [--mask a]`]);
  assertEquals(warnings, ["--ro a/b is inside --mask a, which hides it already"]);
});

Deno.test("reconcileMounts() does not warn about pins inside the workspace", () => {
  const plan = planFor(["--mask", "a/secrets", "--ro", "a/data", "codex"], {
    files: [`${CWD}/a/secrets/key`, `${CWD}/a/data/`],
  });
  assertEquals(plan.warnings, []);
  assertEquals(mountsOf(plan).slice(-3), [
    `${CWD}/a:${CWD}/a`,
    `${CWD}/a/data:${CWD}/a/data:ro`,
    `mask:${CWD}/a/secrets`,
  ]);
  assertEquals(reconcileMounts(plan.mounts).warnings, []);
});

Deno.test("a --ro or --mask path through a symlink in the workspace is refused", () => {
  const host = fakeSystem({ files: [`${CWD}/real/secrets/`, `${CWD}/data/`] });
  addSymlink(host, `${CWD}/link`, `${CWD}/real`);
  addSymlink(host, `${CWD}/data-link`, `${CWD}/data`);
  assertThrows(
    () => protect(host, { mask: ["link/secrets"] }),
    LlmError,
    "--mask link/secrets goes through a symlink (it resolves to real/secrets in the workspace); " +
      "the agent could re-point the link before the next launch, so give the real path: " +
      "--mask real/secrets",
  );
  assertThrows(
    () => protect(host, { ro: ["data-link"] }),
    LlmError,
    "--ro data-link goes through a symlink (it resolves to data in the workspace); " +
      "the agent could re-point the link before the next launch, so give the real path: --ro data",
  );
});

Deno.test("a workspace reached through a symlink outside it still protects by relative path", () => {
  const host = fakeSystem({ cwd: "/real/project", files: ["/real/project/a/s/", "/work/"] });
  addSymlink(host, "/work/link", "/real/project");
  const ws = { path: "/work/link", real: "/real/project" };
  const { mounts } = protectPaths(
    {
      ro: [],
      mask: ["/work/link/a/s", "a/s"],
      workspace: ws,
      workdir: "/work/link",
      readOnly: false,
    },
    host,
  );
  assertEquals(mounts.map(short), [
    "/real/project/a:/work/link/a [pin a for --mask /work/link/a/s]",
    "mask:/work/link/a/s [--mask /work/link/a/s]",
    "mask:/work/link/a/s [--mask a/s]",
  ]);
});

Deno.test("a masked or read-only file with other hard links is warned about", () => {
  const host = fakeSystem({ files: [`${CWD}/.env`, `${CWD}/cfg/app.toml`, `${CWD}/one`] });
  hardLinks(host, `${CWD}/.env`, 2);
  hardLinks(host, `${CWD}/cfg/app.toml`, 3);
  const { warnings } = protect(host, { mask: [".env", "one"], ro: ["cfg/app.toml"] });
  assertEquals(warnings, [
    "--ro cfg/app.toml: the file has 2 other hard links (the same content under another name), " +
    `which stay writable; list them with: find ${CWD} -samefile ${CWD}/cfg/app.toml`,
    "--mask .env: the file has 1 other hard link (the same content under another name), " +
    `which the mask does not hide; list them with: find ${CWD} -samefile ${CWD}/.env`,
  ]);
});

Deno.test("the hard-link hint quotes paths for the shell", () => {
  const host = fakeSystem({ cwd: "/w s", files: ["/w s/it's"] });
  hardLinks(host, "/w s/it's", 2);
  const ws = { path: "/w s", real: "/w s" };
  const { warnings } = protectPaths(
    { ro: ["it's"], mask: [], workspace: ws, workdir: "/w s", readOnly: false },
    host,
  );
  assertEquals(warnings[0].endsWith(`list them with: find '/w s' -samefile '/w s/it'\\''s'`), true);
});
