/**
 * image/build-certs.sh, sourced by sh as the Dockerfile's RUN lines do, with
 * the secret and tmpfs paths pointed at a scratch directory.
 */
import { assertEquals, assertStringIncludes } from "../../_assert.ts";

const SCRIPT = new URL("../../../image/build-certs.sh", import.meta.url).pathname;
const VARIABLES = [
  "APT_CONFIG",
  "SSL_CERT_FILE",
  "CURL_CA_BUNDLE",
  "GIT_SSL_CAINFO",
  "AWS_CA_BUNDLE",
  "REQUESTS_CA_BUNDLE",
  "npm_config_cafile",
  "NODE_EXTRA_CA_CERTS",
];

async function sourced(secret: string): Promise<Record<string, string>> {
  const dir = await Deno.makeTempDir({ prefix: "llm-build-certs-" });
  try {
    const env: Record<string, string> = {
      PATH: "/usr/bin:/bin",
      LLM_BUILD_SECRET: secret === "" ? `${dir}/absent` : `${dir}/secret.pem`,
      LLM_BUILD_CA_DIR: `${dir}/ca`,
    };
    if (secret !== "") await Deno.writeTextFile(`${dir}/secret.pem`, secret);
    const show = VARIABLES.map((v) => `printf '%s=%s\\n' ${v} "\${${v}-}"`).join("; ");
    const out = await new Deno.Command("sh", {
      args: ["-c", `. "${SCRIPT}" && ${show} && cat "\${APT_CONFIG:-/dev/null}"`],
      env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    const result: Record<string, string> = {};
    for (const line of text.split("\n")) {
      const eq = line.indexOf("=");
      if (eq > 0 && VARIABLES.includes(line.slice(0, eq))) {
        result[line.slice(0, eq)] = line.slice(eq + 1).replaceAll(dir, "<dir>");
      } else if (line.startsWith("Acquire")) result.apt = line.replaceAll(dir, "<dir>");
    }
    if (secret !== "") {
      result.bundle = (await Deno.readTextFile(`${dir}/ca/ca.pem`)).slice(-secret.length);
    }
    return result;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("build-certs.sh without the secret sets nothing", async () => {
  const r = await sourced("");
  for (const v of VARIABLES) assertEquals(r[v], "", v);
});

Deno.test("build-certs.sh with the secret points apt, curl, npm and node at a bundle holding it", async () => {
  const pem = "-----BEGIN CERTIFICATE-----\nTESTCA\n-----END CERTIFICATE-----\n";
  const r = await sourced(pem);
  for (const v of VARIABLES.filter((v) => v !== "APT_CONFIG" && v !== "NODE_EXTRA_CA_CERTS")) {
    assertEquals(r[v], "<dir>/ca/ca.pem", v);
  }
  assertEquals(r.NODE_EXTRA_CA_CERTS, "<dir>/secret.pem");
  assertEquals(r.APT_CONFIG, "<dir>/ca/apt.conf");
  assertEquals(r.apt, 'Acquire::https::CAInfo "<dir>/ca/ca.pem";');
  assertStringIncludes(r.bundle, "TESTCA");
});
