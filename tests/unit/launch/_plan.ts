/** Shared set-up for planner tests: plan a command line against a fake host. */
import { GLOBAL_OPTIONS } from "../../../lib/cli/options.ts";
import { mergeOptions, parseOptions } from "../../../lib/cli/parse.ts";
import { environmentLayer } from "../../../lib/config/environment_layer.ts";
import { AGENT_CONFIG_ORIGIN } from "../../../lib/launch/agent_config.ts";
import { findAgent } from "../../../lib/launch/agents.ts";
import { type LaunchPlan, planLaunch } from "../../../lib/launch/plan.ts";
import { launchRequest } from "../../../lib/launch/request.ts";
import { type FakeSystem, fakeSystem, type FakeSystemOptions } from "../../_fake_system.ts";

/** Plan `llm <argv>` on a fake host. */
export function planFor(argv: string[], host: FakeSystemOptions | FakeSystem = {}): LaunchPlan {
  const facts = "files" in host && host.files instanceof Map
    ? host as FakeSystem
    : fakeSystem(host as FakeSystemOptions);
  const { options, rest } = parseOptions(argv, GLOBAL_OPTIONS);
  const agent = findAgent(rest[0]);
  if (!agent) throw new Error(`no agent ${rest[0]}`);
  const effective = mergeOptions(environmentLayer(facts.env), options);
  return planLaunch(launchRequest(agent, rest.slice(1), effective), facts);
}

/** The plan's environment as an object. */
export function envOf(plan: LaunchPlan): Record<string, string> {
  return Object.fromEntries(plan.env);
}

/**
 * The plan's mounts as short strings: `source:target[:ro]` or `mask:target`;
 * without the read-only mounts over the agents' host-run settings, which
 * tests/unit/launch/agent_config_test.ts covers.
 */
export function mountsOf(plan: LaunchPlan): string[] {
  return plan.mounts.filter((m) => !m.origin.startsWith(AGENT_CONFIG_ORIGIN)).map((m) =>
    m.kind === "bind" ? `${m.source}:${m.target}${m.readOnly ? ":ro" : ""}` : `mask:${m.target}`
  );
}
