/**
 * The in-memory `CredentialTree` behind `fakeSystem().credentialTree()`:
 * the same refusals as the real one (lib/system/credential_tree.ts) over the
 * fake's file map, recording `mkdir`, `write` and `remove` changes with the
 * unresolved paths that messages show.
 */
import { TEMP_NAME } from "../lib/system/credential_tree.ts";
import { join } from "../lib/std/path.ts";
import type { CredentialTree, TreePath, TreeProblem, TreeResult } from "../lib/system/system.ts";
import type { FakeFile } from "./_fake_system.ts";

/** What the fake tree needs from the fake system. */
export interface FakeTreeHost {
  readonly files: Map<string, FakeFile>;
  readonly changes: string[];
  /** Canonical path with links resolved, or null when absent. */
  realPath(path: string): string | null;
}

type Walk =
  | { readonly at: "found"; readonly dir: string; readonly last: string | null }
  | { readonly at: "absent" }
  | { readonly at: "problem"; readonly problem: TreeProblem };

/** Build the fake tree over `host`. */
export function fakeCredentialTree(host: FakeTreeHost): CredentialTree {
  const { files, changes } = host;
  const shown = (path: TreePath, rel = path.rel) => rel === "" ? path.root : join(path.root, rel);
  // Tests set file contents without their directories; a path with entries below it is one.
  const implied = (p: string): FakeFile | undefined =>
    [...files.keys()].some((k) => k.startsWith(`${p}/`)) ? { kind: "dir" } : undefined;
  const walk = (path: TreePath, pin: "parent" | "self", create: boolean): Walk => {
    const parts = path.rel.split("/").filter((p) => p !== "");
    const last = pin === "parent" ? parts.pop() ?? null : null;
    let dir = host.realPath(path.root) ?? (implied(path.root) ? path.root : null);
    if (dir === null) {
      if (!create) return { at: "absent" };
      changes.push(`mkdir ${path.root}`);
      files.set(path.root, { kind: "dir", mode: 0o700 });
      dir = path.root;
    }
    if ((files.get(dir) ?? implied(dir))?.kind !== "dir") {
      return { at: "problem", problem: { kind: "not-dir", path: path.root } };
    }
    let done = "";
    for (const part of parts) {
      done = done === "" ? part : `${done}/${part}`;
      const p = join(dir, part);
      const f = files.get(p) ?? implied(p);
      if (f === undefined) {
        if (!create) return { at: "absent" };
        changes.push(`mkdir ${shown(path, done)}`);
        files.set(p, { kind: "dir", mode: 0o700 });
      } else if (f.linkTo !== undefined) {
        const problem = { kind: "symlink", path: shown(path, done), target: f.linkTo } as const;
        return { at: "problem", problem };
      } else if (f.kind !== "dir") {
        return { at: "problem", problem: { kind: "not-dir", path: shown(path, done) } };
      }
      dir = p;
    }
    return { at: "found", dir, last };
  };
  const final = (path: TreePath, w: Walk & { at: "found" }): FakeFile | TreeProblem | null => {
    if (w.last === null) return { kind: "not-file", path: shown(path) };
    const f = files.get(join(w.dir, w.last));
    if (f === undefined) return null;
    if (f.linkTo !== undefined) return { kind: "symlink", path: shown(path), target: f.linkTo };
    return f;
  };
  const isProblem = (x: FakeFile | TreeProblem | null): x is TreeProblem =>
    x !== null && "path" in x;
  const fail = (problem: TreeProblem): TreeResult<never> => ({ ok: false, problem });
  return {
    inspect(path) {
      const w = walk(path, "parent", false);
      if (w.at === "absent") return { ok: true, value: "absent" };
      if (w.at === "problem") return fail(w.problem);
      if (w.last === null) return { ok: true, value: "dir" };
      const f = final(path, w);
      if (isProblem(f)) return fail(f);
      if (f === null) return { ok: true, value: "absent" };
      if (f.kind === "other") return fail({ kind: "not-file", path: shown(path) });
      return { ok: true, value: f.kind };
    },
    read(path, limit) {
      const w = walk(path, "parent", false);
      if (w.at === "absent") return { ok: true, value: null };
      if (w.at === "problem") return fail(w.problem);
      const f = final(path, w);
      if (isProblem(f)) return fail(f);
      if (f === null) return { ok: true, value: null };
      if (f.kind !== "file") return fail({ kind: "not-file", path: shown(path) });
      const bytes = f.content ?? new Uint8Array();
      if (bytes.length > limit) return fail({ kind: "too-large", path: shown(path) });
      return { ok: true, value: bytes };
    },
    write(path, content, mode) {
      // Check the whole way before creating anything, as the real walk refuses before its mkdir.
      const dry = walk(path, "parent", false);
      if (dry.at === "problem") return fail(dry.problem);
      if (dry.at === "found") {
        const f = final(path, dry);
        if (isProblem(f)) return fail(f);
        if (f !== null && f.kind !== "file") return fail({ kind: "not-file", path: shown(path) });
      }
      const w = walk(path, "parent", true) as Walk & { at: "found" };
      changes.push(`write ${shown(path)}`);
      files.set(join(w.dir, w.last as string), { kind: "file", content, mode });
      return { ok: true, value: undefined };
    },
    removeStaleTemps(dir) {
      const w = walk(dir, "self", false);
      if (w.at === "absent") return { ok: true, value: [] };
      if (w.at === "problem") return fail(w.problem);
      const removed: string[] = [];
      for (const [p, f] of [...files]) {
        const name = p.slice(w.dir.length + 1);
        if (!p.startsWith(`${w.dir}/`) || name.includes("/") || !TEMP_NAME.test(name)) continue;
        if (f.kind === "dir" && f.linkTo === undefined) continue;
        files.delete(p);
        changes.push(`remove ${shown(dir, dir.rel === "" ? name : `${dir.rel}/${name}`)}`);
        removed.push(name);
      }
      return { ok: true, value: removed.sort() };
    },
    refuseLinksIn(dir) {
      const w = walk(dir, "self", false);
      if (w.at === "absent") return { ok: true, value: undefined };
      if (w.at === "problem") return fail(w.problem);
      for (const p of [...files.keys()].sort()) {
        const name = p.slice(w.dir.length + 1);
        if (!p.startsWith(`${w.dir}/`) || name.includes("/")) continue;
        const target = files.get(p)?.linkTo;
        if (target === undefined) continue;
        const rel = dir.rel === "" ? name : `${dir.rel}/${name}`;
        return fail({ kind: "symlink", path: shown(dir, rel), target });
      }
      return { ok: true, value: undefined };
    },
  };
}
