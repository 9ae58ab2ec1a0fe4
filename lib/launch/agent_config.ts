/**
 * The agents' host-executed configuration inside their credential
 * directories: files that name commands the host runs later (Codex's
 * `notify` and MCP servers in config.toml, Claude Code's hooks, Pi's
 * extensions and providers, `credential_process` in the AWS config, which
 * `llm refresh` itself runs). The credential directories are mounted
 * read-write so agents keep their tokens and sessions; these paths are
 * mounted read-only over them, so an agent cannot plant a command for the
 * host. `--writable-agent-config` turns this off.
 */
import { LlmError } from "../errors.ts";
import { dirname, join, relative } from "../std/path.ts";
import { CONTAINER_HOME } from "./container.ts";
import type { HostFacts } from "./host_facts.ts";
import { type BindMount, isWithin } from "./mounts.ts";
import type { EnsureAction } from "./plan.ts";

/** One protected path, relative to the home. */
export interface HostConfigPath {
  readonly path: string;
  /**
   * Made with this content when absent (so the agent cannot create it
   * either); without it, an absent path is left alone.
   */
  readonly create?: string;
  /** The path is a directory, made empty when absent if `create` is given. */
  readonly dir?: boolean;
}

/** Made empty when absent: read at every start of a host session. */
const file = (path: string): HostConfigPath => ({ path, create: "" });
/** Made empty when absent: skills are offered to the model unasked. */
const dir = (path: string): HostConfigPath => ({ path, create: "", dir: true });
/** Protected where present: used only when named by the user or by protected settings. */
const present = (path: string): HostConfigPath => ({ path });

/**
 * Protected paths by the credential directory (relative to the home) that
 * holds them: what names commands the host runs (settings, hooks, plugins,
 * extensions), and the instructions and commands a host session of the same
 * agent takes as the user's own (AGENTS.md, CLAUDE.md, prompts, skills).
 */
export const HOST_CONFIG: Readonly<Record<string, readonly HostConfigPath[]>> = {
  ".codex": [
    { path: ".codex/config.toml", create: "" },
    file(".codex/AGENTS.md"),
    dir(".codex/skills"),
    present(".codex/prompts"),
  ],
  ".claude": [
    { path: ".claude/settings.json", create: "{}\n" },
    file(".claude/CLAUDE.md"),
    dir(".claude/skills"),
    present(".claude/commands"),
    present(".claude/agents"),
    present(".claude/hooks"),
    present(".claude/plugins"),
  ],
  ".pi": [
    present(".pi/agent/settings.json"),
    present(".pi/agent/models.json"),
    present(".pi/agent/extensions"),
    file(".pi/agent/AGENTS.md"),
    dir(".pi/agent/skills"),
    present(".pi/agent/prompts"),
  ],
  ".aws": [present(".aws/config")],
};

/** Origins of the read-only mounts made here start so (see `isProtection`). */
export const AGENT_CONFIG_ORIGIN = "agent config ";

/** What protecting a set of credential directories adds to a plan. */
export interface HostConfigProtection {
  readonly mounts: BindMount[];
  readonly ensure: EnsureAction[];
}

/**
 * Read-only mounts for the host-executed configuration below the mounted
 * credential directories `credentialDirs` (relative to the home). A
 * protected path that is a symlink out of its credential directory is
 * refused: mounting it would show the agent what it points to.
 */
export function protectHostConfig(
  credentialDirs: readonly string[],
  facts: HostFacts,
  ensured: readonly EnsureAction[],
): HostConfigProtection {
  const mounts: BindMount[] = [];
  const ensure: EnsureAction[] = [];
  for (const dir of credentialDirs) {
    for (const p of HOST_CONFIG[dir] ?? []) {
      const source = join(facts.home, p.path);
      const dirReal = facts.realPath(join(facts.home, dir));
      const dirWillExist = ensured.some((e) => e.hostPath === join(facts.home, dir));
      // A dangling link counts as present: creating through it would write elsewhere.
      let present = facts.stat(source) !== null || facts.readLink(source) !== null;
      if (present) {
        const real = facts.realPath(source);
        if (real === null || dirReal === null || !isWithin(real, dirReal)) {
          throw new LlmError(
            `~/${p.path} leads out of ~/${dir} (to ${real ?? "nowhere"}), which an agent may ` +
              `have planted; remove it (rm ${source}) and launch again`,
          );
        }
      } else if (p.create !== undefined && (dirReal !== null || dirWillExist)) {
        const parent = nearestExisting(dirname(source), facts);
        const parentReal = facts.realPath(parent);
        if (dirReal !== null && (parentReal === null || !isWithin(parentReal, dirReal))) {
          throw new LlmError(
            `${parent} leads out of ~/${dir} (to ${parentReal ?? "nowhere"}), which an agent ` +
              `may have planted; remove it (rm ${parent}) and launch again`,
          );
        }
        ensure.push(
          p.dir
            ? { path: p.path, kind: "dir", hostPath: source }
            : { path: p.path, kind: "file", content: p.create, hostPath: source },
        );
        present = true;
      }
      if (!present) continue;
      mounts.push({
        kind: "bind",
        source,
        target: join(CONTAINER_HOME, relative(facts.home, source)),
        readOnly: true,
        origin: `${AGENT_CONFIG_ORIGIN}~/${p.path}`,
      });
    }
  }
  return { mounts, ensure };
}

/** `path` or its closest ancestor that exists. */
function nearestExisting(path: string, facts: HostFacts): string {
  let p = path;
  while (p !== "/" && facts.stat(p) === null && facts.readLink(p) === null) p = dirname(p);
  return p;
}
