import { assertEquals } from "../../_assert.ts";
import {
  containerImage,
  dockerSocket,
  engineContainerImage,
  engineImageFacts,
  graphRoots,
  parseStorageConf,
  storageConfFiles,
  storageDrivers,
  storeFiles,
  storeImageFacts,
} from "../../../lib/session/image_store.ts";
import {
  CONFIG_JSON,
  CONTAINER_ID,
  CONTAINERS_JSON,
  IMAGE_ID,
  IMAGES_JSON,
  MANIFEST_DIGEST,
} from "./_store_fixtures.ts";

Deno.test("parseStorageConf() reads the three keys of the [storage] table only", () => {
  assertEquals(
    parseStorageConf(
      [
        "# a comment",
        "[storage]",
        'driver = "overlay"',
        "runroot = '/run/containers/storage'",
        'graphroot = "/srv/containers"  # moved',
        'rootless_storage_path = "$HOME/.local/share/containers/storage-x"',
        "[storage.options]",
        'graphroot = "/not/this"',
        'mount_program = "/usr/bin/fuse-overlayfs"',
      ].join("\n"),
    ),
    {
      driver: "overlay",
      graphroot: "/srv/containers",
      rootlessStoragePath: "$HOME/.local/share/containers/storage-x",
    },
  );
  assertEquals(parseStorageConf('graphroot = "/outside/any/table"\n'), {});
  assertEquals(parseStorageConf('[storage]\ndriver = ""\n'), {});
});

Deno.test("storageConfFiles(): CONTAINERS_STORAGE_CONF alone; the user's own before the system's when rootless", () => {
  assertEquals(
    storageConfFiles({ env: { CONTAINERS_STORAGE_CONF: "/x.conf" }, home: "/h", uid: 1000 }),
    ["/x.conf"],
  );
  assertEquals(storageConfFiles({ env: {}, home: "/h", uid: 1000 }), [
    "/h/.config/containers/storage.conf",
    "/etc/containers/storage.conf",
    "/usr/share/containers/storage.conf",
  ]);
  assertEquals(storageConfFiles({ env: { XDG_CONFIG_HOME: "/cfg" }, home: "/h", uid: 0 }), [
    "/etc/containers/storage.conf",
    "/usr/share/containers/storage.conf",
  ]);
});

Deno.test("graphRoots(): rootful takes graphroot; rootless its own path first, then graphroot, then the default", () => {
  assertEquals(graphRoots({ env: {}, home: "/root", uid: 0 }, { graphroot: "/srv/c" }), [
    "/srv/c",
    "/var/lib/containers/storage",
  ]);
  const user = { env: { USER: "me", XDG_DATA_HOME: "/d" }, home: "/home/me", uid: 1000 };
  assertEquals(
    graphRoots(user, { graphroot: "/var/lib/x", rootlessStoragePath: "$HOME/s/$UID/$USER" }),
    ["/home/me/s/1000/me", "/var/lib/x", "/d/containers/storage"],
  );
  assertEquals(graphRoots({ env: {}, home: "/h", uid: 5 }, {}), [
    "/h/.local/share/containers/storage",
  ]);
  // A relative path is not a place to look.
  assertEquals(graphRoots({ env: {}, home: "/h", uid: 0 }, { graphroot: "rel" }), [
    "/var/lib/containers/storage",
  ]);
});

Deno.test("storageDrivers() and storeFiles() name podman's files", () => {
  assertEquals(storageDrivers({ driver: "vfs" }), ["vfs"]);
  assertEquals(storageDrivers({}), ["overlay", "vfs", "btrfs", "zfs"]);
  const files = storeFiles("/var/lib/containers/storage", "overlay");
  assertEquals(files.containers, [
    "/var/lib/containers/storage/overlay-containers/volatile-containers.json",
    "/var/lib/containers/storage/overlay-containers/containers.json",
  ]);
  assertEquals(files.images, "/var/lib/containers/storage/overlay-images/images.json");
  // The name containers/storage gives the config blob (as listed on the CI machine).
  assertEquals(
    files.config(IMAGE_ID),
    `/var/lib/containers/storage/overlay-images/${IMAGE_ID}/=c2hhMjU2OjI1NDE1ZDZmYTIzNmZlZGEyODA3NzcwZTdhYzEwNjEyMmQ2MjFjMTM2NDVjMWRlOWVkNTQ3YWJhOTlmZDAwMzI=`,
  );
});

