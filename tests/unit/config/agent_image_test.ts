/**
 * Within one config file the specific setting wins over the general one: an
 * agent's own `image:`/`tag:` over the file's top-level `image:`/`tag:`. The
 * command line still wins over both. Through `main()` on a fake host.
 */
import { assertEquals } from "../../_assert.ts";
import { main } from "../../../lib/cli/main.ts";
import { agentImageOptions } from "../../../lib/config/agent_image.ts";
import { BUILTIN_AGENTS } from "../../../lib/launch/agents.ts";
import { splitShellWords } from "../../../lib/text/shell_words.ts";
import { fakeSystem, setContent } from "../../_fake_system.ts";

const CONFIG = "/home/user/.config/llm/config.yaml";
const IMAGE = "ghcr.io/nichd-bspc/llm";

/** The image a dry run of `argv` would start, with `config` as the user file. */
async function imageOf(config: string, argv: string[]): Promise<string> {
  const system = fakeSystem({ executables: ["podman"] });
  setContent(system, CONFIG, config);
  const code = await main(["--dry-run", ...argv], system);
  assertEquals(code, 0, system.err.join(""));
  const words = splitShellWords(system.out.join(""));
  const image = words.find((w) => /^[a-z.]+\/[a-z/.-]+:[\w.-]+$|^[a-z]+\/[a-z-]+$/.test(w));
  return image ?? `no image in ${words.join(" ")}`;
}

const GEMINI = "agents:\n  gemini:\n    command: [gemini]\n    image: me/gemini:v2\n";

Deno.test("an agent's own image wins over the top-level image and tag of the same file", async () => {
  const config = `image: top/img\ntag: t\n${GEMINI}`;
  assertEquals(await imageOf(config, ["gemini"]), "me/gemini:v2");
  // Agents without their own image still get the top-level one.
  assertEquals(await imageOf(config, ["codex"]), "top/img:t");
});

Deno.test("an agent's own tag wins over the top-level tag of the same file", async () => {
  const config = "tag: general\nagents:\n  codex:\n    tag: codex-0.9\n";
  assertEquals(await imageOf(config, ["codex"]), `${IMAGE}:codex-0.9`);
  assertEquals(await imageOf(config, ["claude"]), `${IMAGE}:general`);
});

Deno.test("an agent's own tag goes with the top-level image when it names no image", async () => {
  for (const top of ["image: me/img\n", "image: me/img:v3\n", "image: me/img\ntag: t\n"]) {
    const config = `${top}agents:\n  codex:\n    tag: codex-0.9\n`;
    assertEquals(await imageOf(config, ["codex"]), "me/img:codex-0.9", top);
  }
});

Deno.test("the command line wins over an agent's own image and tag", async () => {
  const config = `image: top/img\ntag: t\n${GEMINI}`;
  assertEquals(await imageOf(config, ["--tag", "x", "gemini"]), "me/gemini:x");
  assertEquals(await imageOf(config, ["--image-name", "cli/img", "gemini"]), "cli/img");
  assertEquals(
    await imageOf(config, ["--image-name", "cli/img", "--tag", "y", "gemini"]),
    "cli/img:y",
  );
});

Deno.test("agentImageOptions() leaves settings from another file or the command line alone", () => {
  const options = {
    flags: new Set<string>(),
    values: new Map([["image-name", "other/img"], ["tag", "t"]]),
    lists: new Map(),
    sources: new Map([["image-name", ["/other.yaml:1"]], ["tag", ["--tag"]]]),
  };
  const got = agentImageOptions(options, BUILTIN_AGENTS[0], {
    image: "me/x:1",
    source: "/c.yaml:4",
  });
  assertEquals([...got.values], [["image-name", "other/img"], ["tag", "t"]]);
  assertEquals(agentImageOptions(options, BUILTIN_AGENTS[0], undefined), options);
});
