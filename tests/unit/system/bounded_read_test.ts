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

Deno.test("readBounded returns the bytes of a small regular file", async () => {
  const dir = scratch();
  Deno.writeTextFileSync(`${dir}/f`, "mask: [secrets]\n");
  const got = await readBounded(`${dir}/f`, 1024, false);
  assertEquals(got.kind, "file");
  if (got.kind === "file") assertEquals(new TextDecoder().decode(got.bytes), "mask: [secrets]\n");
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("readBounded reports a missing file as absent", async () => {
  const dir = scratch();
  assertEquals((await readBounded(`${dir}/nope`, 1024, false)).kind, "absent");
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("readBounded does not follow a symlink unless asked", async () => {
  const dir = scratch();
  Deno.writeTextFileSync(`${dir}/target`, "x: 1\n");
  Deno.symlinkSync(`${dir}/target`, `${dir}/link`);
  assertEquals((await readBounded(`${dir}/link`, 1024, false)).kind, "symlink");
  assertEquals((await readBounded(`${dir}/link`, 1024, true)).kind, "file");
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("readBounded reports a FIFO as other without blocking on it", async () => {
  const dir = scratch();
  const made = new Deno.Command("mkfifo", { args: [`${dir}/fifo`] }).outputSync();
  assertEquals(made.code, 0);
  assertEquals((await readBounded(`${dir}/fifo`, 1024, false)).kind, "other");
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("readBounded reports a directory as dir", async () => {
  const dir = scratch();
  Deno.mkdirSync(`${dir}/d`);
  assertEquals((await readBounded(`${dir}/d`, 1024, false)).kind, "dir");
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("readBounded reports /dev/zero behind a followed symlink as other, reading nothing", async () => {
  const dir = scratch();
  Deno.symlinkSync("/dev/zero", `${dir}/zero`);
  assertEquals((await readBounded(`${dir}/zero`, 1024, true)).kind, "other");
  assertEquals((await readBounded(`${dir}/zero`, 1024, false)).kind, "symlink");
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("readBounded reports a file one byte over the limit as too-large", async () => {
  const dir = scratch();
  Deno.writeFileSync(`${dir}/big`, new Uint8Array(1025));
  Deno.writeFileSync(`${dir}/exact`, new Uint8Array(1024));
  assertEquals((await readBounded(`${dir}/big`, 1024, false)).kind, "too-large");
  assertEquals((await readBounded(`${dir}/exact`, 1024, false)).kind, "file");
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("readBounded reads nothing from a FIFO swapped in after the look, and does not hang", async () => {
  const dir = scratch();
  const path = `${dir}/config.yaml`;
  Deno.writeTextFileSync(path, "x: 1\n");
  const got = await readBounded(path, 1024, false, {
    afterLook() {
      Deno.removeSync(path);
      const made = new Deno.Command("mkfifo", { args: [path] }).outputSync();
      assertEquals(made.code, 0);
    },
    openWaitMs: 200,
  });
  assertEquals(got.kind, "other");
  // Let the abandoned open finish, so no thread stays blocked on the FIFO.
  const writer = await Deno.open(path, { write: true });
  writer.close();
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("readBounded does not read a link or another file swapped in after the look", async () => {
  const dir = scratch();
  const path = `${dir}/config.yaml`;
  Deno.writeTextFileSync(`${dir}/secret`, "token: s3cret\n");
  for (
    const [swap, follow, want] of [
      [() => Deno.symlinkSync(`${dir}/secret`, path), false, "symlink"],
      [() => Deno.symlinkSync(`${dir}/secret`, path), true, "other"],
      [() => Deno.linkSync(`${dir}/secret`, path), false, "other"],
      [() => Deno.copyFileSync(`${dir}/secret`, path), false, "other"],
    ] as const
  ) {
    Deno.writeTextFileSync(path, "x: 1\n");
    const got = await readBounded(path, 1024, follow, {
      afterLook() {
        // Moved away, as an agent would swap it: its inode stays taken.
        Deno.renameSync(path, `${dir}/old`);
        swap();
      },
    });
    assertEquals([swap.toString(), follow, got.kind], [swap.toString(), follow, want]);
    Deno.removeSync(path);
    Deno.removeSync(`${dir}/old`);
  }
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("readBounded reports a file that grew past the limit after the look as too-large", async () => {
  const dir = scratch();
  const path = `${dir}/f`;
  Deno.writeFileSync(path, new Uint8Array(10));
  const got = await readBounded(path, 1024, false, {
    afterLook: () => Deno.writeFileSync(path, new Uint8Array(4096), { append: true }),
  });
  assertEquals(got.kind, "too-large");
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("readBounded reads a file that grew since the look, up to the limit", async () => {
  const dir = scratch();
  const path = `${dir}/f`;
  Deno.writeTextFileSync(path, "a");
  const grown = "a".repeat(3000);
  const got = await readBounded(path, 4096, false, {
    afterLook: () => Deno.writeTextFileSync(path, grown),
  });
  assertEquals(got.kind, "file");
  if (got.kind === "file") assertEquals(new TextDecoder().decode(got.bytes), grown);
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("readBounded leaves no listener on the open's time limit, which would hold the process", async () => {
  const dir = scratch();
  Deno.writeTextFileSync(`${dir}/f`, "x\n");
  const controller = new AbortController();
  let listening = 0;
  const signal = controller.signal;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = (...args: Parameters<typeof add>) => {
    listening++;
    add(...args);
  };
  signal.removeEventListener = (...args: Parameters<typeof remove>) => {
    listening--;
    remove(...args);
  };
  const got = await readBounded(`${dir}/f`, 10, false, { timeout: () => signal });
  assertEquals([got.kind, listening], ["file", 0]);
  Deno.removeSync(dir, { recursive: true });
});
