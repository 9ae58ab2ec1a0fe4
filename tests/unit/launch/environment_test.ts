import { assertEquals, assertThrows } from "../../_assert.ts";
import { LlmError, UsageError } from "../../../lib/errors.ts";
import { parseEnvAssignments, proxyVariables } from "../../../lib/launch/environment.ts";
import { envOf, mountsOf, planFor } from "./_plan.ts";

const HOME = "/home/user";

Deno.test("identity, TOOL and HOST_MOUNT_DIR are set for every agent", () => {
  for (const agent of ["codex", "claude", "pi", "shell"]) {
    const env = envOf(planFor([agent]));
    assertEquals(
      [env.HOME, env.USER, env.LOGNAME, env.USERNAME, env.TOOL, env.HOST_MOUNT_DIR],
      ["/home/devuser", "devuser", "devuser", "devuser", agent, "/work/project"],
    );
  }
});

Deno.test("--env wins over every default; KEY=VALUE, or KEY alone for llm's own value", () => {
  const env = envOf(planFor(["--env", "HOME=/x", "--env", "EMPTY=", "--env", "A=b=c", "codex"]));
  assertEquals([env.HOME, env.EMPTY, env.A], ["/x", "", "b=c"]);
  assertThrows(
    () => planFor(["--env", "=v", "codex"]),
    UsageError,
    "--env '=v' must be KEY=VALUE, or KEY alone to pass llm's own value",
  );
  assertEquals(parseEnvAssignments(["A=1", "A=2"]).get("A"), "2");
});

Deno.test("--env KEY takes llm's own value, and an unset KEY is a usage error naming it", () => {
  const env = envOf(
    planFor(["--env", "TOKEN", "--env", "EMPTY", "codex"], {
      env: { HOME, TOKEN: "s3cret value", EMPTY: "" },
    }),
  );
  assertEquals([env.TOKEN, env.EMPTY], ["s3cret value", ""]);
  assertThrows(
    () => planFor(["--env", "NOVALUE", "codex"]),
    UsageError,
    "--env NOVALUE: NOVALUE is not set in llm's environment; export it, or give NOVALUE=VALUE",
  );
  assertThrows(
    () => parseEnvAssignments([" PATH"], { " PATH": "/evil" }),
    UsageError,
    "' PATH' is not a variable name",
  );
});

Deno.test("agent prefixes: CLAUDE_CODE/ANTHROPIC_ for claude, PI_ for pi, all for shell", () => {
  const host = {
    env: { CLAUDE_CODE_X: "1", ANTHROPIC_MODEL: "m", PI_X: "p", OPENAI_KEY: "no", HOME: HOME },
  };
  const pick = (agent: string) => {
    const env = envOf(planFor([agent], host));
    return ["CLAUDE_CODE_X", "ANTHROPIC_MODEL", "PI_X", "OPENAI_KEY"].filter((k) => k in env);
  };
  assertEquals(pick("claude"), ["CLAUDE_CODE_X", "ANTHROPIC_MODEL"]);
  assertEquals(pick("pi"), ["PI_X"]);
  assertEquals(pick("codex"), []);
  assertEquals(pick("shell"), ["CLAUDE_CODE_X", "ANTHROPIC_MODEL", "PI_X"]);
});

Deno.test("proxy variables: one case set on the host gives both cases", () => {
  assertEquals(
    proxyVariables({ https_proxy: "http://p:1", NO_PROXY: "x", HTTP_PROXY: "u", http_proxy: "l" }),
    [
      ["http_proxy", "l"],
      ["HTTP_PROXY", "u"],
      ["https_proxy", "http://p:1"],
      ["HTTPS_PROXY", "http://p:1"],
      ["no_proxy", "x"],
      ["NO_PROXY", "x"],
    ],
  );
  assertEquals(proxyVariables({}), []);
  const env = envOf(planFor(["codex"], { env: { HTTPS_PROXY: "p" } }));
  assertEquals([env.https_proxy, env.HTTPS_PROXY], ["p", "p"]);
});

Deno.test("Bedrock off: no AWS variables and no ~/.aws mount", () => {
  const plan = planFor(["claude"], {
    env: { AWS_PROFILE: "x", AWS_REGION: "us-east-1" },
    files: [`${HOME}/.aws/`],
  });
  assertEquals("AWS_PROFILE" in envOf(plan), false);
  assertEquals(mountsOf(plan).some((m) => m.includes(".aws")), false);
});

Deno.test("Bedrock with a profile: ~/.aws mounted read-only, AWS_* passed, static keys dropped", () => {
  const plan = planFor(["claude"], {
    env: {
      CLAUDE_CODE_USE_BEDROCK: "1",
      AWS_PROFILE: "sso",
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIA",
      AWS_SECRET_ACCESS_KEY: "s",
      AWS_SESSION_TOKEN: "t",
    },
    files: [`${HOME}/.aws/`],
  });
  const env = envOf(plan);
  assertEquals([env.AWS_PROFILE, env.AWS_REGION], ["sso", "us-east-1"]);
  assertEquals(
    ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"].some((k) => k in env),
    false,
  );
  assertEquals(mountsOf(plan).includes(`${HOME}/.aws:/home/devuser/.aws:ro`), true);
  const writable = planFor(["--writable-agent-config", "claude"], {
    env: { CLAUDE_CODE_USE_BEDROCK: "1", AWS_PROFILE: "sso" },
    files: [`${HOME}/.aws/`],
  });
  assertEquals(mountsOf(writable).includes(`${HOME}/.aws:/home/devuser/.aws`), true);
});

