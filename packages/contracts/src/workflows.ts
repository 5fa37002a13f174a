import { z } from 'zod';
import { aiWorkflowTypeSchema } from './ai.js';

/**
 * Workflows (/api/workflows/**): versioned graph definitions drawn in the console, triggers (domain event,
 * schedule, signed webhook, manual), durable runs whose steps run as jobs, and their history step by step.
 * See docs/design/workflows.md. Step kinds describe their own config (JSON schema from
 * GET /api/workflows/step-kinds); the shapes common to every kind live here.
 */

const timestampSchema = z.iso.datetime();
const uuidSchema = z.uuid('Id must be a UUID.');

/** Node ids are short, stable handles the run data refers to: steps.<nodeId>.output. */
export const nodeIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,39}$/, 'A step id starts with a letter and has only lowercase letters, digits and _ (at most 40).');

export const stepKindSchema = z.enum(
  ['ai_agent', 'condition', 'approval', 'delay', 'wait_until', 'wait_event', 'notify', 'send_email', 'create_post', 'update_record', 'http_request'],
  'Choose a known step kind.',
);
export type StepKind = z.infer<typeof stepKindSchema>;

/** Events a workflow can start on or wait for (modules add theirs here as they emit them). */
export const triggerEventTypeSchema = z.enum(
  ['content.post_published', 'content.post_scheduled', 'content.post_failed', 'feeds.article_received', 'approvals.request_decided', 'ai.run_decided', 'publishing.target_failed'],
  'Choose an event workflows can start on.',
);
export type TriggerEventType = z.infer<typeof triggerEventTypeSchema>;

/** A JSONata expression (conditions, filters, mappings); compiled on save, errors point at the node. */
export const expressionSchema = z.string().trim().min(1, 'Write an expression.').max(2000, 'An expression has at most 2000 characters.');

export const workflowTriggerSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({
      kind: z.literal('event'),
      eventType: triggerEventTypeSchema,
      /** Optional JSONata over the event payload (`event`): the run starts only when it is true. */
      filter: expressionSchema.nullable().default(null),
    }),
    z.object({
      kind: z.literal('schedule'),
      /** Five-field cron (minute hour day month weekday). */
      cron: z.string().trim().min(9, 'Use a five-field cron expression, e.g. 0 9 * * 1-5.').max(120),
      timezone: z.string().trim().min(1).max(64).default('UTC'),
    }),
    z.object({ kind: z.literal('webhook') }),
    z.object({ kind: z.literal('manual') }),
  ],
  { error: 'Choose a trigger: event, schedule, webhook or manual.' },
);
export type WorkflowTrigger = z.infer<typeof workflowTriggerSchema>;

export const workflowNodeSchema = z.object({
  id: nodeIdSchema,
  kind: stepKindSchema,
  label: z.string().trim().max(120).default(''),
  /** Validated against the kind's config schema (errors: {nodeId, path, message}). */
  config: z.record(z.string(), z.unknown()).default({}),
  /** Retries of a retryable failure (network, 5xx, 429, AI unavailable). */
  retry: z.object({ maxAttempts: z.number().int().min(1).max(10).default(3), backoffSeconds: z.number().int().min(1).max(3600).default(10) }).default({ maxAttempts: 3, backoffSeconds: 10 }),
  /** Canvas position (the editor's; the engine ignores it). */
  position: z.object({ x: z.number(), y: z.number() }).default({ x: 0, y: 0 }),
});
export type WorkflowNode = z.infer<typeof workflowNodeSchema>;
export type WorkflowNodeInput = z.input<typeof workflowNodeSchema>;

/** The trigger is the node with id "trigger": edges start there. */
export const triggerNodeId = 'trigger';

export const workflowEdgeSchema = z.object({
  id: z.string().min(1).max(100),
  source: z.string().min(1).max(40),
  /** The source's port (default, true/false, approved/rejected/timeout, error…); null: default. */
  sourceHandle: z.string().max(40).nullable().default(null),
  target: z.string().min(1).max(40),
});
export type WorkflowEdge = z.infer<typeof workflowEdgeSchema>;

export const workflowDefinitionSchema = z.object({
  trigger: workflowTriggerSchema,
  /** Where the trigger sits on the canvas. */
  triggerPosition: z.object({ x: z.number(), y: z.number() }).default({ x: 0, y: 0 }),
  nodes: z.array(workflowNodeSchema).max(100, 'A workflow has at most 100 steps.'),
  edges: z.array(workflowEdgeSchema).max(300),
});
export type WorkflowDefinition = z.infer<typeof workflowDefinitionSchema>;
export type WorkflowDefinitionInput = z.input<typeof workflowDefinitionSchema>;

