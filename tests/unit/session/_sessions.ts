/**
 * Helpers for session tests: launches through `main` on a fake host, and
 * the manifests they leave.
 */
import { main } from "../../../lib/cli/main.ts";
import { parseManifest, type SessionManifest } from "../../../lib/session/manifest.ts";
import { type FakeSystem, fakeSystem, type FakeSystemOptions } from "../../_fake_system.ts";

export const SESSIONS = "/home/user/.local/state/llm/sessions";

/** What `podman image inspect` answers for the session's image query. */
export const INSPECT: FakeSystemOptions["outputs"] = {
  "podman image inspect": {
    stdout: "5e1f00d1e2d3c4b5a6978877665544332211aabbccddeeff0011223344556677\t" +
      '["ghcr.io/nichd-bspc/llm@sha256:99aa"]\t' +
      '{"io.github.nichd-bspc.llm.codex-version":"0.171.0"}\n',
  },
};

/** Run `llm ARGS` on `system`. */
export async function llm(system: FakeSystem, argv: string[]): Promise<number> {
  return await main(argv, system);
}

/** A fake host that answers the session's image query. */
export function host(options: FakeSystemOptions = {}): FakeSystem {
  return fakeSystem({ outputs: INSPECT, ...options });
}

/** Every manifest in the fake sessions directory. */
export function manifests(system: FakeSystem): SessionManifest[] {
  return [...system.files].filter(([p]) => /\/sessions\/[0-9a-f]{12}\.json$/.test(p))
    .map(([, f]) => parseManifest(new TextDecoder().decode(f.content)))
    .filter((m): m is SessionManifest => m !== null);
}

/** A manifest as a launch leaves it, for ps/stop tests. */
export function stored(
  system: FakeSystem,
  fields: Partial<SessionManifest> & { id: string; name: string },
  claim = false,
): SessionManifest {
  const m: SessionManifest = {
    schema: 1,
    state: "running",
    llmVersion: "0.1.0",
    pid: 500,
    pidStart: "77",
    agent: "codex",
    agentVersion: null,
    agentVersionSource: null,
    workspace: "/work/project",
    workdir: "/work/project",
    runtime: { name: "podman", executable: "podman", version: "4.3.1" },
    container: fields.name,
    containerId: "c1d2",
    runtimePid: null,
    image: {
      reference: "ghcr.io/nichd-bspc/llm:codex-latest",
      id: "sha256:ab12cd34ef56aa",
      repoDigests: [],
    },
    platform: "linux/amd64",
    command: ["codex"],
    mounts: [],
    masks: [],
    readOnly: [],
    env: [],
    network: { policy: "open" },
    resources: {},
    runtimeArgs: [],
    started: "2026-12-01T09:58:00.000Z",
    ended: null,
    exitCode: null,
    ...fields,
  };
  system.mkdir(`${SESSIONS}/running`, 0o700);
  system.writeFileAtomic(`${SESSIONS}/${m.id}.json`, JSON.stringify(m), 0o600);
  if (claim) system.writeFileAtomic(`${SESSIONS}/running/${m.name}`, `${m.id}\n`, 0o600);
  return m;
}
