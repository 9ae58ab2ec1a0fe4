/**
 * Podman store files and Engine API answers for session image tests,
 * recorded on the CI machine (podman 4.3, containers/storage 1.44) and cut
 * to the fields that matter.
 */

export const IMAGE_ID = "25415d6fa236feda2807770e7ac106122d621c13645c1de9ed547aba99fd0032";
export const MANIFEST_DIGEST =
  "sha256:fd5924159132691262e9add7227fe3d4ce7cb5f7d7447362be02ba9984c7d18a";
export const CONTAINER_ID = "49e3220097e926308d9f87111f1b38a37b3c6cc1827a0b127e121c8902b215a8";
export const CONTAINERS_JSON = JSON.stringify([{
  id: CONTAINER_ID,
  names: ["fixture-x"],
  image: IMAGE_ID,
  layer: "78c377f316b4a3af13b9ce6afcff50974c880b59cdb3c3c61246157eb691b321",
  metadata:
    `{"image-name":"localhost/llm-agents:test","image-id":"${IMAGE_ID}","name":"fixture-x","created-at":1796548312}`,
  created: "2026-12-06T09:11:52.935811513Z",
  flags: { MountLabel: "", ProcessLabel: "", Volatile: true },
}]);
export const IMAGES_JSON = JSON.stringify([
  {
    id: "0f00000000000000000000000000000000000000000000000000000000000000",
    digest: "sha256:1111111111111111111111111111111111111111111111111111111111111111",
    names: ["docker.io/library/debian:bookworm"],
  },
  {
    id: IMAGE_ID,
    digest: MANIFEST_DIGEST,
    names: ["localhost/llm-agents:test"],
    "names-history": ["localhost/llm-agents:test"],
    layer: "0f3318771cb7cecac3cf93c7387233fa2b12bee882c6c845e55d0d463ab2d59f",
    "big-data-names": [`sha256:${IMAGE_ID}`, `manifest-${MANIFEST_DIGEST}`, "manifest"],
  },
]);
export const CONFIG_JSON = JSON.stringify({
  architecture: "amd64",
  config: {
    Env: ["PATH=/usr/local/bin:/usr/bin:/bin"],
    Labels: {
      "io.github.nichd-bspc.llm.claude-version": "2.1.332",
      "io.github.nichd-bspc.llm.codex-version": "0.171.0",
      "io.github.nichd-bspc.llm.pi-version": "1.6.0",
    },
  },
  os: "linux",
});
