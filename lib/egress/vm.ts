/**
 * `--network allow` where the runtime runs containers in a VM (podman
 * machine, Docker Desktop on macOS): a Unix socket on the host does not
 * cross into the VM, so the path to the proxy is built from containers.
 *
 * - The proxy listens on the host's loopback (a random port).
 * - An internal network (`--internal`: no gateway, no NAT, no route out)
 *   of the session's own, with a subnet chosen from the session id.
 * - A forwarder container from the agent's image (it has socat), on that
 *   network at a fixed address and on the runtime's default network, which
 *   forwards its port 3128 to the proxy through the VM's name for the host
 *   (`host.containers.internal`, `host.docker.internal`: the VM's network
 *   stack sends it to the host's loopback). No capabilities, the image's
 *   user.
 * - The agent on the internal network alone, its DNS pointed at its own
 *   loopback (where nothing answers), its proxy variables at the forwarder.
 *
 * Everything is named after the session and removed after it. Pure: argv
 * only; lib/commands/agent.ts runs them.
 */
import { EGRESS_PORT } from "./container.ts";

/** The names and addresses of one session's VM path. */
export interface VmEgress {
  /** The internal network, and the forwarder container's name. */
  readonly name: string;
  readonly subnet: string;
  /** The forwarder's address on the internal network. */
  readonly address: string;
  /** The proxy URL the agent uses. */
  readonly url: string;
}

/**
 * The session's network names from its id (the scratch directory's suffix,
 * `XXXXXX` on --dry-run). The subnet's third octet comes from the id, so
 * two sessions rarely pick the same one; a clash makes network creation
 * fail with the runtime's message, and the next launch picks another.
 *
 * @example
 * ```ts
 * import { vmEgress } from "./vm.ts";
 * vmEgress("abc123").name; // "llm-egress-abc123"
 * ```
 */
export function vmEgress(id: string): VmEgress {
  let hash = 0;
  for (const c of id) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  const octet = 1 + (hash % 254);
  const address = `10.213.${octet}.2`;
  return {
    name: `llm-egress-${id}`,
    subnet: `10.213.${octet}.0/24`,
    address,
    url: `http://${address}:${EGRESS_PORT}`,
  };
}

/** The host's name inside the VM, per runtime. */
export function vmHostName(runtime: string): string {
  return runtime === "docker" ? "host.docker.internal" : "host.containers.internal";
}

/** Commands to run before the agent's container, in order. */
export function vmSetup(
  runtime: "podman" | "docker",
  executable: string,
  vm: VmEgress,
  image: string,
  proxyPort: number,
): string[][] {
  const forward = [
    "socat",
    `TCP-LISTEN:${EGRESS_PORT},fork,reuseaddr`,
    `TCP:${vmHostName(runtime)}:${proxyPort}`,
  ];
  // Not the agent's --dns=127.0.0.1: the forwarder must find the host by
  // the VM's own name for it.
  const common = ["--cap-drop=ALL", "--security-opt=no-new-privileges", "--user=1000:1000"];
  if (runtime === "podman") {
    return [
      [
        executable,
        "network",
        "create",
        "--internal",
        "--disable-dns",
        "--subnet",
        vm.subnet,
        vm.name,
      ],
      [
        executable,
        "run",
        "-d",
        "--rm",
        "--name",
        vm.name,
        `--network=${vm.name}:ip=${vm.address}`,
        "--network=podman",
        ...common,
        image,
        ...forward,
      ],
    ];
  }
  return [
    [executable, "network", "create", "--internal", "--subnet", vm.subnet, vm.name],
    [
      executable,
      "run",
      "-d",
      "--rm",
      "--name",
      vm.name,
      `--network=${vm.name}`,
      `--ip=${vm.address}`,
      ...common,
      image,
      ...forward,
    ],
    [executable, "network", "connect", "bridge", vm.name],
  ];
}

/** Commands that remove what `vmSetup` made (each may fail harmlessly when absent). */
export function vmTeardown(executable: string, vm: VmEgress): string[][] {
  return [
    [executable, "rm", "--force", vm.name],
    [executable, "network", "rm", vm.name],
  ];
}

/** The agent container's network arguments. */
export function vmAgentArgs(vm: VmEgress): string[] {
  return [`--network=${vm.name}`, "--dns=127.0.0.1"];
}
