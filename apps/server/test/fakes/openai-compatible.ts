import { awaitReply, createReplyScript, estimateTokens, exposeAiFake, requestBodies, strictSchemaProblems, type FakeAiServer } from './ai-common.js';
import { fakeToken, startFakeHttpServer, type FakeReply } from './network/fake-http-server.js';

/**
 * A fake OpenAI-compatible API: POST /v1/chat/completions (response_format json_schema with OpenAI's
 * strict-schema checks, or json_object; function tools with tool_choice answered as tool_calls; usage;
 * max_tokens cut-offs with finish_reason "length"; refusals in message.refusal) and GET /v1/models.
 * Errors use OpenAI's { error: { message, type, param, code } } body; 429 carries Retry-After and the
 * x-ratelimit-* headers. Replies are scripted with reply(...) (see ai-common.ts), else synthesized from
 * the requested schema.
 */
export type FakeOpenAiCompatible = FakeAiServer & {
  /** The JSON bodies of the chat completion calls received, oldest first. */
  chatRequests(): Array<Record<string, unknown>>;
};

type Body = Record<string, unknown>;
type Tool = { name: string; parameters: unknown; strict: boolean };

const errorTypes: Record<number, string> = { 400: 'invalid_request_error', 401: 'invalid_request_error', 404: 'invalid_request_error', 429: 'requests' };

function openAiError(status: number, message: string, code: string | null = null, param: string | null = null): FakeReply {
  return { status, body: { error: { message, type: errorTypes[status] ?? 'server_error', param, code } } };
}

const rateLimitHeaders = (seconds: number) => ({
  'retry-after': String(seconds),
  'x-ratelimit-limit-requests': '500',
  'x-ratelimit-remaining-requests': '0',
  'x-ratelimit-reset-requests': `${seconds}s`,
});

/** The tool the model must call: tool_choice names it, or 'required'/'auto' with tools picks the first. */
function chosenTool(body: Body): Tool | null {
  const tools = Array.isArray(body.tools) ? (body.tools as Array<{ type?: string; function?: { name?: string; parameters?: unknown; strict?: boolean } }>) : [];
  const functions = tools.filter((tool) => tool.type === 'function' && tool.function?.name);
  if (functions.length === 0 || body.tool_choice === 'none') return null;
  const named = (body.tool_choice as { function?: { name?: string } } | undefined)?.function?.name;
  const tool = named ? functions.find((candidate) => candidate.function!.name === named) : functions[0];
  return tool ? { name: tool.function!.name!, parameters: tool.function!.parameters ?? {}, strict: tool.function!.strict === true } : null;
}

/** The schema the answer must follow, or a 400 for a schema strict mode rejects. */
function requestedSchema(body: Body, tool: Tool | null): { schema: unknown } | { error: FakeReply } {
  if (tool) {
    const problems = tool.strict ? strictSchemaProblems(tool.parameters) : [];
    if (problems.length) return { error: openAiError(400, `Invalid schema for function '${tool.name}': ${problems[0]}`, 'invalid_function_parameters', 'tools') };
    return { schema: tool.parameters };
  }
  const format = body.response_format as { type?: string; json_schema?: { name?: string; schema?: unknown; strict?: boolean } } | undefined;
  if (format?.type === 'json_object') return { schema: { type: 'object' } };
  if (format?.type !== 'json_schema') return { schema: null };
  const name = format.json_schema?.name ?? '';
  if (!/^[\w-]{1,64}$/.test(name)) return { error: openAiError(400, "Invalid 'response_format.json_schema.name': must match ^[a-zA-Z0-9_-]{1,64}$.", 'invalid_value', 'response_format') };
  const problems = format.json_schema?.strict ? strictSchemaProblems(format.json_schema.schema) : [];
  if (problems.length) return { error: openAiError(400, `Invalid schema for response_format '${name}': ${problems[0]}`, 'invalid_json_schema', 'response_format') };
  return { schema: format.json_schema?.schema ?? { type: 'object' } };
}

