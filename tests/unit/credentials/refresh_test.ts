/**
 * `llm refresh` against the in-memory fake system: which commands run,
 * which files are written and with what mode, and that nothing is written
 * when something is wrong. Flows whose answers change between calls (expired
 * credentials, then a login) run against fake executables in
 * tests/e2e/refresh_login_test.ts.
 */
import { parseOptions } from "../../../lib/cli/parse.ts";
import { COMMAND_COMMON_OPTIONS } from "../../../lib/cli/options.ts";
import { REFRESH_COMMAND } from "../../../lib/credentials/command.ts";
import { refresh } from "../../../lib/credentials/refresh.ts";
import { refreshRequest } from "../../../lib/credentials/request.ts";
import { LlmError } from "../../../lib/errors.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../../_assert.ts";
import {
  addSymlink,
  type FakeSystem,
  fakeSystem,
  type FakeSystemOptions,
  setContent,
} from "../../_fake_system.ts";

const H = "/home/me";
const NOW = new Date("2026-03-01T12:00:00Z");
const LATER = "2026-03-01T20:00:00Z";
const CREDS = JSON.stringify({
  Version: 1,
  AccessKeyId: "ASIAEXAMPLE",
  SecretAccessKey: "secret",
  SessionToken: "session",
  Expiration: LATER,
});
const EXPIRED = CREDS.replace(LATER, "2026-03-01T11:00:00Z");

function jwt(exp: number): string {
  return `e30.${btoa(JSON.stringify({ exp })).replaceAll("=", "")}.sig`;
}

const CODEX_AUTH = JSON.stringify({
  tokens: { access_token: jwt(1772400000), refresh_token: "rt", account_id: "acct" },
});

/** A logged-in machine: Codex with ChatGPT, valid AWS credentials. */
function machine(extra: FakeSystemOptions = {}, files: Record<string, string> = {}): FakeSystem {
  const system = fakeSystem({
    home: H,
    env: { USER: "me" },
    executables: ["codex", "aws", "rsync"],
    outputs: {
      "codex login status": { stderr: "Logged in using ChatGPT\n" },
      "aws configure export-credentials": { stdout: CREDS },
    },
    ...extra,
  });
  setContent(system, `${H}/.codex/auth.json`, CODEX_AUTH);
  for (const [path, content] of Object.entries(files)) setContent(system, path, content);
  return system;
}

async function run(system: FakeSystem, args: string[]): Promise<number> {
  const parsed = parseOptions(args, [...REFRESH_COMMAND.options, ...COMMAND_COMMON_OPTIONS], {
    stopAtPositional: false,
  });
  return await refresh(refreshRequest(parsed.options, parsed.rest, system.env), system, NOW);
}

function text(system: FakeSystem, path: string): string {
  return new TextDecoder().decode(system.files.get(path)?.content);
}

function writes(system: FakeSystem): string[] {
  return system.changes.filter((c) => c.startsWith("write "));
}

Deno.test("refresh writes the exported credentials, the profile and Pi's login, all 0600", async () => {
  const system = machine();
  assertEquals(await run(system, []), 0);
  assertEquals(writes(system), [
    `write ${H}/.aws/credentials.json`,
    `write ${H}/.aws/config`,
    `write ${H}/.pi/agent/auth.json`,
  ]);
  assertEquals(JSON.parse(text(system, `${H}/.aws/credentials.json`)).AccessKeyId, "ASIAEXAMPLE");
  assertStringIncludes(text(system, `${H}/.aws/config`), "[profile llm-export]\n");
  assertEquals(JSON.parse(text(system, `${H}/.pi/agent/auth.json`))["openai-codex"], {
    type: "oauth",
    access: jwt(1772400000),
    refresh: "rt",
    expires: 1772400000000,
    accountId: "acct",
  });
  for (const w of writes(system)) assertEquals(system.files.get(w.slice(6))?.mode, 0o600);
  assertEquals(system.files.get(`${H}/.pi/agent`)?.mode, 0o700);
});

Deno.test("refresh runs no login when Codex and AWS are already logged in", async () => {
  const system = machine();
  await run(system, []);
  assertEquals(system.ran, [
    ["codex", "login", "status"],
    ["aws", "configure", "export-credentials"],
    ["aws", "configure", "export-credentials", "--format", "process"],
  ]);
  assertStringIncludes(
    system.err.join(""),
    `credentials expire at 2026-03-01T20:00:00.000Z (in 8h 00m)`,
  );
});

Deno.test("refresh runs codex login when the status is not a ChatGPT login", async () => {
  const system = machine({
    outputs: {
      "codex login status": { code: 1, stderr: "Not logged in\n" },
      "aws configure export-credentials": { stdout: CREDS },
    },
  });
  await run(system, ["--kind", "codex"]);
  assertEquals(system.ran, [["codex", "login", "status"], ["codex", "login"]]);
});

