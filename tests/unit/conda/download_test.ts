/**
 * The real downloader against a server on 127.0.0.1 started by each test.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "../../_assert.ts";
import { LlmError } from "../../../lib/errors.ts";
import { join } from "../../../lib/std/path.ts";
import { type DownloadProgress, realDownloader } from "../../../lib/system/download.ts";
import { sha256 } from "./_fake_downloader.ts";

async function withServer(
  handler: (req: Request) => Response,
  fn: (base: string, dir: string) => Promise<void>,
): Promise<void> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
  const dir = await Deno.makeTempDir({ prefix: "llm-download-test-" });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, dir);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}

async function entries(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

const BODY = "x".repeat(100_000);

Deno.test("downloadFile() writes the body, reports progress and hands the hash to verify", async () => {
  await withServer(() => new Response(BODY), async (base, dir) => {
    const progress: DownloadProgress[] = [];
    let hash = "";
    await realDownloader().downloadFile(`${base}/i.sh`, join(dir, "i.sh"), {
      onProgress: (p) => progress.push(p),
      verify: (h) => (hash = h),
    });
    assertEquals(await Deno.readTextFile(join(dir, "i.sh")), BODY);
    assertEquals(hash, await sha256(BODY));
    assertEquals(progress[0], { received: 0, total: BODY.length });
    assertEquals(progress.at(-1), { received: BODY.length, total: BODY.length });
    assertEquals(await entries(dir), ["i.sh"]);
  });
});

Deno.test("downloadFile() keeps nothing when verify rejects the hash", async () => {
  await withServer(() => new Response(BODY), async (base, dir) => {
    await assertRejects(
      () =>
        realDownloader().downloadFile(`${base}/i.sh`, join(dir, "i.sh"), {
          verify: () => {
            throw new LlmError("bad hash");
          },
        }),
      LlmError,
      "bad hash",
    );
    assertEquals(await entries(dir), []);
  });
});

Deno.test("downloadFile() leaves an existing file alone when the download fails", async () => {
  await withServer(() => new Response("gone", { status: 404 }), async (base, dir) => {
    await Deno.writeTextFile(join(dir, "i.sh"), "old");
    await assertRejects(
      () => realDownloader().downloadFile(`${base}/i.sh`, join(dir, "i.sh")),
      LlmError,
      `could not download ${base}/i.sh: the server answered HTTP 404 Not Found`,
    );
    assertEquals(await Deno.readTextFile(join(dir, "i.sh")), "old");
    assertEquals(await entries(dir), ["i.sh"]);
  });
});

Deno.test("downloadFile() reports a body shorter than its Content-Length and keeps nothing", async () => {
  const handler = () =>
    new Response(
      new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode("partial"));
          setTimeout(() => c.error(new Error("gone")), 20);
        },
      }),
      { headers: { "content-length": "1000" } },
    );
  await withServer(handler, async (base, dir) => {
    const e = await assertRejects(
      () => realDownloader().downloadFile(`${base}/i.sh`, join(dir, "i.sh")),
      LlmError,
    );
    assertStringIncludes(e.message, `download of ${base}/i.sh broke off after 7 of 1000 bytes`);
    assertStringIncludes(e.message, "try again");
    assertEquals(await entries(dir), []);
  });
});

Deno.test("fetchText() returns the body", async () => {
  await withServer(() => new Response("abc  f\n"), async (base) => {
    assertEquals(await realDownloader().fetchText(`${base}/f.sha256`), "abc  f\n");
  });
});

Deno.test("fetchText() names the URL and the status on an HTTP error", async () => {
  await withServer(() => new Response("no", { status: 500 }), async (base) => {
    await assertRejects(
      () => realDownloader().fetchText(`${base}/f.sha256`),
      LlmError,
      `could not download ${base}/f.sha256: the server answered HTTP 500`,
    );
  });
});

Deno.test("fetchText() says the connection was refused", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const e = await assertRejects(
    () => realDownloader().fetchText(`http://127.0.0.1:${port}/f`),
    LlmError,
  );
  assertStringIncludes(e.message, `could not download http://127.0.0.1:${port}/f: `);
  assertStringIncludes(e.message, "Connection refused");
});

Deno.test("sha256File() hashes a file and gives null for a missing one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "f"), BODY);
    assertEquals(await realDownloader().sha256File(join(dir, "f")), await sha256(BODY));
    assertEquals(await realDownloader().sha256File(join(dir, "missing")), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
