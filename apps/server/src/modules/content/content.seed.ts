import { createPostBodySchema, type CreatePostInput } from '@omni/contracts/content';
import type { Config } from '../../kernel/config.js';
import type { Tx } from '../../kernel/db/database.js';
import { insertOccurrence, insertPostTarget, insertTemplate, updateOccurrence, updatePostState, type TemplateFields } from './content.queries.js';
import { schedulePostInTx, submitPostInTx } from './use-cases/lifecycle.js';
import { createPostInTx } from './use-cases/posts.js';
import { assertTemplateValid } from './use-cases/templates.js';

/**
 * Demo data for the seed (caller's transaction, under system access): templates, posts in every state of
 * the lifecycle through the same use cases the API calls, and posts for publishing targets the seed made
 * directly (history and planned posts), so the calendar and best times see them as content.
 */

type SeedAccount = { tenantId: string; accountId: string };

/** An account template (strict Liquid checked like the API does); returns its id. */
export async function seedContentTemplate(
  tx: Tx,
  input: SeedAccount & { createdBy: string; template: Omit<TemplateFields, 'accountId'> },
): Promise<string> {
  assertTemplateValid(input.template);
  const row = await insertTemplate(tx, { ...input.template, accountId: input.accountId, tenantId: input.tenantId, createdBy: input.createdBy });
  if (!row) throw new Error(`seed: a template named "${input.template.name}" exists already`);
  return row.id;
}

/**
 * A post written by `authorId` and left as a draft, submitted for review (an internal approval request
 * opened by the author, editors notified) or scheduled at its planned time by `authorId` (an editor).
 */
export async function seedPost(
  tx: Tx,
  input: SeedAccount & { config: Config; authorId: string; post: CreatePostInput; state: 'draft' | 'in_review' | 'scheduled' },
): Promise<string> {
  const writer = { tenantId: input.tenantId, accountId: input.accountId, userId: input.authorId };
  const created = await createPostInTx(tx, writer, createPostBodySchema.parse(input.post));
  const actor = { ...writer, config: input.config };
  if (input.state === 'in_review') await submitPostInTx(tx, actor, created.post.id);
  if (input.state === 'scheduled') {
    if (!created.post.plannedAt) throw new Error('seed: a scheduled post needs a planned time');
    await schedulePostInTx(tx, actor, created, created.post.plannedAt, { acknowledgeConflicts: true });
  }
  return created.post.id;
}

/**
 * The post behind a publishing target the seed created directly (one connection, the target's text and
 * link): revision 1 by `authorId`, one occurrence at `at` mapped to the target, and the post published or
 * scheduled like the target. A scheduled one follows its target from then on (content's status sync).
 */
export async function seedPostForTarget(
  tx: Tx,
  input: SeedAccount & {
    authorId: string;
    connectionId: string;
    targetId: string;
    at: Date;
    status: 'published' | 'scheduled';
    post: Pick<CreatePostInput, 'title' | 'baseText' | 'baseLink' | 'tags'>;
  },
): Promise<string> {
  const writer = { tenantId: input.tenantId, accountId: input.accountId, userId: input.authorId };
  const created = await createPostInTx(tx, writer, createPostBodySchema.parse({ ...input.post, plannedAt: input.at.toISOString(), destinations: [input.connectionId] }));
  const variant = created.variants[0];
  const destination = created.destinations[0];
  if (!variant || !destination) throw new Error('seed: the connection is not schedulable for this account');
  const occurrence = await insertOccurrence(tx, { tenantId: input.tenantId, postId: created.post.id, occursAt: input.at, sequence: 0 });
  if (!occurrence) throw new Error('seed: the post has an occurrence at this time already');
  await insertPostTarget(tx, {
    tenantId: input.tenantId,
    targetId: input.targetId,
    postId: created.post.id,
    occurrenceId: occurrence.id,
    variantId: variant.id,
    connectionId: input.connectionId,
    network: destination.network,
    scheduledAt: input.at,
    revision: 1,
  });
  if (input.status === 'published') await updateOccurrence(tx, occurrence.id, { status: 'published' });
  await updatePostState(tx, created.post.id, { status: input.status, reviewStage: null });
  return created.post.id;
}
