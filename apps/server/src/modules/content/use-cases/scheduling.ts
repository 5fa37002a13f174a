import { resolveVariant } from '@omni/contracts/content';
import { toMediaReference, type MediaRenditionName } from '@omni/contracts/media';
import { renditionForNetwork } from '@omni/contracts/network-rules';
import { zonedDateKey } from '@omni/contracts/time';
import type { SocialNetworkId } from '@omni/contracts/social';
import type { Config } from '../../../kernel/config.js';
import type { Tx } from '../../../kernel/db/database.js';
import { AppError } from '../../../kernel/errors.js';
import {
  cancelScheduledTarget,
  getAccountTimezone,
  listConnectionLoad,
  perConnectionWindows,
  reviseScheduledTarget,
  scheduleTargetsInTx,
  type InternalContent,
  type ScheduleTargetItem,
} from '../../publishing/index.js';
import {
  findContentSettings,
  insertOccurrence,
  insertPostTarget,
  selectOccurrences,
  selectPostTargets,
  updateOccurrence,
  updatePostTarget,
  type OccurrenceRow,
  type PostTargetRow,
  type VariantRow,
} from '../content.queries.js';
import { deletePostTargetsOfOccurrence } from '../content.recurrence.queries.js';
import type { PostState } from './post-state.js';
import { lookupAssets, type AssetLookup } from './media-lookup.js';
import { networkName } from './validation.js';

/**
 * Scheduling a post onto publishing targets (design §3.3–§3.4, §7.2): occurrences, one target per variant
 * per destination connection per occurrence (A/B: B `ab_gap_minutes` later), revising and cancelling the
 * still-scheduled ones, and conflict checks. Everything runs in the caller's transaction; WP5's planning
 * files (recurrence, CSV import, calendar) call these too.
 */

/** Who schedules: the targets record them (null: the system, e.g. an approval by a client link). */
export type SchedulingActor = { tenantId: string; accountId: string; userId: string | null; config: Config };

/** The content a variant sends: resolved against the base; media as omni-media:// references to the network rendition. */
export function targetContentOf(state: PostState, variant: VariantRow, assets: AssetLookup): InternalContent {
  const resolved = resolveVariant(state.post, variant);
  const rendition = renditionForNetwork(variant.network as SocialNetworkId) as MediaRenditionName;
  return {
    text: resolved.text,
    link: resolved.link,
    options: resolved.options,
    media: resolved.media.map((item) => {
      const asset = assets.get(item.assetId);
      const kind = asset?.kind ?? 'image';
      // Videos have only the original; images go out as the network's rendition.
      const name: MediaRenditionName = kind === 'video' ? 'original' : rendition;
      return { url: toMediaReference(item.assetId, name), kind, altText: item.altText ?? asset?.altText ?? null, mimeType: asset?.renditions[name]?.mimeType ?? asset?.mimeType ?? null };
    }),
  };
}

/** The (variant, connection, offset) triples of one occurrence: every variant to every destination of its network. */
export function placementsOf(state: PostState): Array<{ variant: VariantRow; connectionId: string; network: string; offsetMinutes: number }> {
  const placements: Array<{ variant: VariantRow; connectionId: string; network: string; offsetMinutes: number }> = [];
  for (const variant of state.variants) {
    const offsetMinutes = variant.abLabel === 'B' ? (state.post.abGapMinutes ?? 0) : 0;
    for (const destination of state.destinations.filter((candidate) => candidate.network === variant.network)) {
      placements.push({ variant, connectionId: destination.connectionId, network: variant.network, offsetMinutes });
    }
  }
  return placements;
}

const addMinutes = (at: Date, minutes: number) => new Date(at.getTime() + minutes * 60_000);

/**
 * Materialize occurrences at `instants` (an instant the post already has is skipped) and their targets,
 * through publishing's scheduleTargetsInTx. Returns the occurrences created.
 */
export async function scheduleOccurrencesInTx(tx: Tx, actor: SchedulingActor, state: PostState, instants: Date[]): Promise<OccurrenceRow[]> {
  const assets = await lookupAssets(tx, mediaIds(state));
  const placements = placementsOf(state);
  const existing = await selectOccurrences(tx, state.post.id);
  let sequence = existing.reduce((max, occurrence) => Math.max(max, occurrence.sequence + 1), 0);
  const created: OccurrenceRow[] = [];
  for (const at of [...instants].sort((a, b) => a.getTime() - b.getTime())) {
    const occurrence =
      (await insertOccurrence(tx, { tenantId: actor.tenantId, postId: state.post.id, occursAt: at, sequence: existing.length === 0 && instants.length === 1 && !state.post.recurrenceRule ? 0 : sequence })) ??
      (await reviveCancelledOccurrence(tx, existing, at));
    if (!occurrence) continue;
    sequence += 1;
    const items: ScheduleTargetItem[] = placements.map((placement) => ({
      connectionId: placement.connectionId,
      content: targetContentOf(state, placement.variant, assets),
      scheduledAt: addMinutes(at, placement.offsetMinutes),
    }));
    await createTargets(tx, actor, state, occurrence.id, placements, items);
    created.push(occurrence);
  }
  return created;
}