Deno.test("refresh stops with an error when codex login fails, writing nothing", async () => {
  const system = machine({
    outputs: { "codex login status": { stdout: "Logged in using an API key\n" } },
    interactiveResults: { "codex login": { code: 1, stderrTail: "login cancelled\n" } },
  });
  const e = await assertRejects(() => run(system, []), LlmError, "'codex login' failed (exit 1)");
  assertStringIncludes(e.message, "login cancelled");
  assertEquals(writes(system), []);
});

Deno.test("refresh explains how to install Codex when it is missing", async () => {
  const system = machine({ executables: ["aws"] });
  await assertRejects(() => run(system, []), LlmError, "npm install -g @openai/codex");
  assertEquals(system.ran, []);
});

Deno.test("refresh --kind claude needs neither Codex nor Pi", async () => {
  const system = machine({ executables: ["aws"] });
  await run(system, ["--kind", "claude"]);
  assertEquals(writes(system), [`write ${H}/.aws/credentials.json`, `write ${H}/.aws/config`]);
});

Deno.test("refresh runs aws sso login when the credentials have expired", async () => {
  const system = machine({
    outputs: { "aws configure export-credentials": { stdout: EXPIRED } },
    interactiveResults: { "aws sso login": { code: 0, stderrTail: "" } },
  });
  // The fake keeps answering with expired credentials, so the second check fails.
  await assertRejects(
    () => run(system, ["--kind", "claude"]),
    LlmError,
    "still gives no valid credentials",
  );
  assertEquals(system.ran.map((a) => a.join(" ")), [
    "aws configure export-credentials",
    "aws sso login",
    "aws configure export-credentials",
  ]);
  assertEquals(writes(system), []);
});

Deno.test("refresh suggests aws configure sso when aws sso login fails", async () => {
  const system = machine({
    outputs: { "aws configure export-credentials": { code: 255, stderr: "no profile" } },
    interactiveResults: { "aws sso login": { code: 255, stderrTail: "Missing sso_start_url\n" } },
  });
  await assertRejects(() => run(system, ["--kind", "claude"]), LlmError, "'aws configure sso'");
});

Deno.test("refresh explains how to install the AWS CLI when it is missing", async () => {
  const system = machine({ executables: ["codex"] });
  await assertRejects(() => run(system, ["--kind", "claude"]), LlmError, "install AWS CLI v2");
});

Deno.test("refresh keeps the rest of ~/.aws/config byte for byte", async () => {
  const config = "[default]\nRegion = us-east-1 # mine\n\n[profile llm-export]\nold = 1\n";
  const system = machine({}, { [`${H}/.aws/config`]: config });
  await run(system, ["--kind", "claude"]);
  assertEquals(
    text(system, `${H}/.aws/config`),
    "[default]\nRegion = us-east-1 # mine\n\n[profile llm-export]\n" +
      "credential_process = sh -c 'cat ~/.aws/credentials.json'\n",
  );
});

Deno.test("refresh refuses a symlinked ~/.aws/config before running anything, writing nothing", async () => {
  const system = machine({ files: [`${H}/.aws/`, "/root/"] }, {
    "/root/.bashrc": "alias ll='ls -l'\n",
  });
  addSymlink(system, `${H}/.aws/config`, "/root/.bashrc");
  await assertRejects(
    () => run(system, ["--kind", "claude"]),
    LlmError,
    "~/.aws/config is a symlink to /root/.bashrc; llm refresh never follows links in credential " +
      "directories (an agent can plant them): check the link, then remove it: rm /home/me/.aws/config",
  );
  assertEquals(system.ran, []);
  assertEquals(system.changes, []);
  assertEquals(text(system, "/root/.bashrc"), "alias ll='ls -l'\n");
});

Deno.test("refresh leaves an up-to-date ~/.aws/config unwritten", async () => {
  const config = "[profile llm-export]\ncredential_process = sh -c 'cat ~/.aws/credentials.json'\n";
  const system = machine({}, { [`${H}/.aws/config`]: config });
  await run(system, ["--kind", "claude"]);
  assertEquals(writes(system), [`write ${H}/.aws/credentials.json`]);
});

Deno.test("refresh --no-export-creds writes no AWS files", async () => {
  const system = machine();
  await run(system, ["--no-export-creds"]);
  assertEquals(writes(system), [`write ${H}/.pi/agent/auth.json`]);
  assert(!system.ran.some((a) => a.includes("--format")));
});

Deno.test("refresh never overwrites a malformed Pi auth file, and writes nothing else", async () => {
  const system = machine({}, { [`${H}/.pi/agent/auth.json`]: "{not json" });
  await assertRejects(
    () => run(system, []),
    LlmError,
    `${H}/.pi/agent/auth.json is not valid JSON`,
  );
  assertEquals(writes(system), []);
  assertEquals(text(system, `${H}/.pi/agent/auth.json`), "{not json");
});

