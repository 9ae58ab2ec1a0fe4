/**
 * `llm doctor`: its options and help; the checks load only when it runs.
 */
import type { CommandSpec } from "../cli/command.ts";

/** The `doctor` command. */
export const DOCTOR_COMMAND: CommandSpec = {
  name: "doctor",
  summary: "Check the runtime, images, credentials, certificates and config; say how to fix",
  usage: "doctor [--json]",
  options: [
    { name: "json", kind: "flag", help: "Print the report as one JSON document." },
  ],
  examples: ["llm doctor", "llm doctor --json | jq '.checks[] | select(.status != \"pass\")'"],
  reportsConfigErrors: true,
  load: () => import("./run.ts"),
};