/**
 * A cancelled occurrence at `at` is scheduled again (a series edited back to an instant it had, a post
 * scheduled again at the same time): UNIQUE (post_id, occurs_at) keeps one row per instant. The mapping of
 * its cancelled targets goes (publishing keeps their history); new targets follow.
 */
async function reviveCancelledOccurrence(tx: Tx, existing: OccurrenceRow[], at: Date): Promise<OccurrenceRow | null> {
  const cancelled = existing.find((occurrence) => occurrence.status === 'cancelled' && occurrence.occursAt.getTime() === at.getTime());
  if (!cancelled) return null;
  await deletePostTargetsOfOccurrence(tx, cancelled.id);
  await updateOccurrence(tx, cancelled.id, { status: 'scheduled' });
  return { ...cancelled, status: 'scheduled' };
}

type TargetPlacement = ReturnType<typeof placementsOf>[number];

/** Publishing targets for `items` (one per placement, same order) and their post_targets mapping. */
async function createTargets(tx: Tx, actor: SchedulingActor, state: PostState, occurrenceId: string, placements: TargetPlacement[], items: ScheduleTargetItem[]): Promise<void> {
  const targets = await scheduleTargetsInTx(tx, { tenantId: actor.tenantId, accountId: actor.accountId, createdBy: actor.userId, items });
  for (const [index, target] of targets.entries()) {
    const placement = placements[index]!;
    await insertPostTarget(tx, {
      tenantId: actor.tenantId,
      targetId: target.id,
      postId: state.post.id,
      occurrenceId,
      variantId: placement.variant.id,
      connectionId: placement.connectionId,
      network: placement.network,
      scheduledAt: new Date(target.scheduledAt),
      revision: state.post.currentRevision,
    });
  }
}

function mediaIds(state: PostState): string[] {
  return [...new Set([...state.post.baseMedia, ...state.variants.flatMap((variant) => variant.media ?? [])].map((item) => item.assetId))];
}

export type RefusedTarget = { targetId: string; network: string; status: string };

/** 409 content.partly_published: part of the post is already out (or going out) and cannot change. */
export function partlyPublished(refused: RefusedTarget[]): AppError {
  return new AppError(
    'conflict',
    'content.partly_published',
    `Part of this post is already ${refused.some((target) => target.status === 'published') ? 'published' : 'being published'} (${refused.map((target) => networkName(target.network)).join(', ')}); apply the change to the parts not yet published, or leave it.`,
    { targets: refused },
  );
}

/**
 * Cancel the still-scheduled targets of the occurrences at or after `from` (all when null) and mark those
 * occurrences cancelled. Targets already out are left alone and returned (the caller decides whether that
 * is a 409 content.partly_published).
 */
export async function cancelOccurrencesFrom(tx: Tx, state: Pick<PostState, 'post'>, from: Date | null, reason = 'post unscheduled'): Promise<{ cancelled: number; refused: RefusedTarget[] }> {
  const occurrences = (await selectOccurrences(tx, state.post.id, { from: from ?? undefined, lock: true })).filter((occurrence) => occurrence.status !== 'cancelled');
  if (occurrences.length === 0) return { cancelled: 0, refused: [] };
  const targets = await selectPostTargets(tx, { occurrenceIds: occurrences.map((occurrence) => occurrence.id) });
  const refused: RefusedTarget[] = [];
  let cancelled = 0;
  for (const target of targets) {
    const result = await cancelScheduledTarget(tx, { targetId: target.targetId, reason });
    if (result.ok) cancelled += 1;
    else if (result.currentStatus !== 'cancelled' && result.currentStatus !== 'not_found') refused.push({ targetId: target.targetId, network: target.network, status: result.currentStatus });
  }
  const refusedOccurrences = new Set(targets.filter((target) => refused.some((item) => item.targetId === target.targetId)).map((target) => target.occurrenceId));
  for (const occurrence of occurrences) {
    if (!refusedOccurrences.has(occurrence.id)) await updateOccurrence(tx, occurrence.id, { status: 'cancelled' });
  }
  return { cancelled, refused };
}

