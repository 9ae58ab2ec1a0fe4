/**
 * The egress proxy of one launch under `--network allow`: started on a Unix
 * socket in the launch's private scratch directory before the container,
 * closed after it on every exit path (the caller's `finally`), its refusals
 * printed as they happen with `--verbose`, written to a session log, and
 * summed up in one line at exit.
 */
import { LlmError } from "../errors.ts";
import { dirname, join } from "../std/path.ts";
import type { System } from "../system/system.ts";
import { isLocalAddress, startProxy } from "./proxy.ts";
import type { BlockedConnection, EgressProxy } from "./proxy.ts";
import { EGRESS_SOCKET, SCRATCH_EGRESS } from "./container.ts";
import { type NetworkPolicy, policyAllows } from "./policy.ts";
import { blockedLogLine, blockedSummary } from "./summary.ts";
import { type Upstream, upstreamFromEnv } from "./upstream.ts";
import { normalizeHost, printable } from "./allowlist.ts";

/**
 * FOR llm'S OWN TESTS ONLY. `name=127.0.0.1,other=127.0.0.1`: the proxy
 * connects to these names at the given loopback address instead of looking
 * them up, so end-to-end tests can stand test servers on 127.0.0.1 in for
 * allowed and denied hosts without any traffic leaving the machine. Only
 * loopback addresses are accepted, and every launch that sees the variable
 * says so on stderr.
 */
export const TEST_RESOLVE_VARIABLE = "LLM_TEST_ONLY_EGRESS_RESOLVE";

/** What the launch decided before anything runs: checked early, so errors change nothing. */
export interface EgressSettings {
  readonly policy: NetworkPolicy;
  readonly upstream: Upstream;
  readonly resolve?: Readonly<Record<string, string>>;
  readonly warnings: readonly string[];
}

/**
 * Read the host's upstream proxy and the test-only resolver from `env`.
 * A socks upstream or a bad test mapping is an error before the launch.
 */
export function egressSettings(
  policy: NetworkPolicy,
  env: Readonly<Record<string, string>>,
): EgressSettings {
  const upstream = upstreamFromEnv(env);
  const text = env[TEST_RESOLVE_VARIABLE];
  if (text === undefined || text === "") return { policy, upstream, warnings: [] };
  const resolve: Record<string, string> = {};
  for (const item of text.split(",")) {
    const [name, address, extra] = item.split("=");
    const host = normalizeHost(name ?? "");
    if (host === undefined || address === undefined || extra !== undefined) {
      throw new LlmError(
        `${TEST_RESOLVE_VARIABLE}: expected NAME=127.0.0.1,..., got '${
          printable(item)
        }' (this variable is for llm's own tests; unset it)`,
      );
    }
    if (!isLocalAddress(address) || address === "0.0.0.0" || address === "::") {
      throw new LlmError(
        `${TEST_RESOLVE_VARIABLE}: ${printable(name)} may map only to a loopback address, ` +
          `got '${printable(address)}' (this variable is for llm's own tests; unset it)`,
      );
    }
    resolve[host] = address;
  }
  return {
    policy,
    upstream,
    resolve,
    warnings: [
      `${TEST_RESOLVE_VARIABLE} is set: the egress proxy sends ${
        Object.keys(resolve).join(", ")
      } to this host's loopback; it is for llm's own tests, unset it`,
    ],
  };
}

/** A running session proxy. */
export interface EgressSession {
  /** The socket's path on the host (removed at close); none with `loopbackPort`. */
  readonly socket?: string;
  /** With `loopbackPort`: the port on 127.0.0.1 it listens on instead. */
  readonly port?: number;
  /** Refused connections so far. */
  readonly events: readonly BlockedConnection[];
  /** Stop the proxy; returns once every connection is closed and the socket removed. */
  close(): Promise<void>;
}

/**
 * Start the proxy for `settings` on `<scratch>/egress/proxy.sock` (the
 * directory mode 0700: only the invoking user, and the container bound to
 * it, can connect). `onBlocked` hears each refusal as it happens.
 */
export async function startEgress(
  settings: EgressSettings,
  scratch: string,
  system: Pick<System, "mkdir" | "remove">,
  onBlocked: (event: BlockedConnection) => void,
  /**
   * Listen on 127.0.0.1 (a random port) instead: for a runtime in a VM,
   * which reaches the host's loopback but not its sockets (lib/egress/vm.ts).
   */
  loopbackPort = false,
): Promise<EgressSession> {
  const dir = join(scratch, SCRATCH_EGRESS);
  const socket = loopbackPort ? undefined : join(dir, EGRESS_SOCKET);
  if (socket) system.mkdir(dir, 0o700);
  const events: BlockedConnection[] = [];
  let proxy: EgressProxy;
  try {
    proxy = await startProxy({
      listen: [
        socket
          ? { transport: "unix", path: socket }
          : { transport: "tcp", hostname: "127.0.0.1", port: 0 },
      ],
      allows: (host, port) => policyAllows(settings.policy, host, port),
      upstream: settings.upstream,
      resolve: settings.resolve,
      onBlocked: (event) => {
        events.push(event);
        onBlocked(event);
      },
    });
  } catch (e) {
    throw new LlmError(
      `could not start the egress proxy on ${socket ?? "127.0.0.1"}: ${(e as Error).message}`,
    );
  }
  const tcp = proxy.addrs.find((a) => a.transport === "tcp") as Deno.NetAddr | undefined;
  return {
    socket,
    port: tcp?.port,
    events,
    async close() {
      await proxy.close();
      if (socket) system.remove(socket);
    },
  };
}

/** The session log's path: `$XDG_STATE_HOME/llm/egress/<time>-<agent>.log`. */
export function egressLogPath(
  env: Readonly<Record<string, string>>,
  home: string,
  agent: string,
  start: Date,
): string {
  const xdg = env.XDG_STATE_HOME;
  const base = xdg && xdg.startsWith("/") ? join(xdg, "llm") : join(home, ".local", "state", "llm");
  const stamp = start.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const random = Math.floor(Math.random() * 0x10000).toString(16).padStart(4, "0");
  return join(base, "egress", `${stamp}-${agent}-${random}.log`);
}

/**
 * What to tell the user at exit: the session log written (when anything
 * was refused) and the one-line summary, or nothing.
 */
export function finishEgressLog(
  events: readonly BlockedConnection[],
  counts: ReadonlyMap<string, number>,
  logPath: string,
  system: Pick<System, "mkdir" | "writeFileAtomic">,
): string | undefined {
  const summary = blockedSummary(counts);
  if (summary === undefined) return undefined;
  try {
    system.mkdir(dirname(logPath), 0o700);
    system.writeFileAtomic(logPath, events.map((e) => blockedLogLine(e) + "\n").join(""), 0o600);
    return `${summary} (log: ${logPath})`;
  } catch (e) {
    return `${summary} (the log ${logPath} could not be written: ${(e as Error).message})`;
  }
}

/** Counts by `host:port` from the events, as the proxy keeps them. */
export function countBlocked(events: readonly BlockedConnection[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) {
    const key = e.host.includes(":") ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
