import { createHash } from 'node:crypto';
import type { WorkflowSaved, WorkflowWebhookAccepted } from '@omni/contracts/workflows';
import { decryptSecret } from '../../../kernel/crypto/secrets.js';
import { isHexSignature, isWebhookSignatureValid, isWebhookTimestampFresh } from '../../../kernel/crypto/webhook-signatures.js';
import { withSystemAccessRead, withTenant } from '../../../kernel/db/tenancy.js';
import { AppError, badRequest, conflict, notFound } from '../../../kernel/errors.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { workflowsPermissions } from '../workflows.permissions.js';
import { findWorkflow } from '../workflows.queries.js';
import { startRunInTx } from '../workflows.runs.js';
import { requireScope, requireWorkflow, toSaved } from '../workflows.service.js';
import { rotateTriggerSecret } from './sync.js';
import { findWebhookReceipt, findWebhookTrigger, insertWebhookReceipt } from './triggers.queries.js';

/**
 * Webhook triggers: POST /api/hooks/workflows/:key (public). The sender signs each delivery:
 *   X-Omni-Timestamp: <unix seconds>
 *   X-Omni-Signature: sha256=<hex HMAC-SHA256 with the secret of "<timestamp>.<raw body>">
 *   X-Omni-Delivery: <its id for this delivery; a retry repeats it>
 * The HMAC and the constant-time comparison are the kernel's (kernel/crypto/webhook-signatures.ts, shared
 * with feeds). A delivery id that started a run before answers with that run (duplicate: true), and so
 * does a signed payload seen before (a captured request replayed under a new delivery id; receipts are
 * kept 10 minutes, twice the tolerance).
 */

export const webhookHeaders = { signature: 'x-omni-signature', timestamp: 'x-omni-timestamp', delivery: 'x-omni-delivery' } as const;
/** The receiver reads at most this much body (larger: 413). */
export const webhookBodyLimitBytes = 256 * 1024;
/** How far the signed timestamp may be from the server's clock. */
export const webhookToleranceSeconds = 300;

const signaturePrefix = 'sha256=';
const deliveryIdPattern = /^[\x21-\x7e]{1,200}$/;

type Header = string | string[] | undefined;
export type InboundWorkflowWebhook = { key: string; signature: Header; timestamp: Header; delivery: Header; contentType: Header; body: Buffer | undefined };

const single = (header: Header): string | null => (typeof header === 'string' ? header.trim() : null);

/** The signature and timestamp headers, or null when either is missing or garbled. */
function parseSignedHeaders(input: InboundWorkflowWebhook): { timestamp: number; signatures: string[] } | null {
  const signature = single(input.signature);
  const timestamp = single(input.timestamp);
  if (!signature || !timestamp || !/^\d{1,12}$/.test(timestamp) || !signature.toLowerCase().startsWith(signaturePrefix)) return null;
  const hex = signature.slice(signaturePrefix.length);
  return isHexSignature(hex) ? { timestamp: Number(timestamp), signatures: [hex] } : null;
}

/** JSON bodies become the trigger payload; an empty body is {}; other types arrive as {contentType, text}. */
function payloadOf(contentType: Header, body: Buffer): unknown {
  const type = (single(contentType) ?? '').toLowerCase();
  if (body.length === 0) return {};
  if (type === '' || type.startsWith('application/json') || /^application\/[a-z0-9.+-]*\+json/.test(type)) {
    try {
      return JSON.parse(body.toString('utf8')) as unknown;
    } catch {
      throw badRequest('workflows.webhook_body_invalid', 'The body is not valid JSON: send a JSON document (or another content type, which arrives as text).');
    }
  }
  return { contentType: type, text: body.toString('utf8') };
}

/**
 * The public receiver. In order, each refusal a problem that changes nothing: signature or timestamp header
 * missing or garbled 401 (before the key is looked up, so unsigned requests learn nothing about keys);
 * unknown key 404; timestamp more than 5 minutes off 401; signature not matching the current secret 401;
 * delivery id missing 400; JSON body not parsing 400; workflow paused or archived 409. Then the run starts
 * (202), or the earlier run of the delivery id or of the same signed payload answers (202, duplicate).
 */
