/**
 * `readBounded` on real files: the kinds of entry an agent can put where a
 * config file should be, each answered without following, blocking or
 * reading past the limit.
 */
import { assertEquals } from "../../_assert.ts";
import { readBounded } from "../../../lib/system/bounded_read.ts";

function scratch(): string {
  return Deno.makeTempDirSync({ prefix: "llm-bounded-" });
}

Deno.test("readBounded returns the bytes of a small regular file", () => {
  const dir = scratch();
  Deno.writeTextFileSync(`${dir}/f`, "mask: [secrets]\n");
  const got = readBounded(`${dir}/f`, 1024, false);
  assertEquals(got.kind, "file");
  if (got.kind === "file") assertEquals(new TextDecoder().decode(got.bytes), "mask: [secrets]\n");
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("readBounded reports a missing file as absent", () => {
  const dir = scratch();
  assertEquals(readBounded(`${dir}/nope`, 1024, false).kind, "absent");
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("readBounded does not follow a symlink unless asked", () => {
  const dir = scratch();
  Deno.writeTextFileSync(`${dir}/target`, "x: 1\n");
  Deno.symlinkSync(`${dir}/target`, `${dir}/link`);
  assertEquals(readBounded(`${dir}/link`, 1024, false).kind, "symlink");
  assertEquals(readBounded(`${dir}/link`, 1024, true).kind, "file");
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("readBounded reports a FIFO as other without blocking on it", () => {
  const dir = scratch();
  const made = new Deno.Command("mkfifo", { args: [`${dir}/fifo`] }).outputSync();
  assertEquals(made.code, 0);
  assertEquals(readBounded(`${dir}/fifo`, 1024, false).kind, "other");
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("readBounded reports a directory as dir", () => {
  const dir = scratch();
  Deno.mkdirSync(`${dir}/d`);
  assertEquals(readBounded(`${dir}/d`, 1024, false).kind, "dir");
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("readBounded reports /dev/zero behind a followed symlink as other, reading nothing", () => {
  const dir = scratch();
  Deno.symlinkSync("/dev/zero", `${dir}/zero`);
  assertEquals(readBounded(`${dir}/zero`, 1024, true).kind, "other");
  assertEquals(readBounded(`${dir}/zero`, 1024, false).kind, "symlink");
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("readBounded reports a file one byte over the limit as too-large", () => {
  const dir = scratch();
  Deno.writeFileSync(`${dir}/big`, new Uint8Array(1025));
  Deno.writeFileSync(`${dir}/exact`, new Uint8Array(1024));
  assertEquals(readBounded(`${dir}/big`, 1024, false).kind, "too-large");
  assertEquals(readBounded(`${dir}/exact`, 1024, false).kind, "file");
  Deno.removeSync(dir, { recursive: true });
});