/**
 * Bring the targets of the post's scheduled occurrences in line with its (new) content: revise those
 * still scheduled, cancel the ones whose variant or destination is gone, create targets for new
 * (variant, destination) pairs. With `applyToUnpublished` false, any target already out refuses the whole
 * change (the caller rolls back); true revises the rest. Returns what could not change.
 */
export async function reviseScheduledPost(tx: Tx, actor: SchedulingActor, state: PostState, options: { applyToUnpublished: boolean; reason: string }): Promise<RefusedTarget[]> {
  const occurrences = await selectOccurrences(tx, state.post.id, { status: 'scheduled', lock: true });
  if (occurrences.length === 0) return [];
  const assets = await lookupAssets(tx, mediaIds(state));
  const placements = placementsOf(state);
  const targets = await selectPostTargets(tx, { occurrenceIds: occurrences.map((occurrence) => occurrence.id) });
  const refused: RefusedTarget[] = [];
  const refuse = (target: PostTargetRow, status: string) => {
    if (status !== 'cancelled' && status !== 'not_found') refused.push({ targetId: target.targetId, network: target.network, status });
  };
  for (const occurrence of occurrences) {
    const own = targets.filter((target) => target.occurrenceId === occurrence.id);
    const missing: ScheduleTargetItem[] = [];
    const missingPlacements: typeof placements = [];
    for (const placement of placements) {
      const target = own.find((candidate) => candidate.variantId === placement.variant.id && candidate.connectionId === placement.connectionId);
      const content = targetContentOf(state, placement.variant, assets);
      const scheduledAt = addMinutes(occurrence.occursAt, placement.offsetMinutes);
      if (!target) {
        missing.push({ connectionId: placement.connectionId, content, scheduledAt });
        missingPlacements.push(placement);
        continue;
      }
      const result = await reviseScheduledTarget(tx, { targetId: target.targetId, content, scheduledAt: scheduledAt.getTime() === target.scheduledAt.getTime() ? undefined : scheduledAt, reason: options.reason });
      if (result.ok) await updatePostTarget(tx, target.targetId, { revision: state.post.currentRevision, scheduledAt });
      else refuse(target, result.currentStatus);
    }
    for (const target of own) {
      const kept = placements.some((placement) => placement.variant.id === target.variantId && placement.connectionId === target.connectionId);
      if (kept) continue;
      const result = await cancelScheduledTarget(tx, { targetId: target.targetId, reason: options.reason });
      if (!result.ok) refuse(target, result.currentStatus);
    }
    if (missing.length > 0) await createTargets(tx, actor, state, occurrence.id, missingPlacements, missing);
  }
  if (refused.length > 0 && !options.applyToUnpublished) throw partlyPublished(refused);
  return refused;
}

/**
 * Move one occurrence to `at`: every still-scheduled target moves by the same delta (A/B keeps its gap).
 * A target already out refuses the move (409) unless `applyToUnpublished`.
 */
export async function moveOccurrence(tx: Tx, occurrence: OccurrenceRow, at: Date, options: { applyToUnpublished: boolean; reason: string }): Promise<RefusedTarget[]> {
  const delta = at.getTime() - occurrence.occursAt.getTime();
  const targets = await selectPostTargets(tx, { occurrenceIds: [occurrence.id] });
  const refused: RefusedTarget[] = [];
  for (const target of targets) {
    const scheduledAt = new Date(target.scheduledAt.getTime() + delta);
    const result = await reviseScheduledTarget(tx, { targetId: target.targetId, scheduledAt, reason: options.reason });
    if (result.ok) await updatePostTarget(tx, target.targetId, { scheduledAt });
    else if (result.currentStatus !== 'cancelled' && result.currentStatus !== 'not_found') refused.push({ targetId: target.targetId, network: target.network, status: result.currentStatus });
  }
  if (refused.length > 0 && !options.applyToUnpublished) throw partlyPublished(refused);
  await updateOccurrence(tx, occurrence.id, { occursAt: at });
  return refused;
}

// ---------------------------------------------------------------- conflicts

export type Placement = { connectionId: string; network: string; at: Date };
export type ScheduleConflict = {
  kind: 'too_close' | 'daily_cap' | 'network_limit';
  connectionId: string;
  network: string;
  at: string;
  otherTargetId: string | null;
  otherPostId: string | null;
  limit: number | null;
  message: string;
};

const formatMinutes = (minutes: number) => (minutes % 60 === 0 && minutes >= 60 ? `${minutes / 60} h` : `${minutes} min`);

/**
 * What planning `placements` would collide with on their connections (§7.2): another target within the
 * account's minimum gap, the account's daily cap for the network reached on that calendar day (account
 * zone, UTC when none), or one of publishing's per-connection windows exceeded. Targets created through
 * publishing's API count too; the post's own targets (`excludePostId`) do not. Placements in the same
 * request count against each other.
 */