export async function receiveWorkflowWebhook(ctx: ServiceContext, input: InboundWorkflowWebhook): Promise<WorkflowWebhookAccepted> {
  const signed = parseSignedHeaders(input);
  if (!signed) {
    throw new AppError(
      'unauthorized',
      'workflows.webhook_signature_missing',
      'Sign the request: X-Omni-Timestamp: <unix seconds> and X-Omni-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with the workflow’s webhook secret>.',
    );
  }
  const trigger = await withSystemAccessRead(ctx, 'workflows: webhook key lookup', (tx) => findWebhookTrigger(tx, input.key));
  if (!trigger) throw notFound('Workflow webhook');
  if (!isWebhookTimestampFresh(signed.timestamp, webhookToleranceSeconds)) {
    throw new AppError('unauthorized', 'workflows.webhook_timestamp_stale', `The signed timestamp is more than ${webhookToleranceSeconds / 60} minutes from the server’s clock: sign each delivery when sending it.`);
  }
  const body = input.body ?? Buffer.alloc(0);
  if (!isWebhookSignatureValid(signed, [decryptSecret(ctx.config, trigger.webhook_secret_encrypted!)], body)) {
    throw new AppError('unauthorized', 'workflows.webhook_signature_invalid', 'The signature does not match the workflow’s webhook secret (a rotated secret stops working at once).');
  }
  const delivery = single(input.delivery);
  if (!delivery || !deliveryIdPattern.test(delivery)) {
    throw badRequest('workflows.webhook_delivery_missing', 'Name the delivery: X-Omni-Delivery: <an id of up to 200 visible characters, the same when you retry it>.');
  }
  const payload = payloadOf(input.contentType, body);

  ctx.audit.tenantId = trigger.tenant_id;
  ctx.audit.targetType = 'workflow';
  ctx.audit.targetId = trigger.workflow_id;
  return withTenant({ db: ctx.db, tenantId: trigger.tenant_id }, async (tx) => {
    const workflow = await findWorkflow(tx, trigger.workflow_id, trigger.account_id, { lock: true });
    if (!workflow) throw notFound('Workflow webhook');
    if (workflow.status !== 'active') {
      throw conflict('workflows.not_active', `This workflow is ${workflow.status}: its webhook starts nothing until it is active again.`);
    }
    // The delivery id is not signed: a captured request sent again under a new id is known by its signed payload.
    const signatureSha256 = createHash('sha256').update(`${signed.timestamp}.`, 'utf8').update(body).digest('hex');
    const replayed = await findWebhookReceipt(tx, workflow.id, signatureSha256);
    if (replayed) return { runId: replayed, duplicate: true };
    const started = await startRunInTx(tx, ctx.config, workflow, { test: false, triggerKind: 'webhook', payload, startedBy: null, dedupKey: delivery });
    await insertWebhookReceipt(tx, { tenantId: trigger.tenant_id, workflowId: workflow.id, signatureSha256, runId: started.runId });
    return started;
  });
}

/** A new webhook secret, shown once; the old one stops verifying at once (409 for a workflow without a webhook trigger). */
export async function rotateWebhookSecret(ctx: ServiceContext, id: string): Promise<WorkflowSaved> {
  const { accountId } = requireScope(ctx, workflowsPermissions.write);
  const { row, secret } = await withTenant(ctx, async (tx) => {
    const workflow = await requireWorkflow(tx, id, accountId, { lock: true });
    const rotated = await rotateTriggerSecret(tx, ctx.config, workflow.id);
    if (!rotated) throw conflict('workflows.not_webhook', 'This workflow does not start from a webhook: set its trigger to webhook to get a URL and a secret.');
    return { row: workflow, secret: rotated };
  });
  ctx.audit.targetType = 'workflow';
  ctx.audit.targetId = row.id;
  return toSaved(ctx, row, secret);
}
