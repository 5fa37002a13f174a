import { expressionSchema } from '@omni/contracts/workflows';
import { z } from 'zod';
import type { Config } from '../../../kernel/config.js';
import { createOutboundFetcher, OutboundRefusal, OutboundTransportError, type OutboundResponse } from '../../../kernel/http/outbound-fetch.js';
import { evaluateExpression, renderTemplate } from '../expressions.js';
import { StepFailure } from '../step-failure.js';
import { defineStepKind } from './registry.js';

/** The largest response body a step reads (bigger ones fail the step). */
export const maxResponseBytes = 256 * 1024;
const maxHeaders = 20;
/** Headers the transport or the engine sets: a template may not (Idempotency-Key makes retries safe). */
const reservedHeaders = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect', 'idempotency-key']);
/** Response headers kept in the output. */
const outputHeaders = ['content-type', 'content-length', 'location', 'etag', 'last-modified', 'retry-after', 'x-request-id'];
/** Opened by WORKFLOW_HTTP_ALLOW_PRIVATE (with loopback); metadata addresses stay refused by the fetch policy. */
const privateNetworks = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'];

const headerNameSchema = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, 'A header name is letters, digits and - (at most 100).');

const hasTemplateMarkup = (source: string) => source.includes('{{') || source.includes('{%');

/** Retry-After as seconds (a delay or an HTTP date), at most a day; null when absent or unreadable. */
function retryAfterSeconds(value: string | string[] | undefined): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return null;
  const seconds = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Math.ceil((Date.parse(text) - Date.now()) / 1000);
  return Number.isFinite(seconds) ? Math.min(Math.max(seconds, 0), 86_400) : null;
}

