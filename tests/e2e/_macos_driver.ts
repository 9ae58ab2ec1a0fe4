/**
 * Runs `llm` exactly as main.ts does (the real System: real processes,
 * files, stdin), except that the System reports macOS, so the macOS
 * workflow runs against the fake `diskutil` and `podman` on PATH.
 * With LLM_E2E_TERMINAL=1 it also reports a terminal, so the real
 * `prompt` reads the confirmation from the piped stdin.
 */
import { main } from "../../lib/cli/main.ts";
import { realSystem } from "../../lib/system/real.ts";
import type { System } from "../../lib/system/system.ts";

const real = realSystem();
const terminal = Deno.env.get("LLM_E2E_TERMINAL") === "1";
const system: System = { ...real, os: "darwin", isTerminal: () => terminal };
Deno.exit(await main(Deno.args, system));
