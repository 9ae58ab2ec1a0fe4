/**
 * Facts about the inside of the agent image: the one place that knows the
 * container user and its home.
 */

/** The image's unprivileged user. */
export const CONTAINER_USER = "devuser";
/** uid and gid of `devuser`, owner of its home in the image. */
export const CONTAINER_UID = 1000;
export const CONTAINER_GID = 1000;
/** Home directory of `devuser` inside the image. */
export const CONTAINER_HOME = "/home/devuser";
/** The default image, tagged per agent. */
export const DEFAULT_IMAGE = "ghcr.io/nichd-bspc/llm";
/** Where `--certs` appears inside the container. */
export const CERTS_TARGET = "/tmp/llm-devcontainer-cert.pem";
/** PATH after the launcher's own prepends. */
export const BASE_PATH = [
  `${CONTAINER_HOME}/.local/bin`,
  "/usr/local/sbin",
  "/usr/local/bin",
  "/usr/sbin",
  "/usr/bin",
  "/sbin",
  "/bin",
] as const;
/** Variables pointed at `--certs` so every common TLS stack trusts it. */
export const CERT_VARIABLES = [
  "SSL_CERT_FILE",
  "GIT_SSL_CAINFO",
  "AWS_CA_BUNDLE",
  "REQUESTS_CA_BUNDLE",
  "NODE_EXTRA_CA_CERTS",
  "CURL_CA_BUNDLE",
] as const;
