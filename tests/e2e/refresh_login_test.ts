/**
 * `llm refresh` run for real against recorded fake `codex` and `aws`
 * executables on PATH (see _refresh_fixtures.ts): the login flows, the files
 * written on disk with their modes, and that errors leave files alone.
 * Needs no container runtime and no root.
 */
import { join } from "../../lib/std/path.ts";
import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import {
  awsCredentialsJson,
  loggedIn,
  makeWorld,
  modeOf,
  runRefresh,
} from "./_refresh_fixtures.ts";

Deno.test("refresh with both logins valid runs no login and writes 0600 files", async () => {
  const world = makeWorld();
  try {
    loggedIn(world);
    const r = await runRefresh(world, []);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(world.log(), [
      "codex login status",
      "aws configure export-credentials",
      "aws configure export-credentials --format process",
    ]);
    assertStringIncludes(r.stderr, "AWS: credentials expire at ");
    const creds = join(world.home, ".aws/credentials.json");
    assertEquals(JSON.parse(Deno.readTextFileSync(creds)).AccessKeyId, "ASIAFAKEKEY");
    assertStringIncludes(
      Deno.readTextFileSync(join(world.home, ".aws/config")),
      "[profile llm-export]\ncredential_process = sh -c 'cat ~/.aws/credentials.json'\n",
    );
    const pi = JSON.parse(Deno.readTextFileSync(join(world.home, ".pi/agent/auth.json")));
    assertEquals(pi["openai-codex"].expires, 1893456000000);
    assertEquals(pi["openai-codex"].accountId, "acct-1");
    for (const f of [".aws/credentials.json", ".aws/config", ".pi/agent/auth.json"]) {
      assertEquals(modeOf(join(world.home, f)).toString(8), "600", f);
    }
    for (const d of [".aws", ".pi", ".pi/agent"]) {
      assertEquals(modeOf(join(world.home, d)).toString(8), "700", d);
    }
    // The atomic writes leave no temporary files behind.
    assertEquals([...Deno.readDirSync(join(world.home, ".aws"))].map((e) => e.name).sort(), [
      "config",
      "credentials.json",
    ]);
  } finally {
    world.cleanup();
  }
});

Deno.test("refresh runs codex login when Codex is not logged in, then converts for Pi", async () => {
  const world = makeWorld();
  try {
    world.mark(
      "aws-credentials.json",
      Deno.readTextFileSync(join(world.state, "aws-after-login.json")),
    );
    const r = await runRefresh(world, ["--kind", "pi"]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(world.log().slice(0, 2), ["codex login status", "codex login"]);
    const pi = JSON.parse(Deno.readTextFileSync(join(world.home, ".pi/agent/auth.json")));
    assertEquals(pi["openai-codex"].refresh, "rt-1");
  } finally {
    world.cleanup();
  }
});

Deno.test("refresh fails clearly when codex login fails and writes nothing", async () => {
  const world = makeWorld();
  try {
    world.mark("codex-login-fails");
    const r = await runRefresh(world, []);
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, "llm: error: 'codex login' failed (exit 1): Error logging in");
    assertEquals([...Deno.readDirSync(world.home)], []);
  } finally {
    world.cleanup();
  }
});

Deno.test("refresh runs aws sso login when the credentials have expired", async () => {
  const world = makeWorld();
  try {
    world.mark("aws-credentials.json", awsCredentialsJson(new Date(Date.now() - 3600_000)));
    const r = await runRefresh(world, ["--kind", "claude"]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(world.log(), [
      "aws configure export-credentials",
      "aws sso login",
      "aws configure export-credentials",
      "aws configure export-credentials --format process",
    ]);
    assertStringIncludes(r.stderr, "AWS: credentials expired; running 'aws sso login'");
    assert(Deno.statSync(join(world.home, ".aws/credentials.json")).isFile);
  } finally {
    world.cleanup();
  }
});

Deno.test("refresh suggests aws configure sso when the SSO login fails", async () => {
  const world = makeWorld();
  try {
    world.mark("aws-login-fails");
    const r = await runRefresh(world, ["--kind", "claude"]);
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, "'aws sso login' failed (exit 255)");
    assertStringIncludes(r.stderr, "run 'aws configure sso' first");
    assertEquals([...Deno.readDirSync(world.home)], []);
  } finally {
    world.cleanup();
  }
});

Deno.test("refresh says how to install codex when it is not on PATH", async () => {
  const world = makeWorld({ fakes: ["aws"] });
  try {
    const r = await runRefresh(world, []);
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, "llm: error: codex not found on PATH: install it");
  } finally {
    world.cleanup();
  }
});

Deno.test("refresh leaves a malformed Pi auth file and every other file untouched", async () => {
  const world = makeWorld();
  try {
    loggedIn(world);
    const piPath = join(world.home, ".pi/agent/auth.json");
    Deno.mkdirSync(join(world.home, ".pi/agent"), { recursive: true });
    Deno.writeTextFileSync(piPath, '["not an object"]\n');
    const r = await runRefresh(world, []);
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, `${piPath} must hold a JSON object`);
    assertEquals(Deno.readTextFileSync(piPath), '["not an object"]\n');
    assertEquals([...Deno.readDirSync(join(world.home))].map((e) => e.name).sort(), [
      ".codex",
      ".pi",
    ]);
  } finally {
    world.cleanup();
  }
});

Deno.test("refresh --bedrock-export prints one export line that bash can eval", async () => {
  const world = makeWorld();
  try {
    loggedIn(world);
    const r = await runRefresh(world, ["--bedrock-export"]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout.split("\n").length, 2);
    const token = r.stdout.trim().replace("export AWS_BEARER_TOKEN_BEDROCK=", "");
    assert(token.startsWith("bedrock-api-key-"), r.stdout);
    const url = atob(token.slice("bedrock-api-key-".length));
    assertStringIncludes(url, "X-Amz-Credential=ASIAFAKEKEY%2F");
    assertStringIncludes(url, "%2Fus-east-1%2Fbedrock%2Faws4_request");
    assertStringIncludes(r.stderr, "until the AWS credentials expire");
    const evaluated = await new Deno.Command("bash", {
      args: ["-c", 'eval "$1"; printf %s "$AWS_BEARER_TOKEN_BEDROCK"', "_", r.stdout],
      stdout: "piped",
    }).output();
    assertEquals(new TextDecoder().decode(evaluated.stdout), token);
    assertEquals(world.log(), ["aws configure export-credentials", "aws configure get region"]);
  } finally {
    world.cleanup();
  }
});
