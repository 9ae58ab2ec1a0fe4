/**
 * Mock model servers for the real-agent tests, on 127.0.0.1 with a port
 * chosen by the kernel, so no request leaves the machine. Each speaks just
 * enough of one public streaming API for an agent to make one shell tool
 * call and then finish:
 *
 * - `startResponsesMock`: OpenAI's Responses API (`POST …/responses`, SSE), for Codex.
 * - `startMessagesMock`: Anthropic's Messages API (`POST /v1/messages`, SSE), for Claude Code.
 * - `startChatMock`: OpenAI's Chat Completions API (`POST …/chat/completions`, SSE), for Pi.
 *
 * The first turn answers with a call to the agent's own shell tool (found by
 * name in the request's tool list) running `command`; a turn that carries
 * the tool's result answers with `finalText`. With `fail`, every model
 * request gets HTTP 400, which no agent retries, so the agent exits with
 * an error of its own.
 */

/** What the mock answers. */
export interface MockScript {
  /** The shell command the tool call runs (in the agent's working directory). */
  readonly command: string;
  /** The assistant's last message, after the tool result came back. */
  readonly finalText: string;
  /** Answer every model request with HTTP 400 instead. */
  readonly fail?: boolean;
  /** Called with each request (already recorded) before it is answered. */
  readonly beforeAnswer?: (req: SeenRequest, mock: MockModel) => void | Promise<void>;
}

/** One request the mock received. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  /** The Authorization header as sent, or null. */
  readonly authorization: string | null;
  // deno-lint-ignore no-explicit-any
  readonly body: any;
}

/** A running mock. */
export interface MockModel {
  /** Base URL with no trailing slash, e.g. http://127.0.0.1:41234 */
  readonly origin: string;
  readonly requests: SeenRequest[];
  /** Text of every tool result the agent sent back, in order. */
  readonly toolResults: string[];
  close(): Promise<void>;
}

/** The error body every API here uses for a rejected request (close enough for all three). */
const REJECTED = {
  type: "error",
  error: { type: "invalid_request_error", message: "mock model: request rejected by the test" },
};

function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/** An SSE body; `named` adds `event:` lines (Responses and Messages use them, Chat does not). */
function sse(events: readonly unknown[], named: boolean, done = false): Response {
  const lines = events.map((e) => {
    const type = (e as { type?: string }).type;
    return `${named && type ? `event: ${type}\n` : ""}data: ${JSON.stringify(e)}\n\n`;
  });
  if (done) lines.push("data: [DONE]\n\n");
  return new Response(lines.join(""), {
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
  });
}

type Handler = (req: SeenRequest, mock: MockModel) => Response;

function serve(handler: Handler, script?: MockScript): MockModel {
  const requests: SeenRequest[] = [];
  const toolResults: string[] = [];
  let origin = "";
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, async (request) => {
    const url = new URL(request.url);
    const text = request.method === "POST" ? await request.text() : "";
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    const authorization = request.headers.get("authorization");
    const seen = { method: request.method, path: url.pathname, authorization, body };
    requests.push(seen);
    await script?.beforeAnswer?.(seen, mock);
    return handler(seen, mock);
  });
  origin = `http://127.0.0.1:${server.addr.port}`;
  const mock: MockModel = {
    origin,
    requests,
    toolResults,
    async close() {
      await server.shutdown();
    },
  };
  return mock;
}

/** Names of the tools a request offers (each API nests them differently). */
// deno-lint-ignore no-explicit-any
function toolNames(body: any): string[] {
  // deno-lint-ignore no-explicit-any
  return (body?.tools ?? []).map((t: any) => t?.name ?? t?.function?.name).filter(Boolean);
}

/** Flatten whatever a tool result carries (string, or content parts) to text. */
function textOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(textOf).join("");
  if (value && typeof value === "object") {
    const v = value as Record<string, unknown>;
    return textOf(v.text ?? v.content ?? v.output ?? "");
  }
  return "";
}

/**
 * OpenAI Responses API, as Codex streams it: `response.created`, output
 * items (`response.output_item.done`), then `response.completed`.
 */
export function startResponsesMock(script: MockScript): MockModel {
  let turn = 0;
  return serve((req, mock) => {
    if (req.method !== "POST") return json({ object: "list", data: [], models: [] });
    if (!req.path.endsWith("/responses")) return json(REJECTED, 404);
    if (script.fail) return json(REJECTED, 400);
    const id = `resp_mock_${++turn}`;
    // deno-lint-ignore no-explicit-any
    const input: any[] = Array.isArray(req.body?.input) ? req.body.input : [];
    const results = input.filter((i) =>
      i?.type === "function_call_output" || i?.type === "custom_tool_call_output"
    );
    const done = (item: unknown) => ({ type: "response.output_item.done", item });
    const completed = {
      type: "response.completed",
      response: {
        id,
        usage: {
          input_tokens: 10,
          input_tokens_details: null,
          output_tokens: 5,
          output_tokens_details: null,
          total_tokens: 15,
        },
      },
    };
    const created = { type: "response.created", response: { id } };
    if (results.length > 0) {
      for (const r of results) mock.toolResults.push(textOf(r.output));
      return sse([
        created,
        done({
          type: "message",
          role: "assistant",
          id: `msg_${id}`,
          content: [{ type: "output_text", text: script.finalText }],
        }),
        completed,
      ], true);
    }
    // Codex offers its shell under one of these names, depending on the
    // model family it assumes for an unknown model.
    const names = toolNames(req.body);
    let call: { name: string; arguments: unknown } | null = null;
    if (names.includes("exec_command")) {
      call = { name: "exec_command", arguments: { cmd: script.command } };
    } else if (names.includes("shell_command")) {
      call = { name: "shell_command", arguments: { command: script.command } };
    } else if (names.includes("shell")) {
      call = { name: "shell", arguments: { command: ["bash", "-lc", script.command] } };
    }
    if (!call) {
      return json({
        error: { message: `mock model: no shell tool among ${JSON.stringify(names)}` },
      }, 400);
    }
    return sse([
      created,
      done({
        type: "function_call",
        id: `fc_${id}`,
        call_id: `call_${id}`,
        name: call.name,
        arguments: JSON.stringify(call.arguments),
      }),
      completed,
    ], true);
  }, script);
}

