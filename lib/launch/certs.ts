/**
 * Checking a `--certs` CA bundle before it is mounted: a file the agent's TLS
 * stacks cannot use would launch fine and fail much later, far from the
 * setting that caused it.
 */
import { LlmError } from "../errors.ts";
import { type HostFacts, missing } from "./host_facts.ts";

/** How much of a bundle is read to find its first certificate (bundles start with comments). */
export const PEM_PROBE_BYTES = 1 << 20;
const PEM_BEGIN = "-----BEGIN CERTIFICATE-----";

/**
 * Refuse a CA bundle at `path` (named by `origin`, e.g. `--certs`) that is
 * not a readable file holding at least one PEM certificate.
 */
export function checkCaBundle(path: string, origin: string, facts: HostFacts): void {
  const kind = facts.stat(path);
  if (kind !== "file") {
    throw new LlmError(
      `${origin} ${path} ${
        kind === null ? missing(facts, path) : "is not a file"
      }; give a PEM file of CA certificates`,
    );
  }
  const head = facts.readHead(path, PEM_PROBE_BYTES);
  if (head === null) {
    throw new LlmError(
      `${origin} ${path} cannot be read (permission denied?); make it readable ` +
        `(chmod a+r) or give another PEM file`,
    );
  }
  if (head.length === 0) {
    throw new LlmError(`${origin} ${path} is empty; give a PEM file of CA certificates`);
  }
  if (!new TextDecoder().decode(head).includes(PEM_BEGIN)) {
    throw new LlmError(
      `${origin} ${path} holds no PEM certificate (no '${PEM_BEGIN}' line); export your CA ` +
        `certificates in PEM format`,
    );
  }
}
