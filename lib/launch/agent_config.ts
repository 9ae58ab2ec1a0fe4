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
import { join, relative } from "../std/path.ts";
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
}

/** Protected paths by the credential directory (relative to the home) that holds them. */
export const HOST_CONFIG: Readonly<Record<string, readonly HostConfigPath[]>> = {
  ".codex": [{ path: ".codex/config.toml", create: "" }],
  ".claude": [{ path: ".claude/settings.json", create: "{}\n" }],
  ".pi": [
    { path: ".pi/agent/settings.json" },
    { path: ".pi/agent/models.json" },
    { path: ".pi/agent/extensions" },
  ],
  ".aws": [{ path: ".aws/config" }],
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
      let present = facts.stat(source) !== null;
      if (present) {
        const real = facts.realPath(source);
        if (real === null || dirReal === null || !isWithin(real, dirReal)) {
          throw new LlmError(
            `~/${p.path} leads out of ~/${dir} (to ${real ?? "nowhere"}), which an agent may ` +
              `have planted; remove it (rm ${source}) and launch again`,
          );
        }
      } else if (p.create !== undefined && (dirReal !== null || dirWillExist)) {
        ensure.push({ path: p.path, kind: "file", content: p.create, hostPath: source });
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
