/**
 * `llm refresh`: its options and help. The implementation
 * (`refresh.ts`) loads only when the command runs.
 */
import type { CommandSpec } from "../cli/command.ts";

/** The `refresh` command. */
export const REFRESH_COMMAND: CommandSpec = {
  name: "refresh",
  summary: "Log in to Codex and AWS if needed, export credentials, push them to a remote host",
  usage: "refresh [--kind all|codex|claude|pi] [--remote HOST [--user NAME]] [options]",
  options: [
    {
      name: "kind",
      kind: "value",
      placeholder: "KIND",
      complete: ["all", "codex", "claude", "pi"],
      help: "Which agents' credentials: all (default), codex, claude or pi.",
    },
    {
      name: "remote",
      kind: "value",
      placeholder: "HOST",
      complete: "none",
      help: "Also copy the credential files to the same paths under HOST's home (rsync over ssh).",
    },
    {
      name: "user",
      kind: "value",
      placeholder: "NAME",
      complete: "none",
      help: "User name on --remote (default: the local user name).",
    },
    {
      name: "ssh-option",
      kind: "list",
      placeholder: "OPTION",
      complete: "none",
      help: "Pass -o OPTION to ssh for --remote, e.g. Port=2222 (repeatable).",
    },
    {
      name: "full",
      kind: "flag",
      help: "With --remote, also copy settings, skills, memories and extensions.",
    },
    {
      name: "show-files",
      kind: "flag",
      help: "List the files each kind pushes (default and --full) and exit.",
    },
    {
      name: "no-export-creds",
      kind: "flag",
      help: "Do not write ~/.aws/credentials.json or the [profile llm-export] section.",
    },
    {
      name: "bedrock-export",
      kind: "flag",
      help: "Only print 'export AWS_BEARER_TOKEN_BEDROCK=...' (a Bedrock API key, at most 12h).",
    },
  ],
  examples: [
    "llm refresh",
    "llm refresh --kind claude --remote biowulf.nih.gov --user me",
    'eval "$(llm refresh --bedrock-export)"',
  ],
  positionals: "collect",
  // Credentials are found where the agents keep them; no setting changes that.
  toleratesBrokenConfig: true,
  async load() {
    return await import("./refresh.ts");
  },
};
