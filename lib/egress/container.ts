/**
 * How the egress proxy appears inside the container under `--network
 * allow`: a directory holding the proxy's Unix socket, bound from the
 * launch's private scratch directory; a forwarder (socat) that turns the
 * socket into `127.0.0.1:PORT` in the container's own, otherwise empty,
 * network namespace; and the variables that point programs at it.
 *
 * The command is wrapped by a constant shell script that receives the
 * agent's argv as `"$@"`: nothing the user wrote becomes shell text.
 */

/** The scratch subdirectory (mode 0700) holding the proxy's socket. */
export const SCRATCH_EGRESS = "egress";
/** The socket's name inside that directory. */
export const EGRESS_SOCKET = "proxy.sock";
/** Where the socket's directory appears in the container. */
export const EGRESS_TARGET = "/run/llm-egress";
/**
 * The loopback port the forwarder listens on inside the container. The
 * container has a network namespace of its own with nothing else in it, so
 * a fixed port cannot clash with the host's.
 */
export const EGRESS_PORT = 3128;
/** The proxy's URL as programs in the container see it. */
export const EGRESS_URL = `http://127.0.0.1:${EGRESS_PORT}`;
/** Names and addresses that stay on the container's own loopback. */
export const EGRESS_NO_PROXY = "localhost,127.0.0.1,::1";

/** The exit status of the wrapper when the image has no socat. */
export const NO_SOCAT_STATUS = 127;

/**
 * The wrapper script. It starts socat in the background, waits (at most
 * about 5 s) until the port is listening, as /proc/net/tcp shows it (so no
 * probe connection reaches the proxy), then execs the agent's argv. socat
 * dies with the container: the agent is the container's main process.
 */
export const EGRESS_WRAPPER_SCRIPT = [
  'command -v socat >/dev/null 2>&1 || { echo "llm: error: the image has no socat, which ' +
  "--network allow needs to reach llm's proxy; use an image with socat (the llm images have " +
  `it), or --network open or none" >&2; exit ${NO_SOCAT_STATUS}; }`,
  `socat TCP-LISTEN:${EGRESS_PORT},bind=127.0.0.1,reuseaddr,fork ` +
  `UNIX-CONNECT:${EGRESS_TARGET}/${EGRESS_SOCKET} &`,
  "i=0",
  `while ! grep -q ':${hexPort()} 00000000:0000 0A' /proc/net/tcp 2>/dev/null; do ` +
  "i=$((i+1)); if [ $i -gt 500 ]; then echo 'llm: error: the egress forwarder did not start' " +
  ">&2; exit 1; fi; sleep 0.01; done",
  'exec "$@"',
].join("; ").replace("&; ", "& ");

function hexPort(): string {
  return EGRESS_PORT.toString(16).toUpperCase().padStart(4, "0");
}

/** The name the wrapper runs under (`$0`), shown by `ps` inside the container. */
export const EGRESS_WRAPPER_NAME = "llm-egress";

/**
 * `command` wrapped so the forwarder runs first.
 *
 * @example
 * ```ts
 * import { wrapForEgress } from "./container.ts";
 * wrapForEgress(["codex", "exec", "hi"]).slice(0, 2); // ["/bin/sh", "-c"]
 * wrapForEgress(["codex", "exec", "hi"]).slice(3); // ["llm-egress", "codex", "exec", "hi"]
 * ```
 */
export function wrapForEgress(command: readonly string[]): string[] {
  return ["/bin/sh", "-c", EGRESS_WRAPPER_SCRIPT, EGRESS_WRAPPER_NAME, ...command];
}

/**
 * The proxy variables inside the container, both cases (curl reads only the
 * lower-case `http_proxy`; others the upper case), and Node's switch that
 * makes its built-in fetch and http honour them.
 */
export function egressVariables(): [string, string][] {
  return [
    ["HTTPS_PROXY", EGRESS_URL],
    ["HTTP_PROXY", EGRESS_URL],
    ["https_proxy", EGRESS_URL],
    ["http_proxy", EGRESS_URL],
    ["NO_PROXY", EGRESS_NO_PROXY],
    ["no_proxy", EGRESS_NO_PROXY],
    ["NODE_USE_ENV_PROXY", "1"],
  ];
}

/** Host proxy variables a container must not inherit under `allow` or `none`. */
export const HOST_PROXY_VARIABLES = [
  "http_proxy",
  "HTTP_PROXY",
  "https_proxy",
  "HTTPS_PROXY",
  "no_proxy",
  "NO_PROXY",
  "all_proxy",
  "ALL_PROXY",
  "ftp_proxy",
  "FTP_PROXY",
] as const;