Deno.test("Bedrock: AWS file variables are mapped into ~/.aws, kept when mounted alike, else dropped", () => {
  const plan = planFor(["--mount", "/etc/aws:/etc/aws:ro", "claude"], {
    env: {
      CLAUDE_CODE_USE_BEDROCK: "1",
      AWS_PROFILE: "sso",
      AWS_CONFIG_FILE: "~/.aws/team/config",
      AWS_SHARED_CREDENTIALS_FILE: `${HOME}/.aws/creds`,
      AWS_WEB_IDENTITY_TOKEN_FILE: "/etc/aws/token",
      AWS_CA_BUNDLE: "/opt/site/ca.pem",
    },
    files: [`${HOME}/.aws/`, "/etc/aws/"],
  });
  const env = envOf(plan);
  assertEquals(env.AWS_CONFIG_FILE, "/home/devuser/.aws/team/config");
  assertEquals(env.AWS_SHARED_CREDENTIALS_FILE, "/home/devuser/.aws/creds");
  assertEquals(env.AWS_WEB_IDENTITY_TOKEN_FILE, "/etc/aws/token");
  assertEquals("AWS_CA_BUNDLE" in env, false);
  assertEquals(plan.warnings, [
    "AWS_CA_BUNDLE=/opt/site/ca.pem is a host path the container does not see, so it is not " +
    "passed; keep the file in ~/.aws, or mount it at the same path " +
    "(--mount /opt/site/ca.pem:/opt/site/ca.pem:ro)",
  ]);
  // --certs points AWS_CA_BUNDLE at the mounted bundle, whatever the host said.
  const certs = planFor(["--certs", "/opt/site/ca.pem", "claude"], {
    env: { CLAUDE_CODE_USE_BEDROCK: "1", AWS_PROFILE: "p", AWS_CA_BUNDLE: "/opt/site/ca.pem" },
    files: ["/opt/site/ca.pem"],
  });
  assertEquals(envOf(certs).AWS_CA_BUNDLE, "/tmp/llm-devcontainer-cert.pem");
});

Deno.test("Bedrock without a ~/.aws directory drops paths that would have been in it", () => {
  const plan = planFor(["claude"], {
    env: { CLAUDE_CODE_USE_BEDROCK: "1", AWS_PROFILE: "p", AWS_CONFIG_FILE: `${HOME}/.aws/c` },
  });
  assertEquals("AWS_CONFIG_FILE" in envOf(plan), false);
  assertEquals(plan.warnings.length, 1);
});

Deno.test("Bedrock with credentials.json and no profile uses the llm-export profile", () => {
  const env = envOf(planFor(["pi"], {
    env: { PI_USE_BEDROCK: "1", AWS_ACCESS_KEY_ID: "AKIA" },
    files: [`${HOME}/.aws/credentials.json`],
  }));
  assertEquals(env.AWS_PROFILE, "llm-export");
  assertEquals("AWS_ACCESS_KEY_ID" in env, false);
});

Deno.test("Bedrock with static keys only passes them through", () => {
  const env = envOf(planFor(["claude"], {
    env: { CLAUDE_CODE_USE_BEDROCK: "1", AWS_ACCESS_KEY_ID: "AKIA", AWS_SECRET_ACCESS_KEY: "s" },
  }));
  assertEquals([env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY], ["AKIA", "s"]);
  assertEquals("AWS_PROFILE" in env, false);
});

Deno.test("Bedrock turned on with --env, and --env AWS values are not overridden", () => {
  const env = envOf(
    planFor(["--env", "CLAUDE_CODE_USE_BEDROCK=1", "--env", "AWS_REGION=eu", "claude"], {
      env: { AWS_PROFILE: "p", AWS_REGION: "us" },
    }),
  );
  assertEquals([env.AWS_PROFILE, env.AWS_REGION], ["p", "eu"]);
});

Deno.test("Bedrock flags belong to their agent: PI_USE_BEDROCK does nothing for claude", () => {
  const env = envOf(planFor(["claude"], { env: { PI_USE_BEDROCK: "1", AWS_PROFILE: "p" } }));
  assertEquals("AWS_PROFILE" in env, false);
  const shell = envOf(planFor(["shell"], { env: { PI_USE_BEDROCK: "1", AWS_PROFILE: "p" } }));
  assertEquals(shell.AWS_PROFILE, "p");
});

Deno.test("Bedrock with no profile, keys or credentials.json is an error naming the fix", () => {
  assertThrows(
    () => planFor(["claude"], { env: { CLAUDE_CODE_USE_BEDROCK: "1" } }),
    LlmError,
    "AWS_PROFILE",
  );
  assertThrows(
    () => planFor(["pi"], { env: { PI_USE_BEDROCK: "1" } }),
    LlmError,
    "llm refresh",
  );
});
