/**
 * `llm`: run AI coding agents in containers. This file only hands off.
 */
import { main } from "./lib/cli/main.ts";
import { realSystem } from "./lib/system/real.ts";

if (import.meta.main) {
  Deno.exit(await main(Deno.args, realSystem()));
}
