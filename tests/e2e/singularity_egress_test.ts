/**
 * `--network allow` and `none` under Singularity/Apptainer, against a
 * recorded fake runtime on PATH (neither can be installed here). The fake
 * checks what a real one would rely on: the socket's directory is bound, the
 * proxy is listening on its socket while the container runs (the fake sends
 * one request through it, to a test server on 127.0.0.1 named through the
 * test-only resolver), and the proxy variables reach the container. After
 * the launch, nothing of the proxy is left.
 */
import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import { join } from "../../lib/std/path.ts";
import { addFake, fakeArgv, fakeLog, makeFakeArea, runFakeLlm } from "./_fake_backend.ts";

/** A fake apptainer that logs argv and uses the bound proxy socket as the container would. */
const FAKE_APPTAINER = `#!/bin/sh
log="$FAKE_LOG"
for a in "$@"; do printf 'argv %s\\n' "$a" >> "$log"; done
printf 'env-https-proxy %s\\n' "$APPTAINERENV_HTTPS_PROXY" >> "$log"
printf 'env-node %s\\n' "$APPTAINERENV_NODE_USE_ENV_PROXY" >> "$log"
printf 'host-proxy %s\\n' "\${https_proxy:-unset}" >> "$log"
prev=""
for a in "$@"; do
  if [ "$prev" = "--bind" ]; then
    case "$a" in
      *:/run/llm-egress)
        sock="\${a%%:*}/proxy.sock"
        if [ -S "$sock" ]; then echo socket-listening >> "$log"; else echo socket-missing >> "$log"; fi
        /usr/bin/python3 - "$sock" "$FAKE_URL" >> "$log" 2>&1 <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
host = sys.argv[2].split("/")[2]
s.sendall(("GET %s HTTP/1.1\\r\\nHost: %s\\r\\n\\r\\n" % (sys.argv[2], host)).encode())
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
print("reply " + data.decode().splitlines()[0] + " " + data.decode().split("\\r\\n\\r\\n", 1)[1].strip())
EOF
        ;;
    esac
  fi
  prev="$a"
done
exit 0
`;

async function entries(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names;
}

Deno.test("apptainer --network allow: no network, the proxy's socket bound and serving, gone afterwards", async () => {
  const area = await makeFakeArea();
  const hits: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    hits.push(new URL(req.url).pathname);
    return new Response("allowed-ok");
  });
  try {
    await addFake(area, "apptainer", FAKE_APPTAINER);
    await Deno.writeTextFile(join(area.workspace, "image.sif"), "SIF");
    const port = server.addr.port;
    for (
      const [host, expect] of [["allowed.test", "reply HTTP/1.1 200 OK allowed-ok"], [
        "denied.test",
        "reply HTTP/1.1 403 Forbidden",
      ]] as const
    ) {
      const r = await runFakeLlm(area, [
        "--backend",
        "apptainer",
        "--sif-path",
        "image.sif",
        "--network",
        "allow",
        "--allow-host",
        `allowed.test:${port}`,
        "codex",
      ], {
        env: {
          FAKE_URL: `http://${host}:${port}/x`,
          LLM_TEST_ONLY_EGRESS_RESOLVE: "allowed.test=127.0.0.1,denied.test=127.0.0.1",
          https_proxy: "http://site-proxy.invalid:3128",
        },
      });
      assertEquals(r.code, 0, r.stderr);
      const log = await fakeLog(area);
      assert(log.includes("socket-listening"), log.join("\n"));
      assert(log.some((l) => l.startsWith(expect)), log.join("\n"));
      assert(log.includes("env-https-proxy http://127.0.0.1:3128"), log.join("\n"));
      assert(log.includes("env-node 1"), log.join("\n"));
      assert(log.includes("host-proxy unset"), log.join("\n"));
      const argv = await fakeArgv(area);
      const net = argv.indexOf("--net");
      assertEquals(argv.slice(net, net + 4), ["--net", "--network", "none", "--bind"]);
      assert(argv[net + 4].endsWith("/egress:/run/llm-egress"), argv[net + 4]);
      assertEquals(argv.slice(net + 6, net + 8), ["/bin/sh", "-c"]);
      assertEquals(argv.slice(-3), ["codex", "--sandbox", "danger-full-access"]);
      if (host === "denied.test") {
        assertStringIncludes(r.stderr, `llm: blocked 1 connection: denied.test:${port} (1)`);
      }
      assertEquals(await entries(area.tmp), [], "the scratch directory or socket was left");
      await Deno.remove(area.log);
    }
    assertEquals(hits, ["/x"]);
  } finally {
    await server.shutdown();
    await area.cleanup();
  }
});

Deno.test("apptainer --network none: --net --network none and no socket", async () => {
  const area = await makeFakeArea();
  try {
    await addFake(area, "apptainer", FAKE_APPTAINER);
    await Deno.writeTextFile(join(area.workspace, "image.sif"), "SIF");
    const r = await runFakeLlm(area, [
      "--backend",
      "apptainer",
      "--sif-path",
      "image.sif",
      "--network",
      "none",
      "shell",
      "--",
      "true",
    ]);
    assertEquals(r.code, 0, r.stderr);
    const argv = await fakeArgv(area);
    assertEquals(argv.slice(-7), [
      "--net",
      "--network",
      "none",
      join(area.workspace, "image.sif"),
      "/bin/bash",
      "-c",
      "true",
    ]);
    assert(!argv.some((a) => a.includes("llm-egress")), argv.join(" "));
  } finally {
    await area.cleanup();
  }
});
