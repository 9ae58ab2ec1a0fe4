import { UsageError } from "../../../lib/errors.ts";
import {
  checkSshOption,
  destination,
  rsyncArgv,
  rsyncQuote,
} from "../../../lib/credentials/rsync.ts";
import { assertEquals, assertThrows } from "../../_assert.ts";

Deno.test("rsyncArgv() pushes every path in one command relative to the home", () => {
  assertEquals(
    rsyncArgv({
      home: "/Users/me/",
      paths: [".codex/auth.json", ".codex/skills/", ".claude.json"],
      destination: "me@hpc",
      sshOptions: [],
    }),
    [
      "rsync",
      "--recursive",
      "--links",
      "--safe-links",
      "--perms",
      "--times",
      "--relative",
      "--chmod=D700,Fu+rw,Fgo-rwx",
      "/Users/me/./.codex/auth.json",
      "/Users/me/./.codex/skills",
      "/Users/me/./.claude.json",
      "me@hpc:",
    ],
  );
});

Deno.test("rsyncArgv() passes ssh options through --rsh, quoted for rsync", () => {
  const argv = rsyncArgv({
    home: "/h",
    paths: [".aws/config"],
    destination: "hpc",
    sshOptions: ["Port=2222", "IdentityFile=/keys/my key", "ProxyJump=o'brien@gw"],
  });
  assertEquals(argv.slice(8, 10), [
    "--rsh",
    "ssh -o Port=2222 -o 'IdentityFile=/keys/my key' -o 'ProxyJump=o''brien@gw'",
  ]);
});

Deno.test("rsyncQuote() leaves plain words bare", () => {
  assertEquals(rsyncQuote("StrictHostKeyChecking=no"), "StrictHostKeyChecking=no");
  assertEquals(rsyncQuote(""), "''");
});

Deno.test("destination() adds --user, or the default user, to the host", () => {
  assertEquals(destination("hpc", "me"), "me@hpc");
  assertEquals(destination("hpc", undefined), "hpc");
  assertEquals(destination("you@hpc", undefined), "you@hpc");
});

Deno.test("destination() refuses a user given twice", () => {
  assertThrows(() => destination("you@hpc", "me"), UsageError, "give the user once");
});

Deno.test("destination() refuses hosts ssh or rsync would misread", () => {
  for (const bad of ["", "-oProxyCommand=x", "hpc:/tmp", "a b", "host/path"]) {
    assertThrows(() => destination(bad, undefined), UsageError, "--remote must be");
  }
});

Deno.test("destination() refuses a host part after the user that ssh would read as an option", () => {
  const e = assertThrows(
    () => destination("me@-oProxyCommand=x", undefined),
    UsageError,
  );
  assertEquals(
    e.message,
    "--remote: the host in 'me@-oProxyCommand=x' must be a host name or ssh alias " +
      "such as 'biowulf.nih.gov', not empty or starting with '-'",
  );
  assertEquals((e as UsageError).exitCode, 2);
  assertThrows(() => destination("me@", undefined), UsageError, "the host in 'me@' must be");
  assertThrows(() => destination("me@-p", "you"), UsageError, "give the user once");
});

Deno.test("destination() names the value when a bare host starts with '-'", () => {
  const e = assertThrows(() => destination("-oProxyCommand=x", "me"), UsageError);
  assertEquals(
    e.message,
    "--remote must be a host name or ssh alias such as 'biowulf.nih.gov' (got '-oProxyCommand=x')",
  );
  assertEquals((e as UsageError).exitCode, 2);
});

Deno.test("destination() refuses control characters in the host", () => {
  assertThrows(() => destination("hpc\x1b[31m", undefined), UsageError, "--remote must be");
});

Deno.test("rsyncArgv() keeps links as links and drops those leaving the tree, never copying targets", () => {
  const argv = rsyncArgv({
    home: "/h",
    paths: [".codex/skills/"],
    destination: "hpc",
    sshOptions: [],
  });
  assertEquals(argv.filter((a) => a.includes("links")), ["--links", "--safe-links"]);
  for (const deref of ["-L", "--copy-links", "--copy-unsafe-links", "--copy-dirlinks", "-k"]) {
    assertEquals(argv.includes(deref), false, deref);
  }
});

Deno.test("destination() refuses a user name with odd characters", () => {
  assertThrows(() => destination("hpc", "-l"), UsageError, "--user: '-l'");
  assertThrows(() => destination("a b@hpc", undefined), UsageError);
});

Deno.test("checkSshOption() accepts Key=Value and Key Value, refuses flags", () => {
  assertEquals(checkSshOption("Port=2222"), "Port=2222");
  assertEquals(checkSshOption("Port 2222"), "Port 2222");
  assertThrows(() => checkSshOption("-p 22"), UsageError, "'-p 22'");
  assertThrows(() => checkSshOption("Port"), UsageError);
});
