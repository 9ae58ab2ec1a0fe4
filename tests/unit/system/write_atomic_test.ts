/** The real atomic write: exact mode, no link followed, nothing left behind. */
import { assertEquals } from "../../_assert.ts";
import { writeFileAtomic } from "../../../lib/system/real.ts";

function modeOf(path: string): number {
  return (Deno.statSync(path).mode ?? 0) & 0o777;
}

function leftovers(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".tmp"));
}

Deno.test("writeFileAtomic gives the file exactly its mode, even one the umask narrows", () => {
  const dir = Deno.makeTempDirSync();
  try {
    writeFileAtomic(`${dir}/a`, "secret", 0o600);
    assertEquals(modeOf(`${dir}/a`), 0o600);
    // 0666 is narrowed by any usual umask at creation and must be restored.
    writeFileAtomic(`${dir}/b`, "x", 0o666);
    assertEquals(modeOf(`${dir}/b`), 0o666);
    assertEquals(Deno.readTextFileSync(`${dir}/a`), "secret");
    assertEquals(leftovers(dir), []);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic replaces a symlink at the path instead of writing through it", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/bashrc`, "keep\n");
    Deno.chmodSync(`${dir}/bashrc`, 0o644);
    Deno.symlinkSync(`${dir}/bashrc`, `${dir}/config`);
    writeFileAtomic(`${dir}/config`, "[default]\n", 0o600);
    assertEquals(Deno.readTextFileSync(`${dir}/bashrc`), "keep\n");
    assertEquals(modeOf(`${dir}/bashrc`), 0o644);
    assertEquals(Deno.lstatSync(`${dir}/config`).isFile, true);
    assertEquals(leftovers(dir), []);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