Deno.test("containerImage() finds the container's image id, or null", () => {
  assertEquals(containerImage(CONTAINERS_JSON, CONTAINER_ID), IMAGE_ID);
  assertEquals(containerImage(CONTAINERS_JSON, "0".repeat(64)), null);
  assertEquals(containerImage("not json", CONTAINER_ID), null);
  assertEquals(containerImage('{"id":"x"}', CONTAINER_ID), null);
  assertEquals(
    containerImage(JSON.stringify([{ id: CONTAINER_ID, image: "../x" }]), CONTAINER_ID),
    null,
  );
});

Deno.test("storeImageFacts() gives the id, podman's RepoDigests and the labels", () => {
  assertEquals(storeImageFacts(IMAGES_JSON, IMAGE_ID, CONFIG_JSON), {
    id: `sha256:${IMAGE_ID}`,
    // What `podman image inspect --format '{{json .RepoDigests}}'` printed for it.
    repoDigests: [`localhost/llm-agents@${MANIFEST_DIGEST}`],
    labels: {
      "io.github.nichd-bspc.llm.claude-version": "2.1.332",
      "io.github.nichd-bspc.llm.codex-version": "0.171.0",
      "io.github.nichd-bspc.llm.pi-version": "1.6.0",
    },
  });
  // No config blob: no labels, the rest stands.
  assertEquals(storeImageFacts(IMAGES_JSON, IMAGE_ID, null)?.labels, {});
  assertEquals(storeImageFacts(IMAGES_JSON, "f".repeat(64), CONFIG_JSON), null);
  assertEquals(storeImageFacts("[", IMAGE_ID, CONFIG_JSON), null);
});

Deno.test("storeImageFacts(): names with a port or a digest, and several manifest digests", () => {
  const d2 = `sha256:${"2".repeat(64)}`;
  const images = JSON.stringify([{
    id: IMAGE_ID,
    digest: MANIFEST_DIGEST,
    digests: [MANIFEST_DIGEST, d2, "md5:nope"],
    names: ["registry:5000/team/llm:1.2", `ghcr.io/x/llm@${d2}`],
  }]);
  assertEquals(storeImageFacts(images, IMAGE_ID, null)?.repoDigests, [
    `registry:5000/team/llm@${MANIFEST_DIGEST}`,
    `registry:5000/team/llm@${d2}`,
    `ghcr.io/x/llm@${MANIFEST_DIGEST}`,
    `ghcr.io/x/llm@${d2}`,
  ]);
});

Deno.test("dockerSocket(): a unix DOCKER_HOST, else the default, unless a context or TCP says otherwise", () => {
  assertEquals(dockerSocket({ DOCKER_HOST: "unix:///run/d.sock" }, null), "/run/d.sock");
  assertEquals(dockerSocket({ DOCKER_HOST: "tcp://10.0.0.2:2376" }, null), null);
  assertEquals(dockerSocket({ DOCKER_HOST: "ssh://me@box" }, null), null);
  assertEquals(dockerSocket({}, null), "/var/run/docker.sock");
  assertEquals(dockerSocket({ DOCKER_CONTEXT: "remote" }, null), null);
  assertEquals(dockerSocket({ DOCKER_CONTEXT: "default" }, null), "/var/run/docker.sock");
  assertEquals(dockerSocket({}, '{"currentContext":"colima"}'), null);
  assertEquals(dockerSocket({}, '{"auths":{}}'), "/var/run/docker.sock");
  assertEquals(dockerSocket({}, "{broken"), "/var/run/docker.sock");
});

Deno.test("engineContainerImage() and engineImageFacts() read the Engine API's answers", () => {
  const id = `sha256:${IMAGE_ID}`;
  assertEquals(engineContainerImage(JSON.stringify({ Id: CONTAINER_ID, Image: id })), id);
  assertEquals(engineContainerImage(JSON.stringify({ Image: "debian" })), null);
  assertEquals(engineContainerImage("<html>"), null);
  assertEquals(
    engineImageFacts(JSON.stringify({
      Id: id,
      RepoTags: ["llm:test"],
      RepoDigests: ["ghcr.io/x/llm@sha256:99"],
      Config: { Labels: { a: "b", n: 1 } },
    })),
    { id, repoDigests: ["ghcr.io/x/llm@sha256:99"], labels: { a: "b" } },
  );
  assertEquals(engineImageFacts(JSON.stringify({ Id: id, Config: { Labels: null } }))?.labels, {});
  assertEquals(engineImageFacts(JSON.stringify({ message: "No such image" })), null);
});