/** A problem in a definition, located for the canvas (nodeId null: the workflow or its trigger). */
export const definitionIssueSchema = z.object({ nodeId: z.string().nullable(), edgeId: z.string().nullable().default(null), path: z.string(), message: z.string() });
export type DefinitionIssue = z.infer<typeof definitionIssueSchema>;
export const validationReportSchema = z.object({ ok: z.boolean(), issues: z.array(definitionIssueSchema) });
export type ValidationReport = z.infer<typeof validationReportSchema>;

export const workflowStatusSchema = z.enum(['active', 'paused', 'archived'], 'Choose active, paused or archived.');
export type WorkflowStatus = z.infer<typeof workflowStatusSchema>;

export const workflowSchema = z.object({
  id: z.uuid(),
  accountId: z.uuid(),
  name: z.string(),
  description: z.string(),
  status: workflowStatusSchema,
  /** The HITL policy type its AI and approval steps follow. */
  workflowType: aiWorkflowTypeSchema,
  currentVersion: z.number().int(),
  definition: workflowDefinitionSchema,
  templateId: z.string().nullable(),
  /** Webhook triggers: the public URL to post to (the secret is shown once, on creation or rotation). */
  webhookUrl: z.string().nullable(),
  lastRun: z.object({ id: z.uuid(), status: z.string(), startedAt: timestampSchema }).nullable(),
  /** The current version checked as saving checks it (step kinds not available yet show up here). */
  validation: validationReportSchema,
  createdBy: z.uuid().nullable(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type Workflow = z.infer<typeof workflowSchema>;
export const workflowListSchema = z.object({ items: z.array(workflowSchema), total: z.number().int() });
export type WorkflowList = z.infer<typeof workflowListSchema>;

export const createWorkflowBodySchema = z.object({
  name: z.string().trim().min(1, 'Name the workflow.').max(200),
  description: z.string().trim().max(2000).default(''),
  workflowType: aiWorkflowTypeSchema.default('content_generation'),
  definition: workflowDefinitionSchema,
  /** Saved paused when false (the default: active). Invalid definitions save only as paused drafts. */
  active: z.boolean().default(true),
});
export type CreateWorkflowBody = z.infer<typeof createWorkflowBodySchema>;

export const updateWorkflowBodySchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().trim().max(2000).optional(),
  workflowType: aiWorkflowTypeSchema.optional(),
  status: workflowStatusSchema.optional(),
  /** A new definition makes a new version; the version it was edited from (409 workflows.version_conflict when stale). */
  definition: workflowDefinitionSchema.optional(),
  expectedVersion: z.number().int().min(1).optional(),
});
export type UpdateWorkflowBody = z.infer<typeof updateWorkflowBodySchema>;

/** Shown once when a webhook trigger is saved or its secret rotated. */
export const workflowSavedSchema = workflowSchema.extend({ webhookSecret: z.string().nullable() });
export type WorkflowSaved = z.infer<typeof workflowSavedSchema>;

export const workflowIdParamsSchema = z.object({ id: uuidSchema });
/** A draft to check as it stands in the editor (shape included, issues located per node); omitted: the current version. */
export const validateWorkflowBodySchema = z.object({ definition: z.unknown().optional() });
export type ValidateWorkflowBody = z.infer<typeof validateWorkflowBodySchema>;
/** version: a version number (anything else names no version: 404, like an id that exists nowhere). */
export const workflowVersionParamsSchema = z.object({ id: uuidSchema, version: z.string().min(1).max(40) });
export const workflowVersionSchema = z.object({ version: z.number().int(), definition: workflowDefinitionSchema, createdBy: z.uuid().nullable(), createdAt: timestampSchema });
export type WorkflowVersion = z.infer<typeof workflowVersionSchema>;
export const workflowVersionListSchema = z.object({ items: z.array(workflowVersionSchema.omit({ definition: true })) });

// ------------------------------------------------------------------------------------------ runs

export const workflowRunStatusSchema = z.enum(['running', 'waiting', 'succeeded', 'failed', 'cancelled']);
export type WorkflowRunStatus = z.infer<typeof workflowRunStatusSchema>;
export const stepRunStatusSchema = z.enum(['pending', 'running', 'waiting', 'succeeded', 'failed', 'skipped', 'cancelled']);
export type StepRunStatus = z.infer<typeof stepRunStatusSchema>;

export const startWorkflowRunBodySchema = z.object({
  /** The trigger data of a manual run (or the sample of a test run). */
  input: z.record(z.string(), z.unknown()).default({}),
  /** Test run: side-effect steps record what they would do instead of doing it. */
  test: z.boolean().default(false),
});
export type StartWorkflowRunBody = z.infer<typeof startWorkflowRunBodySchema>;

export const stepRunSchema = z.object({
  id: z.uuid(),
  nodeId: z.string(),
  kind: stepKindSchema,
  iteration: z.number().int(),
  status: stepRunStatusSchema,
  attempt: z.number().int(),
  input: z.unknown().nullable(),
  output: z.unknown().nullable(),
  /** The outgoing port taken (the path highlighted in the inspector). */
  port: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string(), retryable: z.boolean() }).nullable(),
  /** What a waiting step waits for. */
  wait: z
    .object({ until: timestampSchema.nullable(), eventType: z.string().nullable(), approvalRequestId: z.uuid().nullable(), aiRunId: z.uuid().nullable(), timeoutAt: timestampSchema.nullable() })
    .nullable(),
  /** A pending step's next attempt (after a retryable failure, the backoff). */
  nextAttemptAt: timestampSchema.nullable(),
  startedAt: timestampSchema.nullable(),
  finishedAt: timestampSchema.nullable(),
  durationMs: z.number().int().nullable(),
});
export type StepRun = z.infer<typeof stepRunSchema>;

