import { awaitReply, createReplyScript, estimateTokens, exposeAiFake, requestBodies, type FakeAiServer } from './ai-common.js';
import { fakeToken, startFakeHttpServer, type FakeReply } from './network/fake-http-server.js';

/**
 * A fake Anthropic Messages API: POST /v1/messages with both structured-output mechanisms the SDK uses
 * (output_config.format json_schema answered as JSON text, and a forced tool — tool_choice
 * {type: "tool"} or "any" — answered as a tool_use block), usage, max_tokens cut-offs (stop_reason
 * "max_tokens"), refusals (stop_reason "refusal"), and GET /v1/models. Requests need x-api-key and
 * anthropic-version. Errors use { type: "error", error: { type, message } }; 429 carries Retry-After;
 * 529 is "overloaded_error". Replies are scripted with reply(...) (ai-common.ts), else synthesized.
 */
export type FakeAnthropic = FakeAiServer & {
  /** The JSON bodies of the messages calls received, oldest first. */
  messageRequests(): Array<Record<string, unknown>>;
};

type Body = Record<string, unknown>;

const errorTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

function anthropicError(status: number, message: string): FakeReply {
  return { status, body: { type: 'error', error: { type: errorTypes[status] ?? 'api_error', message } } };
}

const rateLimitHeaders = (seconds: number) => ({
  'retry-after': String(seconds),
  'anthropic-ratelimit-requests-limit': '50',
  'anthropic-ratelimit-requests-remaining': '0',
  'anthropic-ratelimit-requests-reset': new Date(Date.now() + seconds * 1000).toISOString(),
});

/** How the request asks for structured output: a forced tool, native output_config, or not at all. */
function structuredMode(body: Body): { mode: 'tool'; name: string; schema: unknown } | { mode: 'text'; schema: unknown } {
  const tools = Array.isArray(body.tools) ? (body.tools as Array<{ name?: string; input_schema?: unknown }>) : [];
  const choice = body.tool_choice as { type?: string; name?: string } | undefined;
  const forced = choice?.type === 'tool' ? tools.find((tool) => tool.name === choice.name) : choice?.type === 'any' ? tools[0] : undefined;
  if (forced?.name) return { mode: 'tool', name: forced.name, schema: forced.input_schema ?? { type: 'object' } };
  const format = (body.output_config as { format?: { type?: string; schema?: unknown } } | undefined)?.format;
  return { mode: 'text', schema: format?.type === 'json_schema' ? (format.schema ?? { type: 'object' }) : null };
}

export async function startAnthropicFake(options: { apiKey?: string; models?: string[] } = {}): Promise<FakeAnthropic> {
  const apiKey = options.apiKey ?? fakeToken('sk-ant-test');
  const models = options.models ?? ['claude-sonnet-4-5', 'claude-3-haiku-20240307'];
  const script = createReplyScript();
  let sequence = 0;

  const authenticate = (headers: Record<string, string | string[] | undefined>): FakeReply | null => {
    if (headers['x-api-key'] !== apiKey) return anthropicError(401, 'invalid x-api-key');
    if (!headers['anthropic-version']) return anthropicError(400, 'anthropic-version: header is required');
    return null;
  };

  async function createMessage(headers: Record<string, string | string[] | undefined>, body: Body | null): Promise<FakeReply> {
    const refused = authenticate(headers);
    if (refused) return refused;
    if (!body || typeof body.model !== 'string') return anthropicError(400, 'model: Field required');
    if (typeof body.max_tokens !== 'number') return anthropicError(400, 'max_tokens: Field required');
    if (!Array.isArray(body.messages) || body.messages.length === 0) return anthropicError(400, 'messages: at least one message is required');
    if (!models.includes(body.model)) return anthropicError(404, `model: ${body.model}`);
    if (body.stream === true) return anthropicError(400, 'This fake does not stream.');
    const structured = structuredMode(body);

    const reply = script.next(structured.schema);
    await awaitReply(reply);
    if (reply.kind === 'rate_limited') {
      return { ...anthropicError(429, 'Number of request tokens has exceeded your per-minute rate limit.'), headers: rateLimitHeaders(reply.retryAfterSeconds) };
    }
    if (reply.kind === 'server_error') return anthropicError(reply.status ?? 500, reply.status === 529 ? 'Overloaded' : 'Internal server error');
    if (reply.kind === 'unauthorized') return anthropicError(401, 'invalid x-api-key');
    if (reply.kind === 'hang') return anthropicError(500, 'unreachable');

    sequence += 1;
    const text = reply.kind === 'refusal' ? reply.message : reply.kind === 'text' ? reply.text : JSON.stringify(reply.value);
    const outputTokens = reply.usage?.outputTokens ?? estimateTokens(text);
    const cutOff = reply.kind !== 'refusal' && outputTokens > body.max_tokens;
    let content: unknown[];
    let stopReason: string;
    if (reply.kind === 'refusal') {
      content = [{ type: 'text', text }];
      stopReason = 'refusal';
    } else if (cutOff) {
      content = [{ type: 'text', text: text.slice(0, body.max_tokens * 4) }];
      stopReason = 'max_tokens';
    } else if (structured.mode === 'tool' && reply.kind === 'object') {
      content = [{ type: 'tool_use', id: `toolu_fake${sequence}`, name: structured.name, input: reply.value }];
      stopReason = 'tool_use';
    } else {
      content = [{ type: 'text', text }];
      stopReason = 'end_turn';
    }
    const inputTokens = reply.usage?.inputTokens ?? estimateTokens(JSON.stringify([body.system ?? null, body.messages, body.tools ?? null, body.output_config ?? null]));
    return {
      status: 200,
      body: {
        id: `msg_fake${sequence}`,
        type: 'message',
        role: 'assistant',
        model: body.model,
        content,
        stop_reason: stopReason,
        stop_sequence: null,
        usage: {
          input_tokens: inputTokens,
          output_tokens: cutOff ? body.max_tokens : outputTokens,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          service_tier: 'standard',
        },
      },
    };
  }

  const server = await startFakeHttpServer(
    [
      { method: 'POST', pattern: /^\/v1\/messages$/, operation: null, authenticated: false, handle: (request) => createMessage(request.headers, request.json as Body | null) },
      {
        method: 'GET',
        pattern: /^\/v1\/models$/,
        operation: null,
        authenticated: false,
        handle: (request) =>
          authenticate(request.headers) ?? {
            status: 200,
            body: {
              data: models.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-09-29T00:00:00Z' })),
              has_more: false,
              first_id: models[0] ?? null,
              last_id: models.at(-1) ?? null,
            },
          },
      },
    ],
    { render: (status, message) => anthropicError(status, message).body, rateLimitHeaders },
  );

  return { ...exposeAiFake(server, script, apiKey, models), messageRequests: () => requestBodies(server.requests, '/v1/messages') };
}
