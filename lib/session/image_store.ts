/**
 * A session's image facts read where the runtime keeps them, so recording
 * them costs the launch no runtime process: podman's image store on disk
 * (containers/storage's JSON files) and the Docker Engine API on its
 * socket. Pure: the callers read the files and the socket.
 *
 * The store is found by the container itself: a store that holds the
 * session's container id is the one the runtime used, and the container's
 * entry names the exact image it runs, whatever tag the reference had.
 * Anything unexpected gives null, and the caller asks the runtime instead.
 */
import { type ImageFacts, parseJson, record, strings, stringValues } from "./image_facts.ts";

/** The keys of a storage.conf's `[storage]` table that locate the store. */
export interface StorageConf {
  readonly driver?: string;
  readonly graphroot?: string;
  readonly rootlessStoragePath?: string;
}

/**
 * The `[storage]` table's `driver`, `graphroot` and `rootless_storage_path`
 * of a storage.conf (TOML): only basic strings on one line, which is how
 * every distribution writes them; anything else is not read.
 *
 * @example
 * ```ts
 * import { parseStorageConf } from "./image_store.ts";
 * parseStorageConf('[storage]\ndriver = "overlay"\ngraphroot = "/srv/c"\n');
 * // { driver: "overlay", graphroot: "/srv/c" }
 * ```
 */
export function parseStorageConf(text: string): StorageConf {
  const found: Record<string, string> = {};
  let table = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const header = /^\[([^\]]*)\]/.exec(line);
    if (header) {
      table = header[1].trim();
      continue;
    }
    if (table !== "storage") continue;
    const m = /^([a-z_]+)\s*=\s*(?:"([^"\\]*)"|'([^']*)')\s*(#.*)?$/.exec(line);
    if (m) found[m[1]] = m[2] ?? m[3];
  }
  const conf: { -readonly [K in keyof StorageConf]: string } = {};
  if (found.driver) conf.driver = found.driver;
  if (found.graphroot) conf.graphroot = found.graphroot;
  if (found.rootless_storage_path) conf.rootlessStoragePath = found.rootless_storage_path;
  return conf;
}

/** Who runs podman, for the store's default places. */
export interface StoreUser {
  readonly env: Readonly<Record<string, string>>;
  readonly home: string;
  readonly uid: number;
}

/**
 * The storage.conf files podman reads, in order of precedence (the first
 * that exists counts): `CONTAINERS_STORAGE_CONF` alone when set; else the
 * user's own for rootless podman, then the system's.
 */
export function storageConfFiles(user: StoreUser): string[] {
  const named = user.env.CONTAINERS_STORAGE_CONF;
  if (named) return [named];
  const system = ["/etc/containers/storage.conf", "/usr/share/containers/storage.conf"];
  if (user.uid === 0) return system;
  const config = user.env.XDG_CONFIG_HOME || `${user.home}/.config`;
  return [`${config}/containers/storage.conf`, ...system];
}

/**
 * The graph roots to look in, most likely first: rootful podman's
 * `graphroot`; rootless podman's `rootless_storage_path` (with $HOME, $UID
 * and $USER expanded), then a `graphroot` (which a user's own storage.conf
 * sets); then the default. A root that is not the runtime's holds no
 * session container, so one too many costs a file read, never a wrong id.
 */
export function graphRoots(user: StoreUser, conf: StorageConf): string[] {
  const roots: string[] = [];
  if (user.uid === 0) {
    if (conf.graphroot) roots.push(conf.graphroot);
    roots.push("/var/lib/containers/storage");
  } else {
    if (conf.rootlessStoragePath) {
      roots.push(
        conf.rootlessStoragePath
          .replaceAll("$HOME", user.home)
          .replaceAll("$UID", String(user.uid))
          .replaceAll("$USER", user.env.USER ?? ""),
      );
    }
    if (conf.graphroot) roots.push(conf.graphroot);
    roots.push(`${user.env.XDG_DATA_HOME || `${user.home}/.local/share`}/containers/storage`);
  }
  return [...new Set(roots.filter((r) => r.startsWith("/")))];
}

/** The drivers whose files to look for: the configured one, else the usual ones. */
export function storageDrivers(conf: StorageConf): string[] {
  return conf.driver ? [conf.driver] : ["overlay", "vfs", "btrfs", "zfs"];
}

/** The files of one store that name a container's image and describe images. */
export interface StoreFiles {
  /** Podman keeps `--rm` containers in the volatile list (containers/storage >= 1.45). */
  readonly containers: readonly string[];
  readonly images: string;
  /** The image's config blob (its labels): a big-data item named by the image id. */
  readonly config: (imageId: string) => string;
}