Deno.test("refresh stops on a Codex auth without tokens, leaving Pi's file alone", async () => {
  const pi = '{"anthropic": {"type": "api_key", "key": "k"}}';
  const system = machine({}, {
    [`${H}/.codex/auth.json`]: '{"OPENAI_API_KEY": "sk-x"}',
    [`${H}/.pi/agent/auth.json`]: pi,
  });
  await assertRejects(() => run(system, ["--kind", "codex"]), LlmError, "has no ChatGPT tokens");
  assertEquals(text(system, `${H}/.pi/agent/auth.json`), pi);
  assertEquals(writes(system), []);
});

Deno.test("refresh honours CODEX_AUTH_PATH and PI_AUTH_PATH", async () => {
  const system = machine(
    { env: { CODEX_AUTH_PATH: "/c/auth.json", PI_AUTH_PATH: "/p/auth.json" } },
    {
      "/c/auth.json": CODEX_AUTH,
    },
  );
  await run(system, ["--kind", "codex"]);
  assertEquals(writes(system), ["write /p/auth.json"]);
});

Deno.test("refresh --remote pushes the existing files in one rsync and warns about the rest", async () => {
  const system = machine();
  await run(system, ["--kind", "all", "--remote", "hpc", "--ssh-option", "Port=2222"]);
  const rsyncs = system.ran.filter((a) => a[0] === "rsync");
  assertEquals(rsyncs, [[
    "rsync",
    "--recursive",
    "--links",
    "--safe-links",
    "--perms",
    "--times",
    "--relative",
    "--chmod=D700,Fu+rw,Fgo-rwx",
    "--rsh",
    "ssh -o Port=2222",
    `${H}/./.codex/auth.json`,
    `${H}/./.aws/config`,
    `${H}/./.aws/credentials.json`,
    `${H}/./.pi/agent/auth.json`,
    "me@hpc:",
  ]]);
});

Deno.test("refresh --remote skips files that do not exist, with a warning", async () => {
  const system = machine();
  await run(system, ["--kind", "codex", "--remote", "hpc", "--full"]);
  const err = system.err.join("");
  assertStringIncludes(err, "warning: ~/.codex/config.toml not found; not pushing it");
  assertEquals(system.ran.filter((a) => a[0] === "rsync")[0].slice(-2), [
    `${H}/./.codex/auth.json`,
    "me@hpc:",
  ]);
});

Deno.test("refresh --remote with no files at all warns and runs no rsync", async () => {
  const system = machine({}, {});
  system.files.delete(`${H}/.codex/auth.json`);
  await run(system, ["--kind", "claude", "--no-export-creds", "--remote", "hpc"]);
  assertStringIncludes(system.err.join(""), "nothing pushed to me@hpc");
  assert(!system.ran.some((a) => a[0] === "rsync"));
});

Deno.test("refresh reports a failed push with rsync's last line", async () => {
  const system = machine({
    interactiveResults: {
      rsync: { code: 255, stderrTail: "ssh: connect to host hpc port 22: Connection refused\n" },
    },
  });
  await assertRejects(
    () => run(system, ["--kind", "codex", "--remote", "hpc"]),
    LlmError,
    "rsync to me@hpc failed (exit 255): ssh: connect to host hpc port 22: Connection refused",
  );
});

Deno.test("refresh --dry-run runs nothing, writes nothing and prints the rsync command", async () => {
  const system = machine();
  assertEquals(await run(system, ["--dry-run", "--remote", "hpc", "--user", "you"]), 0);
  assertEquals(system.ran, []);
  assertEquals(system.changes, []);
  const out = system.out.join("");
  assertStringIncludes(out, "codex login status\n");
  assertStringIncludes(out, "aws configure export-credentials --format process\n");
  assertStringIncludes(out, `# write ${H}/.pi/agent/auth.json (0600)`);
  // Files the refresh would create count as present for the push.
  assertStringIncludes(
    out,
    `rsync --recursive --links --safe-links --perms --times --relative --chmod=D700,Fu+rw,Fgo-rwx ` +
      `${H}/./.codex/auth.json ${H}/./.aws/config ${H}/./.aws/credentials.json ` +
      `${H}/./.pi/agent/auth.json you@hpc:\n`,
  );
});

Deno.test("refresh --verbose shows each command before running it", async () => {
  const system = machine();
  await run(system, ["--verbose", "--kind", "codex"]);
  assertStringIncludes(system.err.join(""), "+ codex login status\n");
});

