/**
 * `llm refresh --bedrock-export`: print a shell line that sets
 * `AWS_BEARER_TOKEN_BEDROCK` to a short-term Bedrock API key made from the
 * current AWS credentials. stdout carries only that line, so
 * `eval "$(llm refresh --bedrock-export)"` works; notes go to stderr.
 */
import { LlmError } from "../errors.ts";
import type { System } from "../system/system.ts";
import { quoteArgv, quoteWord } from "../text/shell_words.ts";
import { EXPORT, formatDuration, parseExportedCredentials, usable } from "./aws_credentials.ts";
import { bedrockToken, tokenLifetime } from "./bedrock_token.ts";
import { lastLine } from "./_child_text.ts";
import type { RefreshRequest } from "./request.ts";

const REGION_ARGV = ["aws", "configure", "get", "region"];

/** Print the export line; resolves to the exit code. */
export async function bedrockExport(
  request: RefreshRequest,
  system: System,
  now: Date,
): Promise<number> {
  if (request.dryRun) {
    system.stdout(
      [
        "# llm refresh --bedrock-export --dry-run: nothing is run",
        quoteArgv(EXPORT),
        ...(regionFromEnv(system) ? [] : [quoteArgv(REGION_ARGV)]),
        "# then print: export AWS_BEARER_TOKEN_BEDROCK=bedrock-api-key-...",
      ].join("\n") + "\n",
    );
    return 0;
  }
  if (system.which("aws") === null) {
    throw new LlmError("aws not found on PATH: install AWS CLI v2, then run 'llm refresh'");
  }
  const verbose = (argv: readonly string[]) => {
    if (request.verbose) system.stderr(`+ ${quoteArgv(argv)}\n`);
  };
  verbose(EXPORT);
  const out = await system.output(EXPORT);
  const credentials = out.code === 0 ? parseExportedCredentials(out.stdout) : null;
  if (!credentials || !usable(credentials, now)) {
    throw new LlmError(
      `no valid AWS credentials${
        lastLine(out.stderr)
      }; run 'llm refresh --kind claude' first (it runs 'aws sso login')`,
    );
  }
  let region = regionFromEnv(system);
  if (!region) {
    verbose(REGION_ARGV);
    const got = await system.output(REGION_ARGV);
    region = got.code === 0 ? got.stdout.trim() : "";
  }
  if (!/^[a-z0-9-]+$/.test(region)) {
    throw new LlmError(
      region
        ? `AWS region '${region}' is not a region name such as 'us-east-1'`
        : "no AWS region: set AWS_REGION or run 'aws configure set region us-east-1'",
    );
  }
  const lifetime = tokenLifetime(now, credentials.expiration);
  if (!lifetime) throw new LlmError("the AWS credentials have expired; run 'llm refresh'");
  const token = await bedrockToken({
    credentials,
    region,
    expiresInSeconds: lifetime.seconds,
    now,
  });
  system.stdout(`export AWS_BEARER_TOKEN_BEDROCK=${quoteWord(token)}\n`);
  const length = formatDuration(lifetime.seconds * 1000);
  system.stderr(
    lifetime.limitedByCredentials
      ? `Bedrock token for ${region} valid for ${length}, until the AWS credentials expire at ${credentials.expiration?.toISOString()}\n`
      : `Bedrock token for ${region} valid for ${length} (the 12-hour maximum)\n`,
  );
  return 0;
}

function regionFromEnv(system: System): string {
  return system.env.AWS_REGION || system.env.AWS_DEFAULT_REGION || "";
}
