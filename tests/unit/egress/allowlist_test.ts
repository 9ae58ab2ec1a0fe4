import { assert, assertEquals, assertThrows } from "../../_assert.ts";
import { UsageError } from "../../../lib/errors.ts";
import {
  allowHint,
  entryAllows,
  formatHostPort,
  intersectEntries,
  listAllows,
  normalizeHost,
  parseAllowEntries,
  parseAllowEntry,
  printable,
} from "../../../lib/egress/allowlist.ts";

Deno.test("parseAllowEntry() reads a bare host as ports 80 and 443", () => {
  assertEquals(parseAllowEntry("api.example.org"), {
    host: "api.example.org",
    wildcard: false,
    ports: [80, 443],
    text: "api.example.org",
  });
});

Deno.test("parseAllowEntry() lower-cases and drops a trailing dot", () => {
  assertEquals(parseAllowEntry("API.Example.ORG.").text, "api.example.org");
  assertEquals(parseAllowEntry("API.Example.ORG.").host, "api.example.org");
});

Deno.test("parseAllowEntry() reads host:port as that port only", () => {
  assertEquals(parseAllowEntry("git.example.org:8443"), {
    host: "git.example.org",
    wildcard: false,
    ports: [8443],
    text: "git.example.org:8443",
  });
  assertEquals(parseAllowEntry("a.example:443").ports, [443]);
  assertEquals(parseAllowEntry("a.example:1").ports, [1]);
  assertEquals(parseAllowEntry("a.example:65535").ports, [65535]);
});

Deno.test("parseAllowEntry() reads wildcards with and without a port", () => {
  assertEquals(parseAllowEntry("*.Example.org"), {
    host: "example.org",
    wildcard: true,
    ports: [80, 443],
    text: "*.example.org",
  });
  assertEquals(parseAllowEntry("*.example.org:8080").text, "*.example.org:8080");
  assertEquals(parseAllowEntry("*.co.uk").host, "co.uk");
});

Deno.test("parseAllowEntry() reads single-label, underscore and punycode names", () => {
  assertEquals(parseAllowEntry("gitlab").host, "gitlab");
  assertEquals(parseAllowEntry("my_host.example").host, "my_host.example");
  assertEquals(parseAllowEntry("xn--bcher-kva.example").host, "xn--bcher-kva.example");
  assertEquals(parseAllowEntry("a-b.example").host, "a-b.example");
});

Deno.test("parseAllowEntry() reads IPv4 and bracketed IPv6 literals", () => {
  assertEquals(parseAllowEntry("10.1.2.3"), {
    host: "10.1.2.3",
    wildcard: false,
    ports: [80, 443],
    text: "10.1.2.3",
  });
  assertEquals(parseAllowEntry("127.0.0.1:8080").ports, [8080]);
  assertEquals(parseAllowEntry("[FD00::1]:8080"), {
    host: "fd00::1",
    wildcard: false,
    ports: [8080],
    text: "[fd00::1]:8080",
  });
  assertEquals(parseAllowEntry("[::1]").ports, [80, 443]);
  assertEquals(parseAllowEntry("[::ffff:10.0.0.1]:443").host, "::ffff:10.0.0.1");
  assertEquals(parseAllowEntry("[1:2:3:4:5:6:7:8]").host, "1:2:3:4:5:6:7:8");
});

