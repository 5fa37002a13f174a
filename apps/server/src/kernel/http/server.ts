import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import { Redis } from 'ioredis';
import swagger from '@fastify/swagger';
import apiReference from '@scalar/fastify-api-reference';
import { jsonSchemaTransform, validatorCompiler } from 'fastify-type-provider-zod';
import { createResponseSerializer } from './serializer.js';
import { staticSecurityHeaders } from './security-headers.js';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Kernel } from '../kernel.js';
import type { OmniModule, ServiceContext } from '../module.js';
import { httpRequestDuration, metricsRegistry } from '../metrics.js';
import { installProblemHandlers, renderFrameworkError } from './problem.js';
import { isConsoleRoute, serveWebConsole } from './web.js';
import { withSystemAccessRead } from '../db/tenancy.js';
import { badRequest } from '../errors.js';
import { registerDevMailboxRoutes } from '../mail/mailbox.routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    ctx: ServiceContext;
  }
  interface FastifyContextConfig {
    /** Per-route audit action name; defaults to "METHOD /route/pattern". false skips the audit entry. */
    audit?: string | false;
  }
}

/** Build the HTTP server: kernel plugins, then each module's routes. No listen: tests inject. */
export async function createHttpServer(kernel: Kernel, modules: OmniModule[]): Promise<FastifyInstance> {
  const { config } = kernel;
  const app = Fastify({
    loggerInstance: kernel.logger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && /^[\w.-]{8,128}$/.test(incoming) ? incoming : randomUUID();
    },
    requestIdHeader: false,
    ajv: { customOptions: { coerceTypes: false } },
    frameworkErrors: renderFrameworkError,
  });
  // JSON only ("JSON in and out"): Fastify's default text/plain parser would turn a CORS-simple request
  // into a string body; refusing it gives the client a clear 415 instead.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(createResponseSerializer({ validate: config.NODE_ENV !== 'production' }));

  const securityHeaders = staticSecurityHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'unsafe-inline'", 'https://cdn.jsdelivr.net'],
        styleSrc: ["'self'", "'unsafe-inline'", 'https:'],
        imgSrc: ["'self'", 'data:', 'blob:', 'https:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:', 'https:'],
        workerSrc: ["'self'"],
        manifestSrc: ["'self'"],
        // Only behind TLS: on a plain-http local install it would break every same-origin asset.
        upgradeInsecureRequests: config.NODE_ENV === 'production' ? [] : null,
      },
    },
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(securityHeaders);
    done();
  });
  await app.register(cors, {
    origin: (origin, callback) => callback(null, !origin || config.CORS_ORIGINS.includes(origin) || config.CORS_ORIGINS.includes('*')),
    credentials: true,
    exposedHeaders: ['x-request-id', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'],
  });
  // With REDIS_URL the counters are shared by every API instance; otherwise they live in this process.
  const redis = config.REDIS_URL ? new Redis(config.REDIS_URL, { connectTimeout: 1000, maxRetriesPerRequest: 1, lazyConnect: false }) : null;
  if (redis) {
    redis.on('error', (error) => kernel.logger.warn({ err: error }, 'redis unavailable; rate limits degrade to allow'));
    app.addHook('onClose', async () => {
      await redis.quit().catch(() => redis.disconnect());
    });
  }
  await app.register(rateLimit, {
    global: true,
    ...(redis ? { redis, skipOnError: true, nameSpace: 'omni-rate-limit-' } : {}),
    max: config.RATE_LIMIT_PER_MINUTE,
    timeWindow: '1 minute',
    allowList: (request) => request.url === '/healthz' || request.url === '/readyz' || request.url === '/metrics',
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Omni API', version: '0.1.0', description: 'Multi-tenant marketing and customer operations platform.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
      tags: [
        { name: 'auth', description: 'Sign-in, tokens, sessions, email links and API keys' },
        { name: 'tenancy', description: 'Registration, the active tenant, branding and domains' },
        { name: 'accounts', description: 'Client businesses and workspaces inside a tenant' },
        { name: 'members', description: 'Memberships and roles' },
        { name: 'invitations', description: 'Delegated invitations down the tiers' },
        { name: 'profiles', description: 'Public personas per account' },
        { name: 'publishing', description: 'Post targets: schedule, publish exactly once, status, history and engagement' },
        { name: 'audit', description: 'The audit log of every mutating request' },
        { name: 'platform', description: 'Super-admin administration across tenants' },
        { name: 'social', description: 'Social network connections: OAuth connect, destinations, reconnect, sandbox' },
        { name: 'content', description: 'Posts with per-network variants, revisions, templates, recurring schedules and content settings' },
        { name: 'media', description: 'The media library: streaming uploads, renditions, signed URLs, storage quota' },
        { name: 'approvals', description: 'Review requests, decisions, comments and signed client approval links' },
        { name: 'notifications', description: 'In-app notifications and per-person email preferences' },
        { name: 'feeds', description: 'Blog-to-social: RSS/Atom subscriptions and the signed inbound article webhook' },
        { name: 'ai', description: 'AI agents: provider settings, runs, usage and budgets, human-in-the-loop policies' },
        { name: 'dev', description: 'Developer tools: the stored outbox emails' },
      ],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(apiReference, { routePrefix: '/docs', configuration: { url: '/openapi.json' } });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    request.ctx = {
      ...kernel,
      logger: request.log,
      requestId: String(request.id),
      ip: request.ip,
      userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'].slice(0, 500) : null,
      actor: null,
      tenantId: null,
      accountId: null,
      tenantRole: null,
      accountRole: null,
      audit: {},
    };
    for (const module of modules) {
      if (module.authenticate && (await module.authenticate(request, request.ctx))) break;
    }
    for (const module of modules) for (const guard of module.guards ?? []) await guard(request, request.ctx);
  });

  // PostgreSQL text cannot hold NUL; refused here, once, so no route turns it into a database error (500).
  app.addHook('preValidation', async (request) => {
    if (containsNulCharacter(request.params) || containsNulCharacter(request.query) || containsNulCharacter(request.body)) {
      throw badRequest('request.invalid_character', 'Text in the request must not contain NUL (\\u0000) characters.');
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    httpRequestDuration.observe({ method: request.method, route, status_code: reply.statusCode }, reply.elapsedTime / 1000);
    if (!request.ctx) return;
    for (const module of modules) {
      for (const observer of module.observers ?? []) {
        await observer(request, reply, request.ctx).catch((error: unknown) => request.log.error({ err: error }, 'response observer failed'));
      }
    }
  });

  app.get('/openapi.json', { schema: { hide: true }, config: { audit: false } }, async () => app.swagger());
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (request, reply) => {
    const checks = await readinessChecks(kernel, request);
    const ready = Object.values(checks).every((check) => check === 'ok');
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics()),
  );

  const servesConsole = config.WEB_DIST_DIR ? await serveWebConsole(app, config.WEB_DIST_DIR) : false;
  installProblemHandlers(app, { spaFallback: servesConsole ? (request) => isConsoleRoute(request.method, request.url) : undefined });
  await registerDevMailboxRoutes(app);

  for (const module of modules) {
    if (module.routes) await app.register(async (scope) => module.routes!(scope, kernel));
  }
  return app;
}

/** Whether any string (or object key) in a parsed request part contains U+0000. */
function containsNulCharacter(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  // Deeper than any contract nests: such input fails validation anyway, and the scan stays bounded.
  if (value === null || typeof value !== 'object' || depth > 32) return false;
  if (Array.isArray(value)) return value.some((item) => containsNulCharacter(item, depth + 1));
  return Object.entries(value).some(([key, item]) => key.includes('\u0000') || containsNulCharacter(item, depth + 1));
}

async function readinessChecks(kernel: Kernel, request: FastifyRequest) {
  const checks: Record<string, string> = {};
  try {
    await withSystemAccessRead(kernel, 'readiness', (tx) => tx.execute(sql`SELECT 1`));
    checks.database = 'ok';
  } catch (error) {
    request.log.warn({ err: error }, 'readiness: database unavailable');
    checks.database = 'unavailable';
  }
  try {
    await withSystemAccessRead(kernel, 'readiness', (tx) => tx.execute(sql`SELECT count(*) FROM graphile_worker._private_jobs WHERE false`));
    checks.queue = 'ok';
  } catch (error) {
    request.log.warn({ err: error }, 'readiness: job queue unavailable');
    checks.queue = 'unavailable';
  }
  return checks;
}
