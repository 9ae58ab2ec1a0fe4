/**
 * Pi extension shipped in llm's agent image and loaded by default (see
 * pi-launcher.mjs): when `llm refresh` on the host replaces
 * ~/.pi/agent/auth.json, a running Pi session picks up the new credentials
 * instead of failing until it is restarted.
 *
 * The file is watched by its identity (device, inode, size, times): the host
 * writes it atomically (a new file renamed over the old one), which changes
 * the inode. The check runs before each run and each model turn, so the
 * next request after a refresh carries the new token. Pi versions that keep
 * auth.json in memory get `authStorage.reload()`; newer ones read it per
 * request, and the extension then rebuilds only which models have
 * credentials (a provider logged in since the start shows in /model).
 *
 * `--no-auth-reload` turns it off for one run; `/auth-reload` reloads by hand.
 * Plain JavaScript (no build step): Pi loads it through jiti, and the
 * launcher through Node directly.
 */
import { statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Pi's auth.json: under PI_CODING_AGENT_DIR when set (`~` expanded), else ~/.pi/agent. */
export function authPath(env = process.env, home = homedir()) {
  const dir = env.PI_CODING_AGENT_DIR;
  if (!dir) return join(home, ".pi", "agent", "auth.json");
  if (dir === "~") return join(home, "auth.json");
  return join(dir.startsWith("~/") ? join(home, dir.slice(2)) : dir, "auth.json");
}

/** What identifies one version of the file; "absent" when there is none. */
export function fileSignature(path, stat = statSync) {
  try {
    const s = stat(path, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch (error) {
    return error && error.code === "ENOENT" ? "absent" : `unreadable:${error && error.code}`;
  }
}

/**
 * Make Pi use the credentials now in auth.json. `models` also rebuilds which
 * models are available, which is done between runs only (not mid-turn).
 */
export async function reloadCredentials(registry, models) {
  const storage = registry && registry.authStorage;
  // Pi before request-time authentication kept the file's content in memory.
  if (storage && typeof storage.reload === "function") storage.reload();
  if (models && registry && typeof registry.refresh === "function") {
    await registry.refresh({ allowNetwork: false });
  }
}

/** The extension: `options.path` replaces auth.json's location (tests). */
export default function authReload(pi, options = {}) {
  const path = options.path || authPath();
  // One mark per kind of reload: a change seen at a turn still rebuilds the models at the next run.
  const seen = { credentials: fileSignature(path), models: fileSignature(path) };

  let announced = seen.credentials;

  async function check(ctx, kind) {
    if (typeof pi.getFlag === "function" && pi.getFlag("no-auth-reload")) return;
    const now = fileSignature(path);
    if (now === seen[kind]) return;
    seen[kind] = now;
    if (kind === "models") seen.credentials = now;
    try {
      await reloadCredentials(ctx.modelRegistry, kind === "models");
      if (now !== announced && ctx.hasUI) {
        ctx.ui.notify(`Reloaded ${path} (changed outside Pi).`, "info");
      }
      announced = now;
    } catch (error) {
      if (ctx.hasUI) {
        ctx.ui.notify(`Could not reload ${path}: ${error && error.message}`, "warning");
      }
    }
  }

  if (typeof pi.registerFlag === "function") {
    pi.registerFlag("no-auth-reload", {
      description: "Do not re-read auth.json when it changes during the session (llm image)",
      type: "boolean",
      default: false,
    });
  }
  pi.on("before_agent_start", (_event, ctx) => check(ctx, "models"));
  pi.on("turn_start", (_event, ctx) => check(ctx, "credentials"));
  if (typeof pi.registerCommand === "function") {
    pi.registerCommand("auth-reload", {
      description: `Re-read ${path} now`,
      handler: async (_args, ctx) => {
        seen.credentials = seen.models = fileSignature(path);
        await reloadCredentials(ctx.modelRegistry, true);
        ctx.ui.notify(`Reloaded ${path}.`, "info");
      },
    });
  }
}