/** The store's files of one graph root and driver. */
export function storeFiles(root: string, driver: string): StoreFiles {
  return {
    containers: [
      `${root}/${driver}-containers/volatile-containers.json`,
      `${root}/${driver}-containers/containers.json`,
    ],
    images: `${root}/${driver}-images/images.json`,
    config: (imageId: string) =>
      `${root}/${driver}-images/${imageId}/=${btoa(`sha256:${imageId}`)}`,
  };
}

const HEX_ID = /^[0-9a-f]{64}$/;

/**
 * The image id of container `containerId` in a store's containers.json, or
 * null when that store does not hold it.
 */
export function containerImage(containersJson: string, containerId: string): string | null {
  const list = parseJson(containersJson);
  if (!Array.isArray(list)) return null;
  for (const entry of list) {
    const c = record(entry);
    if (c?.id !== containerId) continue;
    return typeof c.image === "string" && HEX_ID.test(c.image) ? c.image : null;
  }
  return null;
}

/**
 * The image's registry digests as podman reports them: each of its names
 * without tag or digest, with each of its manifest digests.
 */
function repoDigests(names: readonly string[], digests: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of names) {
    const at = name.indexOf("@");
    let repo = at >= 0 ? name.slice(0, at) : name;
    const colon = repo.lastIndexOf(":");
    if (colon > repo.lastIndexOf("/")) repo = repo.slice(0, colon);
    for (const d of digests) out.push(`${repo}@${d}`);
  }
  return [...new Set(out)];
}

/**
 * An image's facts from a store's images.json and the image's config blob
 * (null when that is unreadable: then the labels are unknown), or null when
 * the store has no image `imageId`.
 */
export function storeImageFacts(
  imagesJson: string,
  imageId: string,
  configJson: string | null,
): ImageFacts | null {
  const list = parseJson(imagesJson);
  if (!Array.isArray(list)) return null;
  const image = list.map(record).find((i) => i?.id === imageId);
  if (!image) return null;
  const digests = [
    ...new Set([
      ...(typeof image.digest === "string" ? [image.digest] : []),
      ...strings(image.digests),
    ]),
  ].filter((d) => /^sha256:[0-9a-f]{64}$/.test(d));
  const config = configJson === null ? null : record(parseJson(configJson));
  return {
    id: `sha256:${imageId}`,
    repoDigests: repoDigests(strings(image.names), digests),
    labels: stringValues(record(record(config?.config)?.Labels)),
  };
}

/**
 * The Docker Engine's socket for this environment, or null when it is not
 * a local socket llm can name with certainty (a TCP or SSH `DOCKER_HOST`,
 * or a docker context other than the default).
 *
 * @example
 * ```ts
 * import { dockerSocket } from "./image_store.ts";
 * dockerSocket({ DOCKER_HOST: "unix:///run/user/1000/docker.sock" }, null); // "/run/user/1000/docker.sock"
 * dockerSocket({}, null); // "/var/run/docker.sock"
 * dockerSocket({ DOCKER_HOST: "tcp://10.0.0.2:2376" }, null); // null
 * ```
 */
export function dockerSocket(
  env: Readonly<Record<string, string>>,
  dockerConfigJson: string | null,
): string | null {
  const host = env.DOCKER_HOST;
  if (host) return host.startsWith("unix:///") ? host.slice("unix://".length) : null;
  if (env.DOCKER_CONTEXT && env.DOCKER_CONTEXT !== "default") return null;
  if (dockerConfigJson !== null) {
    const context = record(parseJson(dockerConfigJson))?.currentContext;
    if (typeof context === "string" && context !== "" && context !== "default") return null;
  }
  return "/var/run/docker.sock";
}

/** The docker client's config file, which may name a context. */
export function dockerConfigFile(env: Readonly<Record<string, string>>, home: string): string {
  return `${env.DOCKER_CONFIG || `${home}/.docker`}/config.json`;
}

/** The image id of an Engine API container inspect answer (`GET /containers/ID/json`). */
export function engineContainerImage(body: string): string | null {
  const image = record(parseJson(body))?.Image;
  return typeof image === "string" && /^sha256:[0-9a-f]{64}$/.test(image) ? image : null;
}

/** The facts of an Engine API image inspect answer (`GET /images/ID/json`). */
export function engineImageFacts(body: string): ImageFacts | null {
  const image = record(parseJson(body));
  const id = image?.Id;
  if (typeof id !== "string" || !/^sha256:[0-9a-f]{64}$/.test(id)) return null;
  return {
    id,
    repoDigests: strings(image?.RepoDigests),
    labels: stringValues(record(record(image?.Config)?.Labels)),
  };
}
