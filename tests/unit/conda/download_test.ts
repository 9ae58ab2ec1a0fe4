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

/**
 * A test CA and a server certificate for 127.0.0.1 signed by it, made with
 * openssl; null when openssl is absent.
 */
async function testCertificates(
  dir: string,
): Promise<{ ca: string; cert: string; key: string } | null> {
  const p = (name: string) => join(dir, name);
  await Deno.writeTextFile(p("ext"), "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n");
  const commands = [
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=llm test CA"]
      .concat(["-keyout", p("ca.key"), "-out", p("ca.pem")]),
    ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1"]
      .concat(["-keyout", p("key.pem"), "-out", p("leaf.csr")]),
    ["x509", "-req", "-in", p("leaf.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key")]
      .concat(["-CAcreateserial", "-days", "1", "-extfile", p("ext"), "-out", p("cert.pem")]),
  ];
  for (const args of commands) {
    try {
      const out = await new Deno.Command("openssl", { args, stdout: "null", stderr: "null" })
        .output();
      if (!out.success) return null;
    } catch {
      return null;
    }
  }
  const read = (name: string) => Deno.readTextFile(p(name));
  return { ca: await read("ca.pem"), cert: await read("cert.pem"), key: await read("key.pem") };
}

Deno.test("realDownloader({ caCerts }) trusts an extra CA, as behind a re-signing proxy", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const tls = await testCertificates(dir);
    if (!tls) {
      console.log("skipping: openssl is not installed to make a test certificate");
      return;
    }
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, cert: tls.cert, key: tls.key, onListen() {} },
      () => new Response("trusted"),
    );
    try {
      const url = `https://127.0.0.1:${server.addr.port}/f`;
      await assertRejects(() => realDownloader().fetchText(url), LlmError, "could not download");
      assertEquals(await realDownloader({ caCerts: [tls.ca] }).fetchText(url), "trusted");
    } finally {
      await server.shutdown();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