export async function startOpenAiCompatibleFake(options: { apiKey?: string; models?: string[] } = {}): Promise<FakeOpenAiCompatible> {
  const apiKey = options.apiKey ?? fakeToken('sk-test');
  const models = options.models ?? ['gpt-4o-mini', 'gpt-4o'];
  const script = createReplyScript();
  let sequence = 0;

  const isAuthorized = (bearer: string | null) => bearer === apiKey;
  const unauthorized = () => openAiError(401, 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_api_key');

  async function chatCompletion(bearer: string | null, body: Body | null): Promise<FakeReply> {
    if (!isAuthorized(bearer)) return unauthorized();
    if (!body || typeof body.model !== 'string') return openAiError(400, "you must provide a model parameter", null, 'model');
    if (!Array.isArray(body.messages) || body.messages.length === 0) return openAiError(400, "'messages' must contain at least one message.", null, 'messages');
    if (!models.includes(body.model)) return openAiError(404, `The model \`${body.model}\` does not exist or you do not have access to it.`, 'model_not_found');
    if (body.stream === true) return openAiError(400, 'This fake does not stream.', null, 'stream');
    const tool = chosenTool(body);
    const requested = requestedSchema(body, tool);
    if ('error' in requested) return requested.error;

    const reply = script.next(requested.schema);
    await awaitReply(reply);
    if (reply.kind === 'rate_limited') {
      return { ...openAiError(429, `Rate limit reached for ${body.model} on requests per min (RPM): Limit 500, Used 500, Requested 1.`, 'rate_limit_exceeded'), headers: rateLimitHeaders(reply.retryAfterSeconds) };
    }
    if (reply.kind === 'server_error') return openAiError(reply.status ?? 500, 'The server had an error while processing your request. Sorry about that!');
    if (reply.kind === 'unauthorized') return unauthorized();
    if (reply.kind === 'hang') return openAiError(500, 'unreachable');

    let content: string | null = reply.kind === 'refusal' ? null : reply.kind === 'text' ? reply.text : JSON.stringify(reply.value);
    let finishReason = 'stop';
    const outputTokens = reply.usage?.outputTokens ?? estimateTokens(content ?? (reply.kind === 'refusal' ? reply.message : ''));
    const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : typeof body.max_completion_tokens === 'number' ? body.max_completion_tokens : null;
    if (content !== null && maxTokens !== null && outputTokens > maxTokens) {
      content = content.slice(0, maxTokens * 4);
      finishReason = 'length';
    }
    sequence += 1;
    const asToolCall = tool && reply.kind === 'object' && finishReason === 'stop';
    const message = asToolCall
      ? { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: `call_${sequence}`, type: 'function', function: { name: tool.name, arguments: content } }] }
      : { role: 'assistant', content, refusal: reply.kind === 'refusal' ? reply.message : null };
    const inputTokens = reply.usage?.inputTokens ?? estimateTokens(JSON.stringify([body.messages, body.response_format ?? null, body.tools ?? null]));
    return {
      status: 200,
      body: {
        id: `chatcmpl-fake${sequence}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        system_fingerprint: 'fp_fake',
        choices: [{ index: 0, message, logprobs: null, finish_reason: asToolCall ? 'tool_calls' : finishReason }],
        usage: {
          prompt_tokens: inputTokens,
          completion_tokens: Math.min(outputTokens, maxTokens ?? outputTokens),
          total_tokens: inputTokens + Math.min(outputTokens, maxTokens ?? outputTokens),
        },
      },
    };
  }

  const server = await startFakeHttpServer(
    [
      {
        method: 'POST',
        pattern: /^\/v1\/chat\/completions$/,
        operation: null,
        authenticated: false,
        handle: (request) => chatCompletion(request.bearer, request.json as Body | null),
      },
      {
        method: 'GET',
        pattern: /^\/v1\/models$/,
        operation: null,
        authenticated: false,
        handle: (request) =>
          isAuthorized(request.bearer)
            ? { status: 200, body: { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 1_715_367_049, owned_by: 'system' })) } }
            : unauthorized(),
      },
    ],
    {
      render: (status, message) => openAiError(status, message).body,
      rateLimitHeaders,
    },
  );

  return { ...exposeAiFake(server, script, apiKey, models), chatRequests: () => requestBodies(server.requests, '/v1/chat/completions') };
}
