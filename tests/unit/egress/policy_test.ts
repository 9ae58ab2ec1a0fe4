import { assert, assertEquals, assertThrows } from "../../_assert.ts";
import { UsageError } from "../../../lib/errors.ts";
import {
  type NetworkLayer,
  parseNetworkMode,
  policyAllows,
  resolveNetworkPolicy,
  stricterMode,
} from "../../../lib/egress/policy.ts";

const USER = "~/.config/llm/config.yaml:2";
const PROJECT = "/w/.llm.yaml:1";

function resolve(user: NetworkLayer[], project?: NetworkLayer, agent = "codex") {
  return resolveNetworkPolicy({ agent, user, project });
}

Deno.test("parseNetworkMode() takes the three modes and names a bad one", () => {
  assertEquals(parseNetworkMode("open"), "open");
  assertEquals(parseNetworkMode("allow"), "allow");
  assertEquals(parseNetworkMode("none"), "none");
  assertThrows(
    () => parseNetworkMode("closed", "config.yaml:3"),
    UsageError,
    "config.yaml:3: expected one of open, allow, none, got 'closed'",
  );
  assertThrows(() => parseNetworkMode("Allow"), UsageError, "got 'Allow'");
});

Deno.test("stricterMode() orders open < allow < none", () => {
  assertEquals(stricterMode("open", "allow"), "allow");
  assertEquals(stricterMode("allow", "open"), "allow");
  assertEquals(stricterMode("allow", "none"), "none");
  assertEquals(stricterMode("none", "open"), "none");
  assertEquals(stricterMode("open", "open"), "open");
});

Deno.test("resolveNetworkPolicy() defaults to open with no settings", () => {
  const policy = resolve([]);
  assertEquals(policy.mode, "open");
  assertEquals(policy.entries, []);
  assert(policyAllows(policy, "anything.example", 22));
});

Deno.test("resolveNetworkPolicy() honours defaultMode", () => {
  const policy = resolveNetworkPolicy({ agent: "codex", user: [], defaultMode: "allow" });
  assertEquals(policy.mode, "allow");
  assert(policyAllows(policy, "api.openai.com", 443));
});

Deno.test("none allows nothing, not even the agent's own hosts", () => {
  const policy = resolve([{ source: "--network", mode: "none" }]);
  assertEquals(policy.mode, "none");
  assert(!policyAllows(policy, "api.openai.com", 443));
});

Deno.test("allow lets the agent's built-in hosts and the user's entries through", () => {
  const policy = resolve([
    { source: USER, hosts: ["pypi.org"], sets: ["npm"] },
    { source: "--network", mode: "allow", hosts: ["*.example.org:8443"], impliesAllow: true },
  ]);
  assertEquals(policy.mode, "allow");
  assert(policyAllows(policy, "api.openai.com", 443));
  assert(policyAllows(policy, "pypi.org", 443));
  assert(policyAllows(policy, "registry.npmjs.org", 443));
  assert(policyAllows(policy, "a.example.org", 8443));
  assert(!policyAllows(policy, "a.example.org", 443));
  assert(!policyAllows(policy, "api.anthropic.com", 443), "another agent's host");
  assert(!policyAllows(policy, "evil.example", 443));
  assertEquals(policy.notes, []);
});

Deno.test("the command line's network wins over the user config's", () => {
  assertEquals(
    resolve([{ source: USER, mode: "none" }, { source: "--network", mode: "open" }]).mode,
    "open",
  );
  assertEquals(
    resolve([{ source: USER, mode: "open" }, { source: "--network", mode: "allow" }]).mode,
    "allow",
  );
});

Deno.test("--allow-host alone on the command line turns allow on", () => {
  const policy = resolve([{ source: "--allow-host", hosts: ["pypi.org"], impliesAllow: true }]);
  assertEquals(policy.mode, "allow");
  assert(policyAllows(policy, "pypi.org", 443));
  assert(!policyAllows(policy, "evil.example", 443));
});

Deno.test("allow_hosts in the user config alone does not turn allow on", () => {
  assertEquals(resolve([{ source: USER, hosts: ["pypi.org"] }]).mode, "open");
});

Deno.test("--allow-host with an explicit network open is noted as having no effect", () => {
  const policy = resolve([
    { source: USER, mode: "open" },
    { source: "--allow-host", hosts: ["pypi.org"], impliesAllow: true },
  ]);
  assertEquals(policy.mode, "open");
  assertEquals(policy.notes, ["--allow-host: allowed hosts have no effect with network open"]);
});

Deno.test("a project file tightens open to allow with its own list", () => {
  const policy = resolve([], { source: PROJECT, mode: "allow", hosts: ["pypi.org"] });
  assertEquals(policy.mode, "allow");
  assert(policyAllows(policy, "api.openai.com", 443), "the agent still works");
  assert(policyAllows(policy, "pypi.org", 443));
  assert(!policyAllows(policy, "evil.example", 443));
  assertEquals(policy.notes, [
    `${PROJECT}: the project file sets network allow (it may tighten network open, never loosen it)`,
  ]);
});

