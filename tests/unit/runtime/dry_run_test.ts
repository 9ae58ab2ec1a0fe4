import { assert, assertEquals, assertStringIncludes } from "../../_assert.ts";
import { dryRunLine, type DryRunSetUp } from "../../../lib/runtime/dry_run.ts";
import type { RuntimeCommand } from "../../../lib/runtime/runtime.ts";

const P = "/tmp/llm-XXXXXX";

const SET_UP: DryRunSetUp = {
  placeholder: P,
  entries: [
    { kind: "dir", path: "empty", mode: 0o500 },
    { kind: "file", path: "empty-file", mode: 0o444 },
    { kind: "dir", path: "session", mode: 0o700 },
  ],
};

/** Run a line with real bash, as a user pasting it would. */
async function bash(line: string, env: Record<string, string> = {}) {
  const out = await new Deno.Command("bash", {
    args: ["-c", line],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("dryRunLine() without the temporary directory is the plain quoted argv", () => {
  const command: RuntimeCommand = {
    argv: ["podman", "run", `--env-file=${P}/env`, `--cidfile=${P}/created`, "img", "a b"],
    envFile: { path: `${P}/env`, lines: ["A=1 2"] },
    createdMarker: `${P}/created`,
  };
  assertEquals(
    dryRunLine(command, {}, SET_UP),
    "podman run --env-file <(printf '%s\\n' 'A=1 2') img 'a b'",
  );
});

Deno.test("dryRunLine() makes the temporary directory the command names, as the launch would, and removes it", async () => {
  const home = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${home}/state.json`, '{"a":1}\n');
    const setUp: DryRunSetUp = {
      placeholder: P,
      entries: [
        ...SET_UP.entries,
        { kind: "copy", path: "session/state.json", from: `${home}/state.json`, fallback: "{}\n" },
        { kind: "copy", path: "session/gone.json", from: `${home}/gone.json`, fallback: "{}\n" },
      ],
    };
    // The "runtime" reports what it finds there and where the directory was.
    const command: RuntimeCommand = {
      argv: [
        "sh",
        "-c",
        'echo "$0"; stat -c "%a %F" "$0/empty" "$0/empty-file" "$0/session"; cat "$0/session/state.json" "$0/session/gone.json"',
        `${P}`,
      ],
    };
    const line = dryRunLine(command, {}, setUp);
    assertEquals(line.split("\n").length, 1);
    assertStringIncludes(line, "d=$(mktemp -d /tmp/llm-XXXXXX)");
    const r = await bash(line);
    assertEquals(r.code, 0, r.stderr);
    const [dir, ...rest] = r.stdout.trimEnd().split("\n");
    assert(dir.startsWith("/tmp/llm-") && dir !== P, dir);
    assertEquals(rest, [
      "500 directory",
      "444 regular empty file",
      "700 directory",
      '{"a":1}',
      "{}",
    ]);
    // Gone once the command ended.
    assertEquals(await Deno.stat(dir).then(() => true, () => false), false);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("dryRunLine() keeps the command's own exit status and still removes the directory", async () => {
  const command: RuntimeCommand = { argv: ["sh", "-c", 'echo "$0"; exit 7', `${P}/x`] };
  const r = await bash(dryRunLine(command, {}, SET_UP));
  assertEquals(r.code, 7);
  const dir = r.stdout.trim().replace(/\/x$/, "");
  assertEquals(await Deno.stat(dir).then(() => true, () => false), false);
});

Deno.test("dryRunLine() puts the directory into runtime variables too, values quoted", async () => {
  const command: RuntimeCommand = {
    argv: ["sh", "-c", 'printf "%s\\n" "$X"'],
    env: { X: `it's ${P}/home` },
  };
  const line = dryRunLine(command, {}, SET_UP);
  assertStringIncludes(line, `X='it'\\''s '"$d"/home sh`);
  const r = await bash(line);
  assertEquals(r.code, 0, r.stderr);
  assert(/^it's \/tmp\/llm-\w+\/home$/.test(r.stdout.trim()), r.stdout);
});
