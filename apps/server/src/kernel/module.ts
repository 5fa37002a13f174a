import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from './context.js';
import type { EventBus } from './events/events.js';
import type { JobDefinition } from './jobs/jobs.js';
import type { Kernel } from './kernel.js';

export type ServiceContext = RequestContext & Kernel;


/**
 * Fills ctx.actor / tenantId / accountId from the request's credentials. Returns false when the request
 * carries no credentials; throws a 401 AppError when it carries bad ones.
 */
export type Authenticator = (request: FastifyRequest, ctx: ServiceContext) => Promise<boolean>;

/** Runs on every request after authentication, e.g. tenant-by-host resolution, suspended-tenant refusal. */
export type RequestGuard = (request: FastifyRequest, ctx: ServiceContext) => Promise<void>;

/** Runs after the response was sent (audit). Must not throw. */
export type ResponseObserver = (request: FastifyRequest, reply: FastifyReply, ctx: ServiceContext) => Promise<void>;

/** What a module contributes to the app. modules.ts lists them; app.ts wires them in order. */
export type OmniModule = {
  name: string;
  routes?: (app: FastifyInstance, kernel: Kernel) => Promise<void>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- jobs have heterogeneous payload types
  jobs?: JobDefinition<any>[];
  subscribe?: (bus: EventBus) => void;
  authenticate?: Authenticator;
  guards?: RequestGuard[];
  observers?: ResponseObserver[];
};