Deno.test("a project file tightens allow and open to none", () => {
  assertEquals(
    resolve([{ source: "--network", mode: "allow" }], { source: PROJECT, mode: "none" }).mode,
    "none",
  );
  assertEquals(resolve([], { source: PROJECT, mode: "none" }).mode, "none");
});

Deno.test("a project file cannot loosen none or allow", () => {
  const none = resolve([{ source: "--network", mode: "none" }], {
    source: PROJECT,
    mode: "open",
  });
  assertEquals(none.mode, "none");
  assertEquals(none.notes, [
    `${PROJECT}: network open ignored: a project file may only tighten network none`,
  ]);
  const allow = resolve([{ source: "--network", mode: "allow" }], {
    source: PROJECT,
    mode: "open",
  });
  assertEquals(allow.mode, "allow");
  assert(!policyAllows(allow, "evil.example", 443));
  assertEquals(
    resolve([{ source: "--network", mode: "none" }], { source: PROJECT, mode: "allow" }).mode,
    "none",
  );
});

Deno.test("a project file's list narrows the user's and adds nothing", () => {
  const policy = resolve(
    [{ source: "--network", mode: "allow", hosts: ["*.example.org", "pypi.org"] }],
    { source: PROJECT, mode: "allow", hosts: ["api.example.org", "evil.example"] },
  );
  assertEquals(policy.mode, "allow");
  assert(policyAllows(policy, "api.openai.com", 443), "built-in hosts stay");
  assert(policyAllows(policy, "api.example.org", 443), "in both lists");
  assert(!policyAllows(policy, "other.example.org", 443), "only in the user's list");
  assert(!policyAllows(policy, "pypi.org", 443), "the project file leaves it out");
  assert(!policyAllows(policy, "evil.example", 443), "the project file cannot add it");
  assertEquals(policy.notes, [
    `${PROJECT}: 'evil.example' stays blocked: the project file may only narrow your allowed ` +
    "hosts (add --allow-host evil.example to allow it)",
  ]);
});

Deno.test("a project entry narrower in port than the user's is kept narrow", () => {
  const policy = resolve(
    [{ source: "--network", mode: "allow", hosts: ["*.example.org"] }],
    { source: PROJECT, mode: "allow", hosts: ["api.example.org:443"] },
  );
  assert(policyAllows(policy, "api.example.org", 443));
  assert(!policyAllows(policy, "api.example.org", 80));
});

Deno.test("a project file with network allow and no hosts leaves only the built-in list", () => {
  const policy = resolve(
    [{ source: "--network", mode: "allow", hosts: ["pypi.org"] }],
    { source: PROJECT, mode: "allow" },
  );
  assert(policyAllows(policy, "chatgpt.com", 443));
  assert(!policyAllows(policy, "pypi.org", 443));
});

Deno.test("a project file's hosts without its network: allow are noted and unused", () => {
  const policy = resolve(
    [{ source: "--network", mode: "allow" }],
    { source: PROJECT, hosts: ["pypi.org"] },
  );
  assert(!policyAllows(policy, "pypi.org", 443));
  assertEquals(policy.notes, [
    `${PROJECT}: allowed hosts in a project file apply only with its network: allow`,
  ]);
});

Deno.test("policy entries carry the built-in list and no duplicates", () => {
  const policy = resolve([{ source: "--network", mode: "allow", hosts: ["api.openai.com"] }]);
  assertEquals(policy.entries.filter((e) => e.text === "api.openai.com").length, 1);
  assertEquals(policy.builtin.map((e) => e.text), [
    "api.openai.com",
    "auth.openai.com",
    "chatgpt.com",
  ]);
});

Deno.test("Bedrock regions add their endpoints under allow", () => {
  const policy = resolveNetworkPolicy({
    agent: "claude",
    bedrockRegions: ["us-west-2"],
    user: [{ source: "--network", mode: "allow" }],
  });
  assert(policyAllows(policy, "bedrock-runtime.us-west-2.amazonaws.com", 443));
  assert(!policyAllows(policy, "bedrock-runtime.us-east-1.amazonaws.com", 443));
  assert(!policyAllows(policy, "s3.amazonaws.com", 443));
});

Deno.test("bad entries and set names in a layer are usage errors naming where", () => {
  assertThrows(
    () =>
      resolve([{ source: USER, hosts: ["ok.example", "http://x"], hostSources: ["a:1", "a:2"] }]),
    UsageError,
    "a:2: bad allow entry 'http://x'",
  );
  assertThrows(
    () => resolve([{ source: "--allow-set", sets: ["gihtub"] }]),
    UsageError,
    "--allow-set: unknown allow set 'gihtub' (known: github,",
  );
  assertThrows(
    () => resolve([], { source: PROJECT, mode: "allow", hosts: ["*"] }),
    UsageError,
    `${PROJECT}: bad allow entry '*'`,
  );
});