const BAD: [string, string][] = [
  ["", "empty"],
  ["   ", "empty"],
  ["https://api.example.org", "without 'https://' (for example 'api.example.org')"],
  ["http://api.example.org/v1", "without 'http://' (for example 'api.example.org')"],
  ["HTTPS://x.example", "without 'HTTPS://'"],
  ["ftp://x.example", "without 'ftp://'"],
  ["api.example.org/v1", "paths and queries cannot be filtered"],
  ["api.example.org?x=1", "paths and queries"],
  ["api.example.org#f", "paths and queries"],
  ["user@api.example.org", "user names"],
  ["api .example.org", "white space"],
  ["api.example.org\t", "white space"],
  ["a..example.org", "empty label"],
  [".example.org", "empty label"],
  ["example.org..", "empty label"],
  [".", "empty label"],
  ["*", "a bare '*'"],
  ["*.", "a bare '*'"],
  ["*:443", "a bare '*'"],
  ["*.org", "a whole top-level domain"],
  ["*.*.example.org", "'*' may only stand alone"],
  ["api.*.org", "'*' may only stand alone"],
  ["a*.example.org", "'*' may only stand alone"],
  ["**.example.org", "'*' may only stand alone"],
  ["*.10.0.0.1", "a wildcard cannot apply to an address"],
  ["*.0.1", "a wildcard cannot apply to an address"],
  ["-a.example", "is not a host name label"],
  ["a-.example", "is not a host name label"],
  ["a!b.example", "is not a host name label"],
  [`${"a".repeat(64)}.example`, "is not a host name label"],
  [`${"a.".repeat(127)}ab`, "longer than 253"],
  ["bücher.example", "punycode"],
  ["a.example:", "port '' is not a number"],
  ["a.example:0", "port 0 is not from 1 to 65535"],
  ["a.example:65536", "port 65536 is not from 1 to 65535"],
  ["a.example:123456", "is not a number"],
  ["a.example:http", "port 'http' is not a number"],
  ["a.example:-1", "is not a number"],
  [":443", "no host before ':'"],
  ["a:b:c", "in brackets"],
  ["fd00::1", "in brackets"],
  ["[fd00::1", "closing ']'"],
  ["[fd00::1]x", "expected ':PORT'"],
  ["[example.org]:443", "not an IPv6 address"],
  ["[1::2::3]", "not an IPv6 address"],
  ["[1:2:3:4:5:6:7:8:9]", "not an IPv6 address"],
  ["256.1.1.1", "not a valid IPv4 address"],
  ["1.2.3", "not a valid IPv4 address"],
];

for (const [entry, why] of BAD) {
  Deno.test(`parseAllowEntry() refuses '${printable(entry, 40)}' naming it`, () => {
    const error = assertThrows(() => parseAllowEntry(entry, "config.yaml:4"), UsageError);
    assert(
      error.message.startsWith(`config.yaml:4: bad allow entry '${printable(entry)}': `),
      error.message,
    );
    assert(error.message.includes(why), `${error.message} should say ${why}`);
  });
}

Deno.test("parseAllowEntry() escapes control characters of a hostile entry", () => {
  const error = assertThrows(() => parseAllowEntry("a\x1b[31m.example"), UsageError);
  assert(!error.message.includes("\x1b"), error.message);
  assert(error.message.includes("\\x1b"), error.message);
});

Deno.test("parseAllowEntries() names the first bad entry and its origin", () => {
  assertThrows(
    () => parseAllowEntries(["ok.example", "https://bad.example"], "--allow-host"),
    UsageError,
    "--allow-host: bad allow entry 'https://bad.example'",
  );
  assertEquals(parseAllowEntries(["a.example", "b.example:1"]).map((e) => e.text), [
    "a.example",
    "b.example:1",
  ]);
});

Deno.test("entryAllows() matches an exact host on its ports only", () => {
  const e = parseAllowEntry("api.example.org");
  assert(entryAllows(e, "api.example.org", 443));
  assert(entryAllows(e, "api.example.org", 80));
  assert(entryAllows(e, "API.EXAMPLE.ORG.", 443));
  assert(!entryAllows(e, "api.example.org", 8443));
  assert(!entryAllows(e, "x.api.example.org", 443));
  assert(!entryAllows(e, "example.org", 443));
  assert(!entryAllows(e, "api.example.org.evil.example", 443));
  assert(!entryAllows(e, "evilapi.example.org", 443));
});

Deno.test("entryAllows() matches a wildcard below its domain at any depth, never the apex", () => {
  const e = parseAllowEntry("*.example.org");
  assert(entryAllows(e, "a.example.org", 443));
  assert(entryAllows(e, "a.b.c.example.org", 80));
  assert(!entryAllows(e, "example.org", 443));
  assert(!entryAllows(e, "badexample.org", 443));
  assert(!entryAllows(e, "a.example.org.evil", 443));
  assert(!entryAllows(e, "a.example.org", 22));
});

Deno.test("entryAllows() with an explicit port allows that port alone", () => {
  const e = parseAllowEntry("*.example.org:8443");
  assert(entryAllows(e, "a.example.org", 8443));
  assert(!entryAllows(e, "a.example.org", 443));
  const h = parseAllowEntry("a.example:443");
  assert(entryAllows(h, "a.example", 443));
  assert(!entryAllows(h, "a.example", 80));
});

