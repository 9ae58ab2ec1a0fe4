/**
 * image/llm-claude-statusline run for real with Node on session JSON shaped
 * as Claude Code 2.1 writes it to a status line command's stdin (the
 * fields its documentation lists: model, context_window with current_usage,
 * cost). The first sample is a session in progress; the others are a
 * session before its first answer and older versions without
 * used_percentage.
 */
import { assertEquals } from "../../_assert.ts";

const SCRIPT = new URL("../../../image/llm-claude-statusline", import.meta.url).pathname;

const IN_PROGRESS = {
  hook_event_name: "Status",
  session_id: "4f0c8e6a-2b7d-4e52-9c1e-0d6f6a1b2c3d",
  transcript_path: "/home/devuser/.claude/projects/-work-project/4f0c8e6a.jsonl",
  cwd: "/work/project",
  model: { id: "claude-opus-4-1-20250805", display_name: "Opus 4.1" },
  workspace: { current_dir: "/work/project", project_dir: "/work/project" },
  version: "2.1.332",
  output_style: { name: "default" },
  cost: {
    total_cost_usd: 1.23456,
    total_duration_ms: 754_321,
    total_api_duration_ms: 301_000,
    total_lines_added: 156,
    total_lines_removed: 23,
  },
  context_window: {
    total_input_tokens: 15_234,
    total_output_tokens: 4_521,
    context_window_size: 200_000,
    used_percentage: 42.6,
    remaining_percentage: 57.4,
    current_usage: {
      input_tokens: 1_200,
      output_tokens: 540,
      cache_creation_input_tokens: 5_000,
      cache_read_input_tokens: 79_000,
    },
  },
  exceeds_200k_tokens: false,
};

async function statusLine(input: string, env: Record<string, string> = {}): Promise<string> {
  const child = new Deno.Command("node", {
    args: [SCRIPT],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const out = await child.output();
  const stderr = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, stderr);
  assertEquals(stderr, "");
  return new TextDecoder().decode(out.stdout);
}

Deno.test("llm-claude-statusline shows model, context use, cost and duration on one line", async () => {
  assertEquals(
    await statusLine(JSON.stringify(IN_PROGRESS)),
    "Opus 4.1 | ctx 43% (85k/200k) | $1.23 | 12m 34s\n",
  );
});

Deno.test("llm-claude-statusline colours the model and the context use unless NO_COLOR", async () => {
  const coloured = await statusLine(JSON.stringify(IN_PROGRESS), { NO_COLOR: "" });
  assertEquals(
    coloured,
    "\x1b[1mOpus 4.1\x1b[0m | \x1b[32mctx 43%\x1b[0m (85k/200k) | $1.23 | 12m 34s\n",
  );
  const full = {
    ...IN_PROGRESS,
    context_window: { ...IN_PROGRESS.context_window, used_percentage: 91 },
  };
  const warn = await statusLine(JSON.stringify(full), { NO_COLOR: "" });
  assertEquals(warn.includes("\x1b[31mctx 91%\x1b[0m"), true, warn);
});

Deno.test("llm-claude-statusline before the first answer: no usage yet, nothing spent", async () => {
  const fresh = {
    ...IN_PROGRESS,
    cost: { total_cost_usd: 0, total_duration_ms: 4_200 },
    context_window: { context_window_size: 200_000, current_usage: null },
  };
  assertEquals(await statusLine(JSON.stringify(fresh)), "Opus 4.1 | $0.00 | 4s\n");
});

Deno.test("llm-claude-statusline works out the context use where used_percentage is missing", async () => {
  const older = {
    model: { id: "claude-sonnet-4-5" },
    cost: { total_cost_usd: 12.5, total_duration_ms: 3_723_000 },
    context_window: {
      context_window_size: 1_000_000,
      current_usage: {
        input_tokens: 10,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 249_990,
      },
    },
  };
  assertEquals(
    await statusLine(JSON.stringify(older)),
    "claude-sonnet-4-5 | ctx 25% (250k/1M) | $12.50 | 1h 02m\n",
  );
});

Deno.test("llm-claude-statusline says so when its input is not session JSON", async () => {
  assertEquals(await statusLine("not json"), "status: no session data\n");
  assertEquals(await statusLine("{}"), "unknown model\n");
});
