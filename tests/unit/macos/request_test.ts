import { emptyOptions, parseOptions } from "../../../lib/cli/parse.ts";
import { UsageError } from "../../../lib/errors.ts";
import { SETUP_MACOS_VOLUME } from "../../../lib/macos/spec.ts";
import { fixCommand, setupRequest, volumePath } from "../../../lib/macos/request.ts";
import { COMMAND_COMMON_OPTIONS } from "../../../lib/cli/options.ts";
import { assertEquals, assertThrows } from "../../_assert.ts";

function request(args: string[]) {
  const parsed = parseOptions(args, [...SETUP_MACOS_VOLUME.options, ...COMMAND_COMMON_OPTIONS], {
    stopAtPositional: false,
  });
  return setupRequest(parsed.options, parsed.rest);
}

Deno.test("setupRequest defaults to the volume devel and podman's default machine", () => {
  assertEquals(setupRequest(emptyOptions(), []), {
    name: "devel",
    machine: undefined,
    yes: false,
    dryRun: false,
    check: false,
    verbose: false,
  });
});

Deno.test("setupRequest reads every option, -y included", () => {
  assertEquals(
    request(["--name", "my vol", "--machine", "work", "-y", "--check", "--dry-run", "--verbose"]),
    { name: "my vol", machine: "work", yes: true, dryRun: true, check: true, verbose: true },
  );
});

Deno.test("setupRequest refuses names that cannot be a volume or a --volume spec", () => {
  for (const name of ["", "a/b", "a:b", ".hidden", " lead", "trail ", "x".repeat(256)]) {
    assertThrows(() => request(["--name", name]), UsageError, `--name '${name}'`);
  }
});

Deno.test("fixCommand adds only the options that differ from the defaults, quoted for bash", () => {
  assertEquals(fixCommand({ name: "devel" }), "llm setup-macos-volume");
  assertEquals(
    fixCommand({ name: "my vol", machine: "work" }),
    "llm setup-macos-volume --name 'my vol' --machine work",
  );
});

Deno.test("volumePath puts the volume under /Volumes", () => {
  assertEquals(volumePath("devel"), "/Volumes/devel");
});