/** The body as JSON when the far end says it is JSON (and it parses), else as text. */
function decodeBody(response: OutboundResponse): unknown {
  const text = new TextDecoder().decode(response.bytes);
  if (response.contentType && /^application\/([\w.+-]+\+)?json\b/i.test(response.contentType)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function fetcherFor(config: Config, timeoutSeconds: number) {
  const allowPrivate = config.WORKFLOW_HTTP_ALLOW_PRIVATE;
  return createOutboundFetcher({
    origins: 'public',
    maxBytes: maxResponseBytes,
    timeoutMs: timeoutSeconds * 1000,
    allowLoopback: allowPrivate,
    allowedNetworks: allowPrivate ? privateNetworks : [],
    subject: 'The request to',
    sizeHint: ' (256 KB)',
    userAgent: 'Omni-Workflows/1',
    accept: 'application/json, text/*;q=0.9, */*;q=0.8',
  });
}

/**
 * Call an HTTP endpoint: method, URL and header values Liquid over the run's data, a body as Liquid text or as
 * JSON from a JSONata expression, through the kernel's outbound fetch (https to public addresses only:
 * private, loopback and metadata addresses are refused unless WORKFLOW_HTTP_ALLOW_PRIVATE), at most 30 s and
 * a 256 KB response. Every attempt carries `Idempotency-Key: <step run id>`, so a far end that honours it
 * acts once although a retry may call it again (at least once, not exactly once). 2xx → default with
 * {status, headers, body (parsed JSON or text)}; 429 (after its Retry-After), 5xx and network failures are
 * retried; other statuses fail the step (the error port, when connected). Not transactional. Test runs only
 * record the request.
 */
export const httpRequestStep = defineStepKind({
  kind: 'http_request',
  config: z
    .object({
      method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], 'Choose GET, POST, PUT, PATCH or DELETE.').default('GET'),
      url: z.string().trim().min(1, 'Write the URL to call.').max(4000, 'A URL has at most 4000 characters.'),
      /** Header values are Liquid. */
      headers: z
        .record(headerNameSchema, z.string().max(4000, 'A header value has at most 4000 characters.'))
        .default({})
        .refine((headers) => Object.keys(headers).length <= maxHeaders, `At most ${maxHeaders} headers.`)
        .refine((headers) => Object.keys(headers).every((name) => !reservedHeaders.has(name.toLowerCase())), 'Host, Content-Length, Idempotency-Key and connection headers are set by Omni: remove them.'),
      /** A text body (Liquid)… */
      body: z.string().max(100_000, 'A body has at most 100,000 characters.').nullable().default(null),
      /** …or a JSON body from a JSONata expression, e.g. `{"lead": trigger.payload.email}`. */
      bodyExpression: expressionSchema.nullable().default(null),
      timeoutSeconds: z.number().int('Whole seconds.').min(1, 'At least 1 second.').max(30, 'At most 30 seconds.').default(10),
    })
    .superRefine((config, context) => {
      if (config.body !== null && config.bodyExpression !== null) context.addIssue({ code: 'custom', path: ['body'], message: 'Write a text body or a JSON expression, not both.' });
      if (config.method === 'GET' && (config.body !== null || config.bodyExpression !== null)) context.addIssue({ code: 'custom', path: ['body'], message: 'A GET request has no body.' });
    }),
  ports: ['default', 'error'],
  sideEffect: true,
  check(config, checker) {
    checker.template('url', config.url);
    for (const [name, value] of Object.entries(config.headers)) checker.template(`headers.${name}`, value);
    if (config.body !== null) checker.template('body', config.body);
    if (config.bodyExpression) checker.expression('bodyExpression', config.bodyExpression);
    if (!hasTemplateMarkup(config.url) && !URL.canParse(config.url)) checker.issue('url', 'Write a full URL, e.g. https://api.example.com/hooks/lead.');
  },
  async execute(step, config) {
    const url = renderTemplate(config.url, step.data).trim();
    const headers: Record<string, string> = {};
    for (const [name, template] of Object.entries(config.headers)) {
      const value = renderTemplate(template, step.data);
      if (/[\r\n\0]/.test(value)) throw new StepFailure('workflows.http_header_invalid', `The header ${name} came out with a line break: header values are one line.`);
      headers[name] = value;
    }
    let body: string | undefined;
    let contentType: string | null = null;
    if (config.body !== null) {
      body = renderTemplate(config.body, step.data);
      contentType = 'text/plain; charset=utf-8';
    } else if (config.bodyExpression) {
      body = JSON.stringify(await evaluateExpression(config.bodyExpression, step.data));
      contentType = 'application/json';
    }
    if (contentType && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['content-type'] = contentType;
    headers['idempotency-key'] = step.step.id;
    const input = { method: config.method, url, headers: Object.keys(headers), body: body === undefined ? null : body.slice(0, 10_000) };
    if (step.dryRun) return { outcome: 'done', input, output: { dryRun: true, status: null, headers: {}, body: null } };

    let response: OutboundResponse;
    try {
      response = await fetcherFor(step.config, config.timeoutSeconds).fetch(url, { method: config.method, headers, body, anyStatus: true });
    } catch (error) {
      if (error instanceof OutboundRefusal) throw new StepFailure('workflows.http_refused', error.message);
      if (error instanceof OutboundTransportError) {
        const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
        throw new StepFailure('workflows.http_unreachable', `${error.message.replace('could not be downloaded', 'failed')}${cause}`.slice(0, 1000), { retryable: true });
      }
      throw error;
    }
    const decoded = decodeBody(response);
    if (response.status >= 200 && response.status < 300) {
      const kept = Object.fromEntries(outputHeaders.flatMap((name) => (response.headers[name] === undefined ? [] : [[name, String(response.headers[name])]])));
      return { outcome: 'done', input, output: { dryRun: false, status: response.status, headers: kept, body: decoded } };
    }
    const excerpt = (typeof decoded === 'string' ? decoded : JSON.stringify(decoded)).slice(0, 300);
    const message = `The far end answered HTTP ${response.status}${excerpt ? `: ${excerpt}` : ''}`;
    if (response.status === 429) throw new StepFailure('workflows.http_rate_limited', message, { retryable: true, retryAfterSeconds: retryAfterSeconds(response.headers['retry-after']) });
    if (response.status >= 500) throw new StepFailure('workflows.http_server_error', message, { retryable: true, retryAfterSeconds: retryAfterSeconds(response.headers['retry-after']) });
    throw new StepFailure('workflows.http_status', message);
  },
});