Deno.test("entryAllows() matches address literals exactly and never by wildcard", () => {
  assert(entryAllows(parseAllowEntry("10.0.0.1"), "10.0.0.1", 443));
  assert(!entryAllows(parseAllowEntry("10.0.0.1"), "10.0.0.10", 443));
  assert(entryAllows(parseAllowEntry("[::1]:8080"), "[::1]", 8080));
  assert(entryAllows(parseAllowEntry("[::1]:8080"), "::1", 8080));
  assert(!entryAllows(parseAllowEntry("*.x0.example"), "10.0.0.1", 443));
});

Deno.test("entryAllows() never matches a malformed requested host", () => {
  const e = parseAllowEntry("*.example.org");
  assert(!entryAllows(e, "a..example.org", 443));
  assert(!entryAllows(e, "a b.example.org", 443));
  assert(!entryAllows(e, "a\x00.example.org", 443));
  assert(!entryAllows(e, "", 443));
  assert(!entryAllows(e, "*.example.org", 443));
});

Deno.test("listAllows() is true when any entry allows", () => {
  const list = parseAllowEntries(["a.example", "*.b.example:8080"]);
  assert(listAllows(list, "a.example", 443));
  assert(listAllows(list, "x.b.example", 8080));
  assert(!listAllows(list, "x.b.example", 443));
  assert(!listAllows([], "a.example", 443));
});

Deno.test("normalizeHost() accepts names and literals and refuses the rest", () => {
  assertEquals(normalizeHost("A.Example."), "a.example");
  assertEquals(normalizeHost("[FE80::1]"), "fe80::1");
  assertEquals(normalizeHost("1.2.3.4"), "1.2.3.4");
  assertEquals(normalizeHost("1.2.3.400"), undefined);
  assertEquals(normalizeHost("[zz::1]"), undefined);
  assertEquals(normalizeHost("::1"), "::1");
  assertEquals(normalizeHost("::1::2"), undefined);
  assertEquals(normalizeHost(""), undefined);
  assertEquals(normalizeHost("a/b"), undefined);
  assertEquals(normalizeHost("a..b"), undefined);
});

Deno.test("intersectEntries() keeps exactly what both entries allow", () => {
  const p = (s: string) => parseAllowEntry(s);
  const text = (a: string, b: string) => intersectEntries(p(a), p(b))?.text;
  assertEquals(text("a.example", "a.example"), "a.example");
  assertEquals(text("a.example", "b.example"), undefined);
  assertEquals(text("*.x.example", "a.b.x.example"), "a.b.x.example");
  assertEquals(text("a.b.x.example", "*.x.example"), "a.b.x.example");
  assertEquals(text("*.x.example", "x.example"), undefined);
  assertEquals(text("*.x.example", "*.b.x.example"), "*.b.x.example");
  assertEquals(text("*.b.x.example", "*.x.example"), "*.b.x.example");
  assertEquals(text("*.a.example", "*.b.example"), undefined);
  assertEquals(text("*.x.example:443", "a.x.example"), "a.x.example:443");
  assertEquals(text("a.example:8080", "a.example"), undefined);
  assertEquals(text("a.example:8080", "*.x.example:8080"), undefined);
  assertEquals(text("x.a.example:8080", "*.a.example:8080"), "x.a.example:8080");
  assertEquals(text("[::1]:80", "[::1]"), "[::1]:80");
  assertEquals(intersectEntries(p("a.example"), p("a.example:443"))?.ports, [443]);
});

Deno.test("allowHint() and formatHostPort() write the host as --allow-host takes it", () => {
  assertEquals(allowHint("evil.example", 443), "evil.example");
  assertEquals(allowHint("evil.example", 80), "evil.example");
  assertEquals(allowHint("evil.example", 8443), "evil.example:8443");
  assertEquals(allowHint("::1", 8443), "[::1]:8443");
  assertEquals(formatHostPort("::1", 443), "[::1]:443");
  assertEquals(formatHostPort("a.example", 443), "a.example:443");
});

Deno.test("every hint the proxy gives parses back to an entry that allows the host", () => {
  for (
    const [host, port] of [["a.example", 443], ["a.example", 9], ["10.0.0.1", 8080], [
      "::1",
      80,
    ]] as const
  ) {
    assert(entryAllows(parseAllowEntry(allowHint(host, port)), host, port), `${host}:${port}`);
  }
});

Deno.test("printable() escapes controls and non-ASCII and bounds the length", () => {
  assertEquals(printable("a\nb\x1b"), "a\\x0ab\\x1b");
  assertEquals(printable("é"), "\\xe9");
  assertEquals(printable("€"), "\\u20ac");
  assertEquals(printable("abcdef", 3), "abc...");
});
