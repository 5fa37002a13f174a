import type { FakeHttpServer } from './network/fake-http-server.js';

/**
 * What the two LLM fakes (openai-compatible.ts, anthropic.ts) share: the scripted replies, an answer
 * synthesized from the request's JSON schema when nothing is scripted, token estimates for `usage`, and
 * OpenAI's strict-schema rules (a schema a real strict endpoint rejects must fail here too).
 */
export type FakeAiUsage = { inputTokens: number; outputTokens: number };

export type FakeAiReply =
  /** A structured answer, sent the way the request asked for it (JSON text, tool call or tool use). */
  | { kind: 'object'; value: unknown; usage?: FakeAiUsage; delayMs?: number }
  /** Raw assistant text, e.g. malformed JSON. */
  | { kind: 'text'; text: string; usage?: FakeAiUsage; delayMs?: number }
  /** The model declines (OpenAI: message.refusal; Anthropic: stop_reason "refusal"). */
  | { kind: 'refusal'; message: string; usage?: FakeAiUsage }
  | { kind: 'rate_limited'; retryAfterSeconds: number }
  /** 500 unless another 5xx is given (Anthropic's overload is 529). */
  | { kind: 'server_error'; status?: number }
  | { kind: 'unauthorized' }
  /** Never answer: the client's deadline must end the call. */
  | { kind: 'hang' };

/** What both LLM fakes offer besides their wire format. */
export type FakeAiServer = FakeHttpServer & {
  /** The base URL a client is configured with (…/v1). */
  baseUrl: string;
  apiKey: string;
  models: string[];
  /** Queue replies for the next calls, in order (see FakeAiReply). */
  reply(...replies: FakeAiReply[]): void;
  pendingReplies(): number;
  /** Drop the queued replies (between tests, so one test's leftovers never answer the next). */
  clearReplies(): void;
};

export type FakeAiScript = {
  /** Queue replies for the next calls, in order; once used up, answers are synthesized from the schema. */
  reply(...replies: FakeAiReply[]): void;
  /** Take the next reply for a call whose structured output follows `schema` (null: none asked for). */
  next(schema: unknown): FakeAiReply;
  pending(): number;
  clear(): void;
};

export function createReplyScript(): FakeAiScript {
  const queue: FakeAiReply[] = [];
  return {
    reply: (...replies) => void queue.push(...replies),
    next: (schema) => queue.shift() ?? (schema ? { kind: 'object', value: exampleFromJsonSchema(schema) } : { kind: 'text', text: 'OK' }),
    pending: () => queue.length,
    clear: () => void queue.splice(0),
  };
}

/** A rough token count (about four characters a token), at least 1: deterministic, enough for cost tests. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** Wait the reply's delay; never resolves for 'hang' (the fake's close() destroys the socket). */
export async function awaitReply(reply: FakeAiReply): Promise<void> {
  if (reply.kind === 'hang') await new Promise(() => {});
  const delayMs = 'delayMs' in reply ? reply.delayMs : undefined;
  if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
}

type JsonSchema = Record<string, unknown>;
const isSchema = (value: unknown): value is JsonSchema => typeof value === 'object' && value !== null && !Array.isArray(value);

function resolveRef(schema: JsonSchema, root: JsonSchema): JsonSchema {
  const ref = schema.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return schema;
  let target: unknown = root;
  for (const part of ref.slice(2).split('/')) target = isSchema(target) ? target[part] : undefined;
  return isSchema(target) ? target : {};
}

/**
 * A deterministic value that satisfies the schema: objects with every property, one array item (or
 * minItems), the first enum value, numbers at the middle of their range, "example" strings.
 */
