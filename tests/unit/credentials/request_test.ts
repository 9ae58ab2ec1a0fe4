import { parseOptions } from "../../../lib/cli/parse.ts";
import { COMMAND_COMMON_OPTIONS } from "../../../lib/cli/options.ts";
import { REFRESH_COMMAND } from "../../../lib/credentials/command.ts";
import { refreshRequest } from "../../../lib/credentials/request.ts";
import { UsageError } from "../../../lib/errors.ts";
import { assertEquals, assertThrows } from "../../_assert.ts";

function request(args: string[], env: Record<string, string> = { USER: "me" }) {
  const parsed = parseOptions(args, [...REFRESH_COMMAND.options, ...COMMAND_COMMON_OPTIONS], {
    stopAtPositional: false,
  });
  return refreshRequest(parsed.options, parsed.rest, env);
}

Deno.test("refreshRequest() defaults: all kinds, local only, export on", () => {
  assertEquals(request([]), {
    kind: "all",
    sshOptions: [],
    full: false,
    showFiles: false,
    exportCreds: true,
    bedrockExport: false,
    dryRun: false,
    verbose: false,
  });
});

Deno.test("refreshRequest() reads every flag", () => {
  const r = request([
    "--kind=pi",
    "--remote",
    "hpc",
    "--user",
    "you",
    "--ssh-option",
    "Port=2222",
    "--ssh-option=BatchMode=yes",
    "--full",
    "--no-export-creds",
    "--dry-run",
    "--verbose",
  ]);
  assertEquals(r, {
    kind: "pi",
    destination: "you@hpc",
    sshOptions: ["Port=2222", "BatchMode=yes"],
    full: true,
    showFiles: false,
    exportCreds: false,
    bedrockExport: false,
    dryRun: true,
    verbose: true,
  });
});

Deno.test("refreshRequest() takes the remote user from USER, then LOGNAME", () => {
  assertEquals(request(["--remote", "hpc"]).destination, "me@hpc");
  assertEquals(request(["--remote", "hpc"], { LOGNAME: "log" }).destination, "log@hpc");
  assertEquals(request(["--remote", "hpc"], {}).destination, "hpc");
  assertEquals(request(["--remote", "x@hpc"]).destination, "x@hpc");
});

Deno.test("refreshRequest() reads --show-files and --bedrock-export", () => {
  assertEquals(request(["--show-files", "--full"]).showFiles, true);
  assertEquals(request(["--bedrock-export"]).bedrockExport, true);
});

Deno.test("refreshRequest() refuses positional arguments", () => {
  assertThrows(() => request(["hpc"]), UsageError, "did you mean --remote hpc?");
});

Deno.test("refreshRequest() refuses an unknown --kind", () => {
  assertThrows(() => request(["--kind", "gpt"]), UsageError, "--kind must be one of");
});

Deno.test("refreshRequest() refuses remote-only options without --remote", () => {
  assertThrows(() => request(["--user", "x"]), UsageError, "--user needs --remote");
  assertThrows(() => request(["--ssh-option", "Port=1"]), UsageError, "--ssh-option needs");
  assertThrows(() => request(["--full"]), UsageError, "--full needs --remote");
});

Deno.test("refreshRequest() refuses --bedrock-export with push or export options", () => {
  for (const extra of [["--remote", "hpc"], ["--show-files"], ["--no-export-creds"]]) {
    assertThrows(() => request(["--bedrock-export", ...extra]), UsageError, "only prints a token");
  }
});