export const workflowRunSchema = z.object({
  id: z.uuid(),
  workflowId: z.uuid(),
  workflowName: z.string(),
  version: z.number().int(),
  status: workflowRunStatusSchema,
  test: z.boolean(),
  trigger: z.object({ kind: z.enum(['event', 'schedule', 'webhook', 'manual']), payload: z.unknown() }),
  startedAt: timestampSchema,
  finishedAt: timestampSchema.nullable(),
  error: z.string().nullable(),
  startedBy: z.uuid().nullable(),
});
export type WorkflowRun = z.infer<typeof workflowRunSchema>;
export const workflowRunDetailSchema = workflowRunSchema.extend({ definition: workflowDefinitionSchema, steps: z.array(stepRunSchema) });
export type WorkflowRunDetail = z.infer<typeof workflowRunDetailSchema>;
export const workflowRunListQuerySchema = z.object({
  workflowId: uuidSchema.optional(),
  status: workflowRunStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: timestampSchema.optional(),
});
export type WorkflowRunListQuery = z.infer<typeof workflowRunListQuerySchema>;
export const workflowRunListSchema = z.object({ items: z.array(workflowRunSchema) });
export type WorkflowRunList = z.infer<typeof workflowRunListSchema>;
export const workflowRunParamsSchema = z.object({ id: uuidSchema });
export const stepRunParamsSchema = z.object({ id: uuidSchema, stepRunId: uuidSchema });

// ------------------------------------------------------------------------------------------ catalogue

export const stepKindInfoSchema = z.object({
  kind: stepKindSchema,
  /** Outgoing ports, in the order the canvas draws them. */
  ports: z.array(z.string()),
  /** JSON schema of the config, for the side panel's form. */
  configSchema: z.record(z.string(), z.unknown()),
  /** Side effects outside Omni (skipped in test runs). */
  sideEffect: z.boolean(),
});
export const stepKindListSchema = z.object({ items: z.array(stepKindInfoSchema) });
export type StepKindList = z.infer<typeof stepKindListSchema>;

/** The actions update_record steps can run (registered by modules: content.post.add_tags, …). */
export const workflowActionInfoSchema = z.object({
  name: z.string(),
  description: z.string(),
  /** JSON schema of the action's input, for the side panel's form. */
  inputSchema: z.record(z.string(), z.unknown()),
});
export const workflowActionListSchema = z.object({ items: z.array(workflowActionInfoSchema) });
export type WorkflowActionList = z.infer<typeof workflowActionListSchema>;

export const workflowTemplateSchema = z.object({
  id: z.string(),
  industry: z.enum(['marketing_agency', 'ecommerce', 'talent', 'other', 'all']),
  name: z.string(),
  description: z.string(),
  workflowType: aiWorkflowTypeSchema,
  definition: workflowDefinitionSchema,
});
export type WorkflowTemplate = z.infer<typeof workflowTemplateSchema>;
export const workflowTemplateListSchema = z.object({ items: z.array(workflowTemplateSchema) });
export const workflowTemplateParamsSchema = z.object({ templateId: z.string().min(1).max(100) });

// ------------------------------------------------------------------------------------------ webhook triggers

/** POST /api/hooks/workflows/:key — the public id of a workflow's webhook trigger (not a secret). */
export const workflowWebhookParamsSchema = z.object({ key: z.string().min(1).max(100) });
/** Accepted (202): the run the delivery started, or (duplicate) the one its delivery id started before. */
export const workflowWebhookAcceptedSchema = z.object({ runId: z.uuid(), duplicate: z.boolean() });
export type WorkflowWebhookAccepted = z.infer<typeof workflowWebhookAcceptedSchema>;
/** Install a template: a new workflow (version 1), active when valid, else a paused draft with its validation. No body: the template's name. */
export const installWorkflowTemplateBodySchema = z.object({ name: z.string().trim().min(1).max(200).optional() }).nullish();
export type InstallWorkflowTemplateBody = z.infer<typeof installWorkflowTemplateBodySchema>;