export function exampleFromJsonSchema(input: unknown, root: unknown = input): unknown {
  if (!isSchema(input) || !isSchema(root)) return null;
  const schema = resolveRef(input, root);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const alternatives = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (Array.isArray(alternatives)) {
    const chosen = alternatives.find((option) => !(isSchema(option) && option.type === 'null')) ?? alternatives[0];
    return exampleFromJsonSchema(chosen, root);
  }
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string | undefined];
  const type = types.find((candidate) => candidate !== 'null') ?? types[0];
  switch (type) {
    case 'object': {
      const properties = isSchema(schema.properties) ? schema.properties : {};
      return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, exampleFromJsonSchema(value, root)]));
    }
    case 'array': {
      const count = Math.max(1, Number(schema.minItems ?? 1));
      return Array.from({ length: count }, () => exampleFromJsonSchema(schema.items, root));
    }
    case 'string': {
      if (schema.format === 'date-time') return '2026-01-05T09:00:00.000Z';
      if (schema.format === 'date') return '2026-01-05';
      if (schema.format === 'uri' || schema.format === 'url') return 'https://example.com/';
      const minLength = Number(schema.minLength ?? 0);
      const maxLength = Number(schema.maxLength ?? Number.POSITIVE_INFINITY);
      return 'example'.padEnd(minLength, 'x').slice(0, maxLength);
    }
    case 'number':
    case 'integer': {
      // Without bounds (Anthropic's sanitized schemas drop them) the middle of [0, 1]: fits confidences.
      const upper = schema.maximum ?? schema.exclusiveMaximum;
      const minimum = Number(schema.minimum ?? schema.exclusiveMinimum ?? (upper === undefined ? 0 : Number(upper) - 1));
      const maximum = Number(upper ?? minimum + 1);
      const middle = (minimum + maximum) / 2;
      return type === 'integer' ? Math.ceil(middle) : middle;
    }
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return null;
  }
}

/**
 * Where a schema breaks OpenAI's strict structured-output rules: the root must be an object, and every
 * object must list all its properties in `required` and set additionalProperties to false.
 */
export function strictSchemaProblems(schema: unknown): string[] {
  if (!isSchema(schema)) return ['the schema must be an object'];
  const problems: string[] = [];
  if (schema.type !== 'object') problems.push("the root schema must be of type 'object'");
  const visit = (node: unknown, path: string) => {
    if (!isSchema(node)) return;
    if (node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object')) || isSchema(node.properties)) {
      const properties = isSchema(node.properties) ? Object.keys(node.properties) : [];
      const required = Array.isArray(node.required) ? (node.required as string[]) : [];
      const missing = properties.filter((key) => !required.includes(key));
      if (missing.length) problems.push(`In context=${path}, 'required' must include every key in properties. Missing '${missing.join("', '")}'.`);
      if (node.additionalProperties !== false) problems.push(`In context=${path}, 'additionalProperties' is required to be supplied and to be false.`);
      for (const [key, value] of Object.entries(isSchema(node.properties) ? node.properties : {})) visit(value, `${path}.properties.${key}`);
    }
    if (node.items) visit(node.items, `${path}.items`);
    for (const keyword of ['anyOf', 'oneOf', 'allOf'] as const) {
      if (Array.isArray(node[keyword])) (node[keyword] as unknown[]).forEach((option, index) => visit(option, `${path}.${keyword}.${index}`));
    }
    for (const keyword of ['$defs', 'definitions'] as const) {
      if (isSchema(node[keyword])) for (const [key, value] of Object.entries(node[keyword])) visit(value, `${path}.${keyword}.${key}`);
    }
  };
  visit(schema, '()');
  return problems;
}

/** The parsed JSON bodies of the requests a fake received on `path`, oldest first. */
export function requestBodies(requests: Array<{ path: string; body: string }>, path: string): Array<Record<string, unknown>> {
  return requests.filter((request) => request.path === path).map((request) => JSON.parse(request.body) as Record<string, unknown>);
}

/** The fake's public face: the HTTP server plus its key, models and script. */
export function exposeAiFake(server: FakeHttpServer, script: FakeAiScript, apiKey: string, models: string[]): FakeAiServer {
  return { ...server, baseUrl: `${server.url}/v1`, apiKey, models, reply: script.reply, pendingReplies: script.pending, clearReplies: script.clear };
}
