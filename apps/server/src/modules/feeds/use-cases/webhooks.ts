import { createHash } from 'node:crypto';
import {
  webhookArticleSchema,
  type CreateFeedWebhookBody,
  type FeedWebhookEndpoint,
  type FeedWebhookEndpointList,
  type FeedWebhookSecret,
  type UpdateFeedWebhookBody,
  type WebhookAccepted,
} from '@omni/contracts/feeds';
import { requireActor } from '../../../kernel/access.js';
import { decryptSecret, encryptSecret } from '../../../kernel/crypto/secrets.js';
import { generateToken } from '../../../kernel/crypto/tokens.js';
import type { Tx } from '../../../kernel/db/database.js';
import { isUuid } from '../../../kernel/db/database.js';
import { withSystemAccessRead, withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import { AppError, badRequest, notFound } from '../../../kernel/errors.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { enqueueProcessEntries } from '../feeds.jobs.js';
import { htmlToPlainText } from '../feeds.parser.js';
import { feedsPermissions } from '../feeds.permissions.js';
import {
  deleteWebhookEndpoint,
  insertEntries,
  insertWebhookEndpoint,
  insertWebhookReceipt,
  selectEntryByKey,
  selectWebhookEndpointById,
  selectWebhookEndpoints,
  updateWebhookEndpoint,
} from '../feeds.queries.js';
import type { WebhookEndpointRow } from '../feeds.schema.js';
import { requireAccountConnections, requireAccountTemplate, requireFeedsAccount, toWebhookEndpointDto } from '../feeds.shared.js';
import { isSignatureValid, parseSignatureHeader } from '../feeds.signature.js';

/**
 * Inbound webhooks: endpoints per account (create, change, remove, rotate the secret) and the public
 * receiver. A secret is 32 random bytes, shown once, stored encrypted (verifying needs it in clear); after
 * a rotation the previous one verifies for 24 hours.
 */

export const previousSecretGraceMs = 24 * 3600_000;
/** The public receiver reads at most this much body (larger: 413 before anything else). */
export const webhookBodyLimitBytes = 256 * 1024;

const newSecret = () => `whsec_${generateToken(32)}`;

async function requireEndpoint(tx: Tx, accountId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<WebhookEndpointRow> {
  const row = isUuid(id) ? await selectWebhookEndpointById(tx, id, options) : null;
  if (!row || row.accountId !== accountId) throw notFound('Feed webhook');
  return row;
}

function withSecret(ctx: ServiceContext, row: WebhookEndpointRow, secret: string): FeedWebhookSecret {
  return { endpoint: toWebhookEndpointDto(ctx.config, row), secret, signatureHeader: 'Omni-Signature' };
}

export async function listWebhookEndpoints(ctx: ServiceContext): Promise<FeedWebhookEndpointList> {
  const accountId = requireFeedsAccount(ctx, feedsPermissions.read);
  const rows = await withTenantRead(ctx, (tx) => selectWebhookEndpoints(tx, accountId));
  return { items: rows.map((row) => toWebhookEndpointDto(ctx.config, row)) };
}

export async function createWebhookEndpoint(ctx: ServiceContext, body: CreateFeedWebhookBody): Promise<FeedWebhookSecret> {
  const accountId = requireFeedsAccount(ctx, feedsPermissions.manage);
  const actor = requireActor(ctx);
  const secret = newSecret();
  return withTenant(ctx, async (tx) => {
    const connectionIds = await requireAccountConnections(tx, accountId, body.connectionIds);
    await requireAccountTemplate(tx, accountId, body.templateId);
    const row = await insertWebhookEndpoint(tx, {
      tenantId: ctx.tenantId!,
      accountId,
      name: body.name,
      secretEncrypted: encryptSecret(ctx.config, secret),
      templateId: body.templateId,
      connectionIds,
      createdBy: actor.userId,
    });
    ctx.audit.targetType = 'feed_webhook_endpoint';
    ctx.audit.targetId = row.id;
    return withSecret(ctx, row, secret);
  });
}

export async function updateWebhookEndpointSettings(ctx: ServiceContext, id: string, body: UpdateFeedWebhookBody): Promise<FeedWebhookEndpoint> {
  const accountId = requireFeedsAccount(ctx, feedsPermissions.manage);
  return withTenant(ctx, async (tx) => {
    const row = await requireEndpoint(tx, accountId, id, { forUpdate: true });
    const connectionIds = body.connectionIds === undefined ? undefined : await requireAccountConnections(tx, accountId, body.connectionIds);
    await requireAccountTemplate(tx, accountId, body.templateId);
    const updated = await updateWebhookEndpoint(tx, row.id, {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.templateId !== undefined ? { templateId: body.templateId } : {}),
      ...(connectionIds !== undefined ? { connectionIds } : {}),
      ...(body.status !== undefined ? { status: body.status } : {}),
    });
    return toWebhookEndpointDto(ctx.config, updated);
  });
}

export async function removeWebhookEndpoint(ctx: ServiceContext, id: string): Promise<void> {
  const accountId = requireFeedsAccount(ctx, feedsPermissions.manage);
  await withTenant(ctx, async (tx) => {
    const row = await requireEndpoint(tx, accountId, id, { forUpdate: true });
    await deleteWebhookEndpoint(tx, row.id);
  });
}

/** A new secret, shown once; the previous one keeps verifying for 24 hours (senders switch over meanwhile). */
export async function rotateWebhookSecret(ctx: ServiceContext, id: string): Promise<FeedWebhookSecret> {
  const accountId = requireFeedsAccount(ctx, feedsPermissions.manage);
  const secret = newSecret();
  return withTenant(ctx, async (tx) => {
    const row = await requireEndpoint(tx, accountId, id, { forUpdate: true });
    const updated = await updateWebhookEndpoint(tx, row.id, {
      secretEncrypted: encryptSecret(ctx.config, secret),
      previousSecretEncrypted: row.secretEncrypted,
      previousSecretExpiresAt: new Date(Date.now() + previousSecretGraceMs),
    });
    return withSecret(ctx, updated, secret);
  });
}

// ------------------------------------------------------------------------------------------ receiver

type InboundWebhook = { endpointId: string; signatureHeader: string | string[] | undefined; body: Buffer | undefined };

/** The secrets that verify now: the current one, and the previous one during its grace period. */
function verifyingSecrets(ctx: ServiceContext, row: WebhookEndpointRow, now: number): string[] {
  const secrets = [decryptSecret(ctx.config, row.secretEncrypted)];
  if (row.previousSecretEncrypted && row.previousSecretExpiresAt && row.previousSecretExpiresAt.getTime() > now) {
    secrets.push(decryptSecret(ctx.config, row.previousSecretEncrypted));
  }
  return secrets;
}

/** Thrown inside the transaction to roll back a duplicate delivery (nothing of it is kept, not even its receipt). */
class DuplicateArticle extends Error {
  constructor(readonly entryId: string) {
    super('duplicate article');
  }
}

/**
 * The public receiver. Checks in order, each refusing with problem+json and changing nothing: signature
 * header missing or garbled 400; unknown or disabled endpoint 404; timestamp outside the tolerance 401;
 * no signature matching a current secret 401; body not JSON 400; article invalid 422; then one
 * transaction: a receipt per signed payload (seen before: a replay, 409) and the entry (an article id
 * seen before: 200 duplicate, rolled back). Accepted: 202 with the entry, drafted by a job.
 * The header is checked before the endpoint is looked up, so an unsigned request learns nothing about
 * which endpoint ids exist.
 */
export async function receiveWebhook(ctx: ServiceContext, input: InboundWebhook): Promise<{ status: 200 | 202; body: WebhookAccepted }> {
  const signature = parseSignatureHeader(input.signatureHeader);
  if (!signature) {
    throw badRequest('webhook.signature_missing', 'Sign the request: Omni-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the endpoint’s secret>.');
  }
  const row = isUuid(input.endpointId) ? await withSystemAccessRead(ctx, 'feeds: webhook endpoint lookup', (tx) => selectWebhookEndpointById(tx, input.endpointId)) : null;
  if (!row || row.status !== 'active') throw notFound('Feed webhook');

  const now = Date.now();
  const tolerance = ctx.config.FEEDS_WEBHOOK_TOLERANCE_SECONDS;
  if (Math.abs(now / 1000 - signature.timestamp) > tolerance) {
    throw new AppError('unauthorized', 'webhook.timestamp_out_of_tolerance', `The signed timestamp is more than ${tolerance} seconds from the server’s clock: sign each request when sending it.`);
  }
  const body = input.body ?? Buffer.alloc(0);
  if (!isSignatureValid(signature, verifyingSecrets(ctx, row, now), body)) {
    throw new AppError('unauthorized', 'webhook.signature_invalid', 'The signature does not match the endpoint’s secret (or the secret was rotated more than 24 hours ago).');
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('webhook.body_invalid', 'The body must be a JSON article object.');
  }
  const article = webhookArticleSchema.safeParse(parsed);
  if (!article.success) {
    const errors = article.error.issues.map((issue) => ({ path: issue.path.join('.') || '(body)', message: issue.message }));
    throw new AppError('unprocessable', 'webhook.payload_invalid', 'The article is not valid: see errors.', { errors });
  }
  const value = article.data;
  // The signed payload (timestamp and body) is what a replay repeats, however the header is written.
  const signedDigest = createHash('sha256').update(`${signature.timestamp}.`, 'utf8').update(body).digest('hex');
  const scope = { db: ctx.db, tenantId: row.tenantId };
  ctx.audit.tenantId = row.tenantId;
  ctx.audit.targetType = 'feed_webhook_endpoint';
  ctx.audit.targetId = row.id;
  try {
    return await withTenant(scope, async (tx) => {
      const fresh = await insertWebhookReceipt(tx, { tenantId: row.tenantId, endpointId: row.id, signatureSha256: signedDigest });
      if (!fresh) throw new AppError('conflict', 'webhook.replayed', 'This signed request was received before: sign each delivery anew.');
      const [entry] = await insertEntries(tx, [
        {
          tenantId: row.tenantId,
          accountId: row.accountId,
          sourceType: 'webhook',
          sourceId: row.id,
          entryKey: value.id,
          title: value.title,
          url: value.url,
          summary: value.summary ? htmlToPlainText(value.summary) : value.contentHtml ? htmlToPlainText(value.contentHtml) : null,
          contentHtml: value.contentHtml ?? null,
          imageUrl: value.imageUrl ?? null,
          author: value.author ?? null,
          tags: value.tags ?? [],
          publishedAt: value.publishedAt ? new Date(value.publishedAt) : null,
        },
      ]);
      if (!entry) {
        const existing = await selectEntryByKey(tx, { sourceType: 'webhook', sourceId: row.id, entryKey: value.id });
        throw new DuplicateArticle(existing!.id);
      }
      await updateWebhookEndpoint(tx, row.id, { lastReceivedAt: new Date() });
      await enqueueProcessEntries(tx, [entry]);
      return { status: 202 as const, body: { entryId: entry.id, duplicate: false } };
    });
  } catch (error) {
    if (error instanceof DuplicateArticle) return { status: 200, body: { entryId: error.entryId, duplicate: true } };
    throw error;
  }
}
