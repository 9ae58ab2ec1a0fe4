/**
 * image/pi-auth-reload.js, the Pi extension the agent image loads by
 * default, run by Deno against a recorded slice of Pi's extension API (the
 * handlers it registers, a model registry that counts reloads) and a real
 * auth.json in a temporary directory, replaced the way `llm refresh` writes
 * it (a new file renamed over the old one). The real Pi runs it in
 * tests/e2e/agents/pi_test.ts.
 */
import { assert, assertEquals } from "../../_assert.ts";
import authReload, { authPath, fileSignature } from "../../../image/pi-auth-reload.js";

type Handler = (event: unknown, ctx: unknown) => unknown;

/** The part of Pi's ExtensionAPI the extension uses, recording what it registers. */
function fakePi(flags: Record<string, boolean> = {}) {
  const handlers = new Map<string, Handler[]>();
  const registered = { flags: [] as string[], commands: new Map<string, Handler>() };
  const api = {
    on(event: string, handler: Handler) {
      handlers.set(event, [...(handlers.get(event) ?? []), handler]);
    },
    registerFlag(name: string) {
      registered.flags.push(name);
    },
    getFlag: (name: string) => flags[name] ?? false,
    registerCommand(name: string, options: { handler: Handler }) {
      registered.commands.set(name, options.handler);
    },
  };
  const fire = async (event: string, ctx: unknown) => {
    for (const h of handlers.get(event) ?? []) await h({}, ctx);
  };
  return { api, registered, fire, handlers };
}

/** A session context whose registry counts reloads; `legacy` has Pi's old in-memory store. */
function fakeContext(legacy: boolean, hasUI = false) {
  const calls = { reload: 0, refresh: [] as unknown[], notes: [] as string[] };
  const modelRegistry: Record<string, unknown> = {
    refresh: (options: unknown) => {
      calls.refresh.push(options);
      return Promise.resolve();
    },
  };
  if (legacy) modelRegistry.authStorage = { reload: () => calls.reload++ };
  const ctx = { modelRegistry, hasUI, ui: { notify: (m: string) => calls.notes.push(m) } };
  return { ctx, calls };
}

/** Replace `path` as llm refresh does: write a temporary file, rename it over. */
async function replace(path: string, text: string) {
  await Deno.writeTextFile(`${path}.tmp`, text, { mode: 0o600 });
  await Deno.rename(`${path}.tmp`, path);
}

async function withAuthFile(fn: (path: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "llm-pi-auth-" });
  try {
    const path = `${dir}/auth.json`;
    await Deno.writeTextFile(path, '{"mock":{"type":"api_key","key":"one"}}\n');
    await fn(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("authPath() is ~/.pi/agent/auth.json, or under PI_CODING_AGENT_DIR with ~ expanded", () => {
  assertEquals(authPath({}, "/home/u"), "/home/u/.pi/agent/auth.json");
  assertEquals(authPath({ PI_CODING_AGENT_DIR: "/etc/pi" }, "/home/u"), "/etc/pi/auth.json");
  assertEquals(authPath({ PI_CODING_AGENT_DIR: "~/p" }, "/home/u"), "/home/u/p/auth.json");
  assertEquals(authPath({ PI_CODING_AGENT_DIR: "" }, "/home/u"), "/home/u/.pi/agent/auth.json");
});

Deno.test("fileSignature() changes when the file is replaced by one of the same size", async () => {
  await withAuthFile(async (path) => {
    const before = fileSignature(path);
    assertEquals(fileSignature(path), before);
    await replace(path, '{"mock":{"type":"api_key","key":"two"}}\n');
    assert(fileSignature(path) !== before, "a renamed-over file of the same size went unseen");
    assertEquals(fileSignature(`${path}.gone`), "absent");
  });
});

Deno.test("the extension registers --no-auth-reload, /auth-reload and its two checks", () => {
  const pi = fakePi();
  authReload(pi.api, { path: "/nonexistent/auth.json" });
  assertEquals(pi.registered.flags, ["no-auth-reload"]);
  assertEquals([...pi.registered.commands.keys()], ["auth-reload"]);
  assertEquals([...pi.handlers.keys()].sort(), ["before_agent_start", "turn_start"]);
});

Deno.test("an old Pi's in-memory auth is reloaded at the next turn after auth.json is replaced", async () => {
  await withAuthFile(async (path) => {
    const pi = fakePi();
    const { ctx, calls } = fakeContext(true);
    authReload(pi.api, { path });
    await pi.fire("turn_start", ctx);
    await pi.fire("before_agent_start", ctx);
    assertEquals(calls.reload, 0, "reloaded although auth.json did not change");
    await replace(path, '{"mock":{"type":"api_key","key":"two"}}\n');
    await pi.fire("turn_start", ctx);
    assertEquals(calls.reload, 1);
    assertEquals(calls.refresh, [], "models are rebuilt between runs, not mid-turn");
    await pi.fire("turn_start", ctx);
    assertEquals(calls.reload, 1, "reloaded twice for one change");
    // The next run rebuilds which models have credentials, offline.
    await pi.fire("before_agent_start", ctx);
    assertEquals(calls.refresh, [{ allowNetwork: false }]);
    await pi.fire("before_agent_start", ctx);
    assertEquals(calls.refresh.length, 1);
  });
});

Deno.test("a Pi that reads auth per request gets only the models rebuilt, once per change", async () => {
  await withAuthFile(async (path) => {
    const pi = fakePi();
    const { ctx, calls } = fakeContext(false, true);
    authReload(pi.api, { path });
    await replace(path, "{}\n");
    await pi.fire("turn_start", ctx);
    await pi.fire("before_agent_start", ctx);
    await pi.fire("turn_start", ctx);
    assertEquals(calls.refresh, [{ allowNetwork: false }]);
    assertEquals(calls.notes, [`Reloaded ${path} (changed outside Pi).`]);
  });
});

Deno.test("--no-auth-reload leaves Pi's credentials alone", async () => {
  await withAuthFile(async (path) => {
    const pi = fakePi({ "no-auth-reload": true });
    const { ctx, calls } = fakeContext(true);
    authReload(pi.api, { path });
    await replace(path, "{}\n");
    await pi.fire("turn_start", ctx);
    await pi.fire("before_agent_start", ctx);
    assertEquals(calls.reload, 0);
    assertEquals(calls.refresh, []);
  });
});

Deno.test("/auth-reload reloads at once, changed or not", async () => {
  await withAuthFile(async (path) => {
    const pi = fakePi();
    const { ctx, calls } = fakeContext(true, true);
    authReload(pi.api, { path });
    await pi.registered.commands.get("auth-reload")?.("", ctx);
    assertEquals(calls.reload, 1);
    assertEquals(calls.refresh.length, 1);
    assertEquals(calls.notes, [`Reloaded ${path}.`]);
  });
});
