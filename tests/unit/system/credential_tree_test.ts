/**
 * The real credential tree (lib/system/credential_tree.ts) on a scratch
 * directory: links refused at the file and on the way, modes exact under
 * any umask, FIFOs and huge files refused without hanging, stale temp files
 * of llm's naming removed and nothing else.
 */
import { realCredentialTree } from "../../../lib/system/credential_tree.ts";
import { join } from "../../../lib/std/path.ts";
import { assertEquals } from "../../_assert.ts";

function scratch(): { root: string; done(): void } {
  const dir = Deno.makeTempDirSync({ prefix: "llm-tree-" });
  const root = join(dir, ".pi");
  Deno.mkdirSync(root);
  return { root, done: () => Deno.removeSync(dir, { recursive: true }) };
}

const tree = realCredentialTree();
const bytes = (t: string) => new TextEncoder().encode(t);
const mode = (p: string) => (Deno.lstatSync(p).mode ?? 0) & 0o777;

Deno.test("write() creates missing directories 0700 and the file 0600, whatever the umask", () => {
  const s = scratch();
  const old = Deno.umask(0o277);
  try {
    assertEquals(
      tree.write({ root: s.root, rel: "agent/auth.json" }, bytes("{}\n"), 0o600).ok,
      true,
    );
  } finally {
    Deno.umask(old);
  }
  try {
    assertEquals(mode(join(s.root, "agent")).toString(8), "700");
    assertEquals(mode(join(s.root, "agent/auth.json")).toString(8), "600");
    assertEquals(Deno.readTextFileSync(join(s.root, "agent/auth.json")), "{}\n");
    assertEquals([...Deno.readDirSync(join(s.root, "agent"))].map((e) => e.name), ["auth.json"]);
  } finally {
    s.done();
  }
});

Deno.test("write() and read() refuse a symlink at the file, leaving its target alone", () => {
  const s = scratch();
  try {
    const target = join(s.root, "../bashrc");
    Deno.writeTextFileSync(target, "mine\n", { mode: 0o644 });
    Deno.symlinkSync(target, join(s.root, "auth.json"));
    const at = { root: s.root, rel: "auth.json" };
    const problem = { kind: "symlink" as const, path: join(s.root, "auth.json"), target };
    assertEquals(tree.write(at, bytes("x"), 0o600), { ok: false, problem });
    assertEquals(tree.read(at, 100), { ok: false, problem });
    assertEquals(tree.inspect(at), { ok: false, problem });
    assertEquals(Deno.readTextFileSync(target), "mine\n");
    assertEquals(mode(target).toString(8), "644");
  } finally {
    s.done();
  }
});

Deno.test("write() refuses a directory on the way that is a symlink, creating nothing behind it", () => {
  const s = scratch();
  try {
    const elsewhere = join(s.root, "../private");
    Deno.mkdirSync(elsewhere);
    Deno.symlinkSync(elsewhere, join(s.root, "agent"));
    const at = { root: s.root, rel: "agent/sub/auth.json" };
    const problem = { kind: "symlink" as const, path: join(s.root, "agent"), target: elsewhere };
    assertEquals(tree.write(at, bytes("x"), 0o600), { ok: false, problem });
    assertEquals(tree.read(at, 100), { ok: false, problem });
    assertEquals(tree.removeStaleTemps({ root: s.root, rel: "agent" }), { ok: false, problem });
    assertEquals([...Deno.readDirSync(elsewhere)], []);
  } finally {
    s.done();
  }
});

Deno.test("read() refuses a FIFO without blocking and a file over the limit", () => {
  const s = scratch();
  try {
    new Deno.Command("mkfifo", { args: [join(s.root, "fifo")] }).outputSync();
    Deno.writeTextFileSync(join(s.root, "big"), "x".repeat(101));
    assertEquals(tree.read({ root: s.root, rel: "fifo" }, 100), {
      ok: false,
      problem: { kind: "not-file", path: join(s.root, "fifo") },
    });
    assertEquals(tree.read({ root: s.root, rel: "big" }, 100), {
      ok: false,
      problem: { kind: "too-large", path: join(s.root, "big") },
    });
    assertEquals(tree.read({ root: s.root, rel: "absent/x" }, 100), { ok: true, value: null });
  } finally {
    s.done();
  }
});

Deno.test("removeStaleTemps() removes llm's temp names only, a link of that name as a link", () => {
  const s = scratch();
  try {
    const target = join(s.root, "../keep");
    Deno.writeTextFileSync(target, "keep\n");
    const ours = `.llm-tmp-${crypto.randomUUID()}`;
    const legacy = `.${crypto.randomUUID()}.tmp`;
    const link = `.llm-tmp-${crypto.randomUUID()}`;
    const dir = `.llm-tmp-${crypto.randomUUID()}`;
    Deno.writeTextFileSync(join(s.root, ours), "x");
    Deno.writeTextFileSync(join(s.root, legacy), "x");
    Deno.symlinkSync(target, join(s.root, link));
    Deno.mkdirSync(join(s.root, dir));
    Deno.writeTextFileSync(join(s.root, ".llm-tmp-mine"), "x");
    const r = tree.removeStaleTemps({ root: s.root, rel: "" });
    assertEquals(r, { ok: true, value: [ours, legacy, link].sort() });
    assertEquals(
      [...Deno.readDirSync(s.root)].map((e) => e.name).sort(),
      [".llm-tmp-mine", dir].sort(),
    );
    assertEquals(Deno.readTextFileSync(target), "keep\n");
  } finally {
    s.done();
  }
});