Deno.test("refresh --show-files lists both sets and does nothing else", async () => {
  const system = machine();
  await run(system, ["--show-files", "--kind", "codex"]);
  assertEquals(
    system.out.join(""),
    "codex (pushed by default):\n  ~/.codex/auth.json\ncodex (with --full):\n" +
      "  ~/.codex/config.toml\n  ~/.codex/auth.json\n  ~/.codex/skills/\n  ~/.codex/memories/\n",
  );
  assertEquals(system.ran, []);
});

Deno.test("refresh --bedrock-export prints only an export line, limited by the credentials", async () => {
  const system = machine({ env: { AWS_REGION: "us-west-2" } });
  await run(system, ["--bedrock-export"]);
  const out = system.out.join("");
  assert(/^export AWS_BEARER_TOKEN_BEDROCK=bedrock-api-key-[A-Za-z0-9+/=]+\n$/.test(out), out);
  const url = atob(out.trim().split("bedrock-api-key-")[1]);
  assertStringIncludes(url, "%2Fus-west-2%2Fbedrock%2F");
  assertStringIncludes(url, "X-Amz-Expires=28800&");
  assertStringIncludes(system.err.join(""), "valid for 8h 00m, until the AWS credentials expire");
  assertEquals(system.changes, []);
});

Deno.test("refresh --bedrock-export asks aws for the region when none is set", async () => {
  const system = machine({
    outputs: {
      "aws configure export-credentials": { stdout: CREDS.replace(LATER, "2026-03-02T12:00:00Z") },
      "aws configure get region": { stdout: "eu-central-1\n" },
    },
  });
  await run(system, ["--bedrock-export"]);
  assertStringIncludes(system.err.join(""), "valid for 12h 00m (the 12-hour maximum)");
  assertStringIncludes(
    atob(system.out.join("").trim().split("bedrock-api-key-")[1]),
    "eu-central-1",
  );
});

Deno.test("refresh --bedrock-export with expired credentials says to refresh first", async () => {
  const system = machine({
    env: { AWS_REGION: "us-east-1" },
    outputs: { "aws configure export-credentials": { stdout: EXPIRED } },
  });
  await assertRejects(() => run(system, ["--bedrock-export"]), LlmError, "run 'llm refresh");
  assertEquals(system.out, []);
});

Deno.test("refresh --bedrock-export without a region explains how to set one", async () => {
  const system = machine({
    outputs: {
      "aws configure export-credentials": { stdout: CREDS },
      "aws configure get region": { code: 1 },
    },
  });
  await assertRejects(() => run(system, ["--bedrock-export"]), LlmError, "set AWS_REGION");
});

Deno.test("refresh --dry-run --kind claude --no-export-creds shows only the AWS check", async () => {
  const system = machine();
  await run(system, ["--dry-run", "--kind", "claude", "--no-export-creds"]);
  assertEquals(
    system.out.join(""),
    "# llm refresh --dry-run: nothing is run or written\n" +
      "# AWS: check the credentials, log in with SSO only when they are missing or expired\n" +
      "aws configure export-credentials\naws sso login\n",
  );
});

Deno.test("refresh --bedrock-export --dry-run runs nothing and prints no token", async () => {
  const system = machine({ env: { AWS_REGION: "us-east-1" } });
  await run(system, ["--bedrock-export", "--dry-run"]);
  assertEquals(system.ran, []);
  assertEquals(
    system.out.join(""),
    "# llm refresh --bedrock-export --dry-run: nothing is run\n" +
      "aws configure export-credentials\n" +
      "# then print: export AWS_BEARER_TOKEN_BEDROCK=bedrock-api-key-...\n",
  );
});

Deno.test("refresh's failed-push hint is an ssh command quoted for the shell, with the ssh options", async () => {
  const system = machine({ interactiveResults: { rsync: { code: 12, stderrTail: "broken\n" } } });
  await assertRejects(
    () =>
      run(system, ["--kind", "codex", "--remote", "hpc", "--ssh-option", "IdentityFile=/k/my key"]),
    LlmError,
    "rsync to me@hpc failed (exit 12): broken; check that ssh works: " +
      "ssh -o 'IdentityFile=/k/my key' me@hpc true",
  );
});

Deno.test("refresh --remote refuses a pushed path that is a symlink, running no rsync", async () => {
  const system = machine({ files: ["/secret/"] });
  addSymlink(system, `${H}/.codex/skills`, "/secret");
  await assertRejects(
    () => run(system, ["--kind", "codex", "--full", "--remote", "hpc"]),
    LlmError,
    "~/.codex/skills is a symlink to /secret; llm refresh never follows links",
  );
  assert(!system.ran.some((a) => a[0] === "rsync"));
});

Deno.test("refresh --remote with a host part starting with '-' is a usage error before anything runs", async () => {
  const system = machine();
  const e = await assertRejects(() => run(system, ["--remote", "me@-oProxyCommand=x"]), LlmError);
  assertEquals((e as LlmError).exitCode, 2);
  assertEquals(system.ran, []);
});
