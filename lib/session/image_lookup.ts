/**
 * A session's image facts without starting a runtime process: podman's
 * store files, or the Docker Engine API on its socket (lib/session/
 * image_store.ts reads their answers). Null when neither serves (podman on
 * a remote machine, a docker context on TCP, an unexpected store layout):
 * then the session asks `<runtime> image inspect` instead.
 */
import type { System } from "../system/system.ts";
import type { ImageFacts } from "./image_facts.ts";
import {
  containerImage,
  dockerConfigFile,
  dockerSocket,
  engineContainerImage,
  engineImageFacts,
  graphRoots,
  parseStorageConf,
  storageConfFiles,
  storageDrivers,
  storeFiles,
  storeImageFacts,
} from "./image_store.ts";

/** Facts of the image container `containerId` runs, read without a runtime process. */
export function imageFactsWithoutProcess(
  system: System,
  runtime: string,
  containerId: string,
): Promise<ImageFacts | null> {
  if (runtime === "podman") return Promise.resolve(podmanStoreFacts(system, containerId));
  if (runtime === "docker") return engineFacts(system, containerId);
  return Promise.resolve(null);
}

function read(system: System, path: string): string | null {
  try {
    return system.readText(path);
  } catch {
    return null;
  }
}

/** From the store that holds the container: a store without it is some other one. */
function podmanStoreFacts(system: System, containerId: string): ImageFacts | null {
  const confFile = storageConfFiles(system).find((f) => system.stat(f) === "file") ?? null;
  const conf = confFile === null ? {} : parseStorageConf(read(system, confFile) ?? "");
  for (const root of graphRoots(system, conf)) {
    for (const driver of storageDrivers(conf)) {
      const files = storeFiles(root, driver);
      const imageId = imageOf(system, files.containers, containerId);
      if (imageId === null) continue;
      const images = read(system, files.images);
      return images === null
        ? null
        : storeImageFacts(images, imageId, read(system, files.config(imageId)));
    }
  }
  return null;
}

/** The image of `containerId` in the first of the container lists that holds it. */
function imageOf(system: System, lists: readonly string[], containerId: string): string | null {
  for (const list of lists) {
    const text = read(system, list);
    const image = text === null ? null : containerImage(text, containerId);
    if (image !== null) return image;
  }
  return null;
}

async function engineFacts(system: System, containerId: string): Promise<ImageFacts | null> {
  const socket = dockerSocket(
    system.env,
    read(system, dockerConfigFile(system.env, system.home)),
  );
  if (socket === null || system.stat(socket) === null) return null;
  const container = await system.unixHttpGet(socket, `/containers/${containerId}/json`);
  const imageId = container?.status === 200 ? engineContainerImage(container.body) : null;
  if (imageId === null) return null;
  const image = await system.unixHttpGet(socket, `/images/${imageId}/json`);
  return image?.status === 200 ? engineImageFacts(image.body) : null;
}
