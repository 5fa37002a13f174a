import { diffArrays, diffWordsWithSpace } from 'diff';
import { postSnapshotSchema, type PostSaveResult, type PostSnapshot, type Revision, type RevisionDiff } from '@omni/contracts/content';
import { assertCan, requireTenant } from '../../../kernel/access.js';
import { withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import { notFound } from '../../../kernel/errors.js';
import type { ServiceContext } from '../../../kernel/module.js';
import type { Tx } from '../../../kernel/db/database.js';
import { contentPermissions } from '../content.permissions.js';
import { findContentSettings, findRevision, selectRevisions } from '../content.queries.js';
import { buildPostContent, inputOfSnapshot, loadPostState } from './post-state.js';
import { checkPostRecurrence } from './recurrence.js';
import { assertExpectedRevision, assertMayEdit, editPostInTx, postDtoOf, requireAccount, writerOf } from './posts.js';

/** Revisions: the list, one snapshot, the difference between two, and restoring one as a new revision. */

export async function listRevisions(ctx: ServiceContext, postId: string): Promise<{ items: Array<Omit<Revision, 'snapshot'>> }> {
  assertCan(ctx, contentPermissions.read);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  const rows = await withTenantRead(ctx, async (tx) => {
    await loadPostState(tx, postId, { accountId });
    return selectRevisions(tx, postId);
  });
  return { items: rows.map((row) => ({ number: row.number, authorUserId: row.authorUserId, note: row.note, createdAt: row.createdAt.toISOString() })) };
}

/** A revision number from the path: a positive integer, else null (no such revision). */
export function parseRevisionNumber(value: string | number): number | null {
  const number = typeof value === 'number' ? value : /^[1-9]\d{0,8}$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(number) && number >= 1 ? number : null;
}

async function requireRevision(tx: Tx, postId: string, value: string | number): Promise<Revision> {
  const number = parseRevisionNumber(value);
  const row = number === null ? null : await findRevision(tx, postId, number);
  if (!row) throw notFound('Revision');
  return { number: row.number, authorUserId: row.authorUserId, note: row.note, createdAt: row.createdAt.toISOString(), snapshot: postSnapshotSchema.parse(row.snapshot) };
}

export async function getRevision(ctx: ServiceContext, postId: string, number: string): Promise<Revision> {
  assertCan(ctx, contentPermissions.read);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  return withTenantRead(ctx, async (tx) => {
    await loadPostState(tx, postId, { accountId });
    return requireRevision(tx, postId, number);
  });
}

type FieldDiff = RevisionDiff['fields'][number];
type Changes = FieldDiff['changes'];

function textChanges(before: string, after: string): Changes {
  return diffWordsWithSpace(before, after).map((part) => ({ op: part.added ? 'insert' : part.removed ? 'delete' : 'equal', text: part.value }));
}

function setChanges(before: string[], after: string[]): Changes {
  return diffArrays(before, after).flatMap((part) => part.value.map((text) => ({ op: part.added ? ('insert' as const) : part.removed ? ('delete' as const) : ('equal' as const), text })));
}

const mediaKey = (item: { assetId: string; altText: string | null }) => (item.altText ? `${item.assetId} (${item.altText})` : item.assetId);
const recurrenceText = (recurrence: PostSnapshot['recurrence']) => (recurrence ? `${recurrence.rule} (${recurrence.timeZone})` : '');

/**
 * Field-by-field difference between two snapshots: words (with whitespace) for texts and option values,
 * item lists for media, tags and destinations. Only fields that changed are listed; the recurrence only when
 * both snapshots know it (older ones did not keep it).
 */
export function diffSnapshots(from: PostSnapshot, to: PostSnapshot): FieldDiff[] {
  const fields: FieldDiff[] = [];
  const push = (field: string, network: FieldDiff['network'], abLabel: FieldDiff['abLabel'], changes: Changes) => {
    if (changes.some((change) => change.op !== 'equal')) fields.push({ field, network, abLabel, changes });
  };
  push('title', null, null, textChanges(from.title ?? '', to.title ?? ''));
  push('baseText', null, null, textChanges(from.baseText, to.baseText));
  push('baseMedia', null, null, setChanges(from.baseMedia.map(mediaKey), to.baseMedia.map(mediaKey)));
  push('baseLink', null, null, textChanges(from.baseLink ?? '', to.baseLink ?? ''));
  push('tags', null, null, setChanges([...from.tags].sort(), [...to.tags].sort()));
  push('plannedAt', null, null, textChanges(from.plannedAt ?? '', to.plannedAt ?? ''));
  push('ab', null, null, textChanges(from.ab ? `${from.ab.network} +${from.ab.gapMinutes} min` : '', to.ab ? `${to.ab.network} +${to.ab.gapMinutes} min` : ''));
  if (from.recurrence !== undefined && to.recurrence !== undefined) push('recurrence', null, null, textChanges(recurrenceText(from.recurrence), recurrenceText(to.recurrence)));
  const destinationKey = (destination: { connectionId: string; network: string }) => `${destination.network}:${destination.connectionId}`;
  push('destinations', null, null, setChanges(from.destinations.map(destinationKey).sort(), to.destinations.map(destinationKey).sort()));
  const variantKey = (variant: { network: string; abLabel: string | null }) => `${variant.network}/${variant.abLabel ?? ''}`;
  const keys = [...new Set([...from.variants.map(variantKey), ...to.variants.map(variantKey)])];
  for (const key of keys) {
    const before = from.variants.find((variant) => variantKey(variant) === key);
    const after = to.variants.find((variant) => variantKey(variant) === key);
    const { network, abLabel } = (after ?? before)!;
    push('text', network, abLabel, textChanges(before?.text ?? '', after?.text ?? ''));
    push('media', network, abLabel, setChanges((before?.media ?? []).map(mediaKey), (after?.media ?? []).map(mediaKey)));
    push('link', network, abLabel, textChanges(before?.link ?? '', after?.link ?? ''));
    const optionNames = [...new Set([...Object.keys(before?.options ?? {}), ...Object.keys(after?.options ?? {})])].sort();
    for (const name of optionNames) {
      const show = (value: unknown) => (value === undefined ? '' : Array.isArray(value) ? value.join('\n---\n') : typeof value === 'string' ? value : JSON.stringify(value));
      push(`options.${name}`, network, abLabel, textChanges(show(before?.options[name]), show(after?.options[name])));
    }
  }
  return fields;
}

/** What changed from revision `against` (default: the one before) to revision `number`. */
export async function diffRevisions(ctx: ServiceContext, postId: string, number: string, against: number | undefined): Promise<RevisionDiff> {
  assertCan(ctx, contentPermissions.read);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  return withTenantRead(ctx, async (tx) => {
    await loadPostState(tx, postId, { accountId });
    const to = await requireRevision(tx, postId, number);
    const from = await requireRevision(tx, postId, against ?? Math.max(1, to.number - 1));
    return { from: from.number, to: to.number, fields: diffSnapshots(from.snapshot, to.snapshot) };
  });
}

/**
 * Restore revision `number` as a new revision ("restored from 3"): an edit like any other (permission,
 * expectedRevision, approvals superseded). Destinations disconnected since are refused as in any edit. The
 * revision's recurrence is set back as an edit sets it (checked: 422; a running series' future occurrences
 * re-made, 409 when part is already out or when it would drop the rule of a started series); a snapshot
 * made before revisions kept the recurrence leaves it as it is.
 */
export async function restoreRevision(ctx: ServiceContext, postId: string, number: string, expectedRevision: number): Promise<PostSaveResult> {
  assertCan(ctx, contentPermissions.write);
  const writer = writerOf(ctx);
  const result = await withTenant(ctx, async (tx) => {
    const state = await loadPostState(tx, postId, { accountId: writer.accountId, lock: true });
    assertMayEdit(ctx, state, 'restored');
    assertExpectedRevision(state, expectedRevision);
    const revision = await requireRevision(tx, postId, number);
    const settings = await findContentSettings(tx, writer.accountId);
    const content = await buildPostContent(tx, writer.accountId, inputOfSnapshot(revision.snapshot), state.destinations, settings.abDefaultGapMinutes);
    content.fields.abGapMinutes = revision.snapshot.ab?.gapMinutes ?? null;
    const recurrence = revision.snapshot.recurrence === undefined ? undefined : checkPostRecurrence(revision.snapshot.recurrence, content.fields);
    const edited = await editPostInTx(tx, ctx, state, content, { note: `restored from ${revision.number}`, applyToUnpublished: false, recurrence });
    return { ...(await postDtoOf(tx, edited.state)), unscheduled: edited.unscheduled };
  });
  ctx.audit.targetType = 'post';
  ctx.audit.targetId = postId;
  ctx.audit.metadata = { restoredFrom: Number(number), revision: result.currentRevision };
  return result;
}
