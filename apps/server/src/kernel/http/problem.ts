import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, type FieldError } from '../errors.js';

/** RFC 9457 problem details, the body of every error response. */
export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  requestId: string;
  errors?: FieldError[];
  [extension: string]: unknown;
};

const titles: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 409: 'Conflict', 410: 'Gone', 413: 'Content Too Large', 414: 'URI Too Long',
  415: 'Unsupported Media Type', 422: 'Unprocessable Content', 423: 'Locked', 429: 'Too Many Requests',
  500: 'Internal Server Error', 503: 'Service Unavailable',
};

export type ProblemInput = { status: number; code: string; detail: string; title?: string; errors?: FieldError[]; [extension: string]: unknown };

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: ProblemInput) {
  const body: Problem = {
    ...problem,
    type: `https://omni.dev/problems/${problem.code.replace(/\./g, '/')}`,
    title: problem.title ?? titles[problem.status] ?? 'Error',
    instance: request.url.split('?')[0],
    requestId: String(request.id),
  };
  return reply.status(problem.status).type('application/problem+json').send(body);
}

function fieldPath(instancePath: string, context: string): string {
  const parts = [context, ...instancePath.split('/').filter(Boolean)].filter(Boolean);
  return parts.join('.');
}

/**
 * Errors the router raises before any hook runs (a path parameter over maxParamLength, bad percent-encoding).
 * Fastify would answer them with its own JSON; this is its frameworkErrors option.
 */
export function renderFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  reply.header('x-request-id', request.id);
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return sendProblem(request, reply, { status: 414, code: 'request.parameter_too_long', detail: 'A path parameter is too long.' });
  }
  return sendProblem(request, reply, { status: 400, code: 'request.invalid_url', detail: 'The URL is not valid (check its percent-encoding).' });
}

/** Our stable codes for Fastify's own request errors, so clients never depend on framework internals. */
const fastifyCodes: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'request.too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'request.unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'request.invalid_content_length',
  FST_ERR_CTP_INVALID_JSON_BODY: 'request.invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'request.invalid_json',
};

/** Map every failure to problem+json: our AppErrors, validation errors, Fastify's own errors, and bugs. */
export function installProblemHandlers(app: FastifyInstance, options: { spaFallback?: (request: FastifyRequest) => boolean } = {}) {
  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
    if (error instanceof AppError) {
      const { retryAfterSeconds, ...details } = error.details;
      if (retryAfterSeconds) reply.header('retry-after', String(retryAfterSeconds));
      if (error.status === 401) reply.header('www-authenticate', 'Bearer');
      return sendProblem(request, reply, { status: error.status, code: error.code, detail: error.message, ...details });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const errors = error.validation.map((issue) => ({
        path: fieldPath(issue.instancePath ?? '', error.validationContext ?? ''),
        message: issue.message ?? 'is invalid',
      }));
      return sendProblem(request, reply, {
        status: 400,
        code: 'request.invalid',
        detail: errors.length === 1 ? `${errors[0]!.path || 'request'}: ${errors[0]!.message}` : `The request has ${errors.length} invalid fields.`,
        errors,
      });
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error }, 'response did not match its schema');
      return sendProblem(request, reply, { status: 500, code: 'server.error', detail: 'Something went wrong on our side. It has been logged.' });
    }
    const statusCode = (error as FastifyError).statusCode;
    if (statusCode && statusCode >= 400 && statusCode < 500) {
      const frameworkCode = (error as FastifyError).code;
      const detail =
        statusCode === 413 ? 'The request body is too large.'
        : statusCode === 415 ? 'Unsupported content type; send application/json.'
        : statusCode === 429 ? 'Too many requests. Slow down and try again shortly.'
        : error.message;
      const code =
        statusCode === 429 ? 'rate_limited'
        : (frameworkCode && fastifyCodes[frameworkCode]) ?? frameworkCode?.toLowerCase() ?? 'request.invalid';
      return sendProblem(request, reply, { status: statusCode, code, detail });
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(request, reply, { status: 500, code: 'server.error', detail: 'Something went wrong on our side. It has been logged.' });
  });

  app.setNotFoundHandler((request, reply) => {
    if (options.spaFallback?.(request)) return reply.type('text/html').header('cache-control', 'no-cache').sendFile('index.html');
    return sendProblem(request, reply, { status: 404, code: 'route.not_found', detail: `No route for ${request.method} ${request.url.split('?')[0]}.` });
  });
}
