/**
 * The pure parts of the real-agent test image's set-up (tasks/agent_image.ts,
 * tasks/_agent_rootfs.ts): the runtime configuration taken from the
 * production Dockerfile, the mirror taken from apt's sources, the cache key.
 */
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { importChanges, KEY_LABEL } from "../../tasks/agent_image.ts";
import { buildKey, mirrorIn } from "../../tasks/_agent_rootfs.ts";

const DOCKERFILE = Deno.readTextFileSync(new URL("../../Dockerfile", import.meta.url));

Deno.test("importChanges() gives the test image the Dockerfile's ENV, USER, WORKDIR and CMD", () => {
  const changes = importChanges(DOCKERFILE, "abc123");
  assert(changes.includes("ENV HOME=/home/devuser"), changes.join("\n"));
  assert(changes.includes("ENV LANG=C.UTF-8"));
  assert(changes.some((c) => c.startsWith("ENV PATH=/home/devuser/.local/bin:")));
  assert(changes.includes("USER devuser"));
  assert(changes.includes("WORKDIR /workspace"));
  assert(changes.includes('CMD ["/bin/bash"]'));
  assertEquals(changes.at(-1), `LABEL ${KEY_LABEL}=abc123`);
});

Deno.test("importChanges() joins continued lines and keeps only the last USER", () => {
  const text = 'FROM x\nUSER root\n# ENV NOT=this\nENV A=1 \\\n    B="two words"\nUSER devuser\n';
  assertEquals(importChanges(text, "k"), [
    "ENV A=1",
    'ENV B="two words"',
    "USER devuser",
    `LABEL ${KEY_LABEL}=k`,
  ]);
});

Deno.test("mirrorIn() reads the suite's URI from deb822 sources, skipping other suites", () => {
  const sources = {
    name: "debian.sources",
    text: "Types: deb\nURIs: http://sec.example/debian-security\nSuites: bookworm-security\n\n" +
      "Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\n" +
      "Components: main\n",
  };
  assertEquals(mirrorIn([sources], "bookworm"), "http://mirror.example/debian");
});

Deno.test("mirrorIn() reads one-line .list files, options included, and says null when absent", () => {
  const list = {
    name: "sources.list",
    text:
      "# deb http://old/ bookworm main\ndeb [arch=amd64] http://m.example/debian bookworm main\n",
  };
  assertEquals(mirrorIn([list], "bookworm"), "http://m.example/debian");
  assertEquals(mirrorIn([list], "trixie"), null);
  assertEquals(mirrorIn([{ name: "x.disabled", text: list.text }], "bookworm"), null);
});

Deno.test("buildKey() is a stable short digest of the pins and build scripts", async () => {
  const key = await buildKey();
  assertMatch(key, /^[0-9a-f]{16}$/);
  assertEquals(await buildKey(), key);
});