export async function findScheduleConflicts(
  tx: Tx,
  input: { accountId: string; config: Pick<Config, 'PUBLISH_NETWORK_RATE_LIMITS'>; placements: Placement[]; excludePostId?: string | null },
): Promise<ScheduleConflict[]> {
  if (input.placements.length === 0) return [];
  const settings = await findContentSettings(tx, input.accountId);
  const zone = (await getAccountTimezone(tx, input.accountId)) ?? 'UTC';
  const windows = perConnectionWindows(input.config);
  const longestWindowMs = Math.max(...windows.map((window) => window.seconds * 1000), 0);
  const spanMs = Math.max(longestWindowMs, 36 * 3600_000, settings.minGapMinutes * 60_000);
  const times = input.placements.map((placement) => placement.at.getTime());
  const load = await listConnectionLoad(tx, {
    connectionIds: input.placements.map((placement) => placement.connectionId),
    from: new Date(Math.min(...times) - spanMs),
    to: new Date(Math.max(...times) + spanMs),
  });
  const own = input.excludePostId ? new Set((await selectPostTargets(tx, { postId: input.excludePostId })).map((target) => target.targetId)) : new Set<string>();
  const owners = new Map<string, string>();
  const others = load.filter((item) => !own.has(item.targetId));
  if (others.length > 0) {
    for (const target of await selectPostTargets(tx, { targetIds: others.map((item) => item.targetId) })) owners.set(target.targetId, target.postId);
  }
  type Item = { targetId: string | null; connectionId: string; at: number };
  const conflicts: ScheduleConflict[] = [];
  const accepted: Item[] = others.map((item) => ({ targetId: item.targetId, connectionId: item.connectionId, at: new Date(item.scheduledAt).getTime() }));
  for (const placement of input.placements) {
    const at = placement.at.getTime();
    const onConnection = accepted.filter((item) => item.connectionId === placement.connectionId);
    const base = { connectionId: placement.connectionId, network: placement.network, at: placement.at.toISOString() };
    const name = networkName(placement.network);
    if (settings.minGapMinutes > 0) {
      const close = onConnection.find((item) => Math.abs(item.at - at) < settings.minGapMinutes * 60_000);
      if (close) {
        conflicts.push({
          ...base,
          kind: 'too_close',
          otherTargetId: close.targetId,
          otherPostId: close.targetId ? (owners.get(close.targetId) ?? null) : null,
          limit: settings.minGapMinutes,
          message: `${name}: another post goes out on this connection ${Math.round(Math.abs(close.at - at) / 60_000)} min apart; this account keeps at least ${formatMinutes(settings.minGapMinutes)} between posts.`,
        });
      }
    }
    const cap = settings.dailyCaps[placement.network];
    if (cap !== undefined) {
      const day = zonedDateKey(placement.at, zone);
      const sameDay = onConnection.filter((item) => zonedDateKey(new Date(item.at), zone) === day).length;
      if (sameDay + 1 > cap) {
        conflicts.push({ ...base, kind: 'daily_cap', otherTargetId: null, otherPostId: null, limit: cap, message: `${name}: ${sameDay} post${sameDay === 1 ? '' : 's'} already planned on this connection on ${day} (${zone}); this account's cap is ${cap} a day.` });
      }
    }
    for (const window of windows.filter((candidate) => candidate.network === placement.network)) {
      const span = window.seconds * 1000;
      const before = onConnection.filter((item) => item.at > at - span && item.at <= at).length;
      const after = onConnection.filter((item) => item.at >= at && item.at < at + span).length;
      if (Math.max(before, after) + 1 > window.limit) {
        conflicts.push({
          ...base,
          kind: 'network_limit',
          otherTargetId: null,
          otherPostId: null,
          limit: window.limit,
          message: `${name} accepts at most ${window.limit} posts per ${formatMinutes(window.seconds / 60)} on one connection; with this one it would be ${Math.max(before, after) + 1}, so publishing would hold it back.`,
        });
        break;
      }
    }
    accepted.push({ targetId: null, connectionId: placement.connectionId, at });
  }
  return conflicts;
}

/** 409 content.schedule_conflict unless acknowledged. */
export function assertNoConflicts(conflicts: ScheduleConflict[], acknowledged: boolean): void {
  if (conflicts.length === 0 || acknowledged) return;
  throw new AppError('conflict', 'content.schedule_conflict', `${conflicts[0]!.message}${conflicts.length > 1 ? ` (and ${conflicts.length - 1} more)` : ''} Send again with acknowledgeConflicts to schedule anyway.`, { conflicts });
}