/**
 * Anthropic Messages API, as Claude Code streams it: `message_start`,
 * content blocks with deltas, `message_delta` with the stop reason,
 * `message_stop`. Requests without the Bash tool (Claude Code's side
 * requests, such as titles) get a short text answer.
 */
export function startMessagesMock(script: MockScript): MockModel {
  let turn = 0;
  return serve((req, mock) => {
    if (req.method !== "POST") return json({ data: [], has_more: false });
    if (req.path.endsWith("/count_tokens")) return json({ input_tokens: 10 });
    if (!req.path.endsWith("/messages")) return json(REJECTED, 404);
    if (script.fail) return json(REJECTED, 400);
    const id = `msg_mock_${++turn}`;
    // deno-lint-ignore no-explicit-any
    const messages: any[] = req.body?.messages ?? [];
    const last = messages.at(-1);
    const lastParts = Array.isArray(last?.content) ? last.content : [];
    // deno-lint-ignore no-explicit-any
    const results = lastParts.filter((p: any) => p?.type === "tool_result");
    const hasBash = toolNames(req.body).includes("Bash");
    let block: Record<string, unknown>;
    let delta: Record<string, unknown>;
    let stop: string;
    if (hasBash && results.length === 0) {
      const input = { command: script.command, description: "Write the test file" };
      block = { type: "tool_use", id: `toolu_${id}`, name: "Bash", input: {} };
      delta = { type: "input_json_delta", partial_json: JSON.stringify(input) };
      stop = "tool_use";
      if (!req.body?.stream) {
        return json(message(id, req.body?.model, [{ ...block, input }], stop));
      }
    } else {
      // deno-lint-ignore no-explicit-any
      for (const r of results) mock.toolResults.push(textOf((r as any).content));
      const text = hasBash ? script.finalText : "mock title";
      block = { type: "text", text: "" };
      delta = { type: "text_delta", text };
      stop = "end_turn";
      if (!req.body?.stream) {
        return json(message(id, req.body?.model, [{ type: "text", text }], stop));
      }
    }
    return sse([
      { type: "message_start", message: message(id, req.body?.model, [], null) },
      { type: "content_block_start", index: 0, content_block: block },
      { type: "content_block_delta", index: 0, delta },
      { type: "content_block_stop", index: 0 },
      {
        type: "message_delta",
        delta: { stop_reason: stop, stop_sequence: null },
        usage: { output_tokens: 5 },
      },
      { type: "message_stop" },
    ], true);
  }, script);
}

function message(id: string, model: unknown, content: unknown[], stop: string | null) {
  return {
    id,
    type: "message",
    role: "assistant",
    model: typeof model === "string" ? model : "mock-model",
    content,
    stop_reason: stop,
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 1 },
  };
}

/**
 * OpenAI Chat Completions, as Pi's `openai-completions` API streams it:
 * `chat.completion.chunk` objects, a usage chunk, then `[DONE]`.
 */
export function startChatMock(script: MockScript): MockModel {
  let turn = 0;
  return serve((req, mock) => {
    if (req.method !== "POST") return json({ object: "list", data: [] });
    if (!req.path.endsWith("/chat/completions")) return json(REJECTED, 404);
    if (script.fail) return json(REJECTED, 400);
    const id = `chatcmpl_mock_${++turn}`;
    // deno-lint-ignore no-explicit-any
    const messages: any[] = req.body?.messages ?? [];
    const chunk = (delta: unknown, finish: string | null) => ({
      id,
      object: "chat.completion.chunk",
      created: Math.floor(Date.now() / 1000),
      model: req.body?.model ?? "mock-model",
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    const usage = {
      id,
      object: "chat.completion.chunk",
      created: Math.floor(Date.now() / 1000),
      model: req.body?.model ?? "mock-model",
      choices: [],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    };
    if (messages.at(-1)?.role === "tool") {
      for (const m of messages.filter((m) => m?.role === "tool")) {
        mock.toolResults.push(textOf(m.content));
      }
      return sse(
        [
          chunk({ role: "assistant", content: script.finalText }, null),
          chunk({}, "stop"),
          usage,
        ],
        false,
        true,
      );
    }
    const names = toolNames(req.body);
    if (!names.includes("bash")) {
      return json(
        { error: { message: `mock model: no bash tool among ${JSON.stringify(names)}` } },
        400,
      );
    }
    return sse(
      [
        chunk({
          role: "assistant",
          content: null,
          tool_calls: [{
            index: 0,
            id: `call_${id}`,
            type: "function",
            function: { name: "bash", arguments: JSON.stringify({ command: script.command }) },
          }],
        }, null),
        chunk({}, "tool_calls"),
        usage,
      ],
      false,
      true,
    );
  }, script);
}
