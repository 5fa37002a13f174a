import {
  campaignDatesIssue,
  type CampaignDetail,
  type CampaignList,
  type CampaignListQuery,
  type CreateCampaignBody,
  type GenerateCampaignBody,
  type GenerateCampaignResult,
  type UpdateCampaignBody,
} from '@omni/contracts/campaigns';
import { assertCan, requireActor, requireTenant } from '../../kernel/access.js';
import { withTenant, withTenantRead } from '../../kernel/db/tenancy.js';
import { AppError, conflict, type FieldError } from '../../kernel/errors.js';
import type { ServiceContext } from '../../kernel/module.js';
import { aiPermissions, getAgentRuns, queueAgentRun } from '../ai/index.js';
import { campaignsPermissions } from './campaigns.permissions.js';
import { deleteCampaignRow, findCampaign, insertCampaign, selectCampaigns, updateCampaignRow, type CampaignRow } from './campaigns.queries.js';
import { assertNotArchived, latestRunsOf, loadCampaignDetail, pendingRunStatuses, requireAccount, requireCampaign, toCampaignDto } from './campaigns.shared.js';

/**
 * Campaign use cases the routes call: list, read, create, edit (archived ones only change status), delete
 * (the posts stay, unlinked) and generate from the brief (a queued campaign-strategist run under the
 * content-generation HITL policy; campaigns.strategy.ts applies it once approved). Link, unlink, submit and
 * performance live in campaigns.posts.ts.
 */

/** The agent that turns a brief into a strategy and post drafts, and the policy its results are routed by. */
export const strategistAgentId = 'campaign-strategist';
export const generationWorkflowType = 'content_generation';
export const campaignSubjectType = 'campaign';

const minimumBriefLength = 10;

function invalid(code: string, message: string, errors: FieldError[]): AppError {
  return new AppError('unprocessable', code, message, { errors });
}

/** 422 when the dates (as they would be stored) end before they start, or a KPI metric is there twice. */
function assertConsistent(values: { startsOn: string; endsOn: string; kpis?: CreateCampaignBody['kpis'] }): void {
  const datesIssue = campaignDatesIssue(values.startsOn, values.endsOn);
  if (datesIssue) throw invalid('campaigns.invalid_dates', datesIssue, [{ path: 'body.endsOn', message: `must be on or after the start (${values.startsOn})` }]);
  const seen = new Set<string>();
  const duplicates: FieldError[] = [];
  (values.kpis ?? []).forEach((kpi, index) => {
    if (seen.has(kpi.metric)) duplicates.push({ path: `body.kpis.${index}.metric`, message: `${kpi.metric} has a target already` });
    seen.add(kpi.metric);
  });
  if (duplicates.length > 0) throw invalid('campaigns.duplicate_kpi', 'Each KPI metric can have one target.', duplicates);
}

const unique = <T>(values: T[]) => [...new Set(values)];

export async function listCampaigns(ctx: ServiceContext, query: CampaignListQuery): Promise<CampaignList> {
  assertCan(ctx, campaignsPermissions.read);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  return withTenantRead(ctx, async (tx) => {
    const { rows, total } = await selectCampaigns(tx, { accountId, status: query.status, search: query.q, limit: query.limit, offset: query.offset });
    const runs = await latestRunsOf(tx, rows);
    return { items: rows.map((row) => toCampaignDto(row, runs)), total };
  });
}

export async function getCampaign(ctx: ServiceContext, id: string): Promise<CampaignDetail> {
  assertCan(ctx, campaignsPermissions.read);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  return withTenantRead(ctx, async (tx) => loadCampaignDetail(tx, await requireCampaign(tx, id, accountId)));
}

export async function createCampaign(ctx: ServiceContext, body: CreateCampaignBody): Promise<CampaignDetail> {
  assertCan(ctx, campaignsPermissions.write);
  const tenantId = requireTenant(ctx);
  const accountId = requireAccount(ctx);
  assertConsistent(body);
  const campaign = await withTenant(ctx, async (tx) => {
    const row = await insertCampaign(tx, { ...body, channels: unique(body.channels), tenantId, accountId, status: 'draft', createdBy: requireActor(ctx).userId });
    return loadCampaignDetail(tx, row);
  });
  ctx.audit.targetType = 'campaign';
  ctx.audit.targetId = campaign.id;
  return campaign;
}

export async function updateCampaign(ctx: ServiceContext, id: string, body: UpdateCampaignBody): Promise<CampaignDetail> {
  assertCan(ctx, campaignsPermissions.write);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  const userId = requireActor(ctx).userId;
  const { status, ...fields } = body;
  const campaign = await withTenant(ctx, async (tx) => {
    const current = await requireCampaign(tx, id, accountId, { lock: true });
    const changesFields = Object.values(fields).some((value) => value !== undefined);
    // An archived campaign changes only by leaving the archive (which may come with other changes).
    if (changesFields && (status === undefined || status === 'archived')) assertNotArchived(current);
    assertConsistent({ startsOn: fields.startsOn ?? current.startsOn, endsOn: fields.endsOn ?? current.endsOn, kpis: fields.kpis });
    await updateCampaignRow(tx, id, { ...fields, ...(fields.channels ? { channels: unique(fields.channels) } : {}), status }, userId);
    return loadCampaignDetail(tx, (await findCampaign(tx, id))!);
  });
  ctx.audit.targetType = 'campaign';
  ctx.audit.targetId = id;
  ctx.audit.metadata = status ? { status } : {};
  return campaign;
}

/** The latest run when it is still to be decided (queued, running or awaiting review), else null. */
async function findPendingRun(tx: Parameters<typeof getAgentRuns>[0], campaign: CampaignRow) {
  if (!campaign.latestRunId) return null;
  const [run] = await getAgentRuns(tx, [campaign.latestRunId]);
  return run && pendingRunStatuses.has(run.status) ? run : null;
}

function generationRunning(status: string) {
  return conflict('campaigns.generation_running', `A strategy for this campaign is being generated (${status.replace('_', ' ')}): wait for it to be decided, or reject it in the approvals inbox.`);
}

/**
 * Delete a campaign: its posts stay in the content studio, unlinked. While a strategy is being generated
 * it is 409 campaigns.generation_running (its approval would create drafts for a campaign that is gone).
 */
export async function deleteCampaign(ctx: ServiceContext, id: string): Promise<void> {
  assertCan(ctx, campaignsPermissions.write);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  await withTenant(ctx, async (tx) => {
    const campaign = await requireCampaign(tx, id, accountId, { lock: true });
    const pending = await findPendingRun(tx, campaign);
    if (pending) throw generationRunning(pending.status);
    await deleteCampaignRow(tx, id);
  });
  ctx.audit.targetType = 'campaign';
  ctx.audit.targetId = id;
}

/**
 * Queue the campaign-strategist with the campaign's brief, goal, audience, channels and dates (a body brief
 * replaces the stored one). The run is routed by the content-generation policy; once approved (by a person
 * or automatically) the strategy and drafts are applied by the job campaigns.apply-strategy.
 */
export async function generateCampaign(ctx: ServiceContext, id: string, body: GenerateCampaignBody): Promise<GenerateCampaignResult> {
  assertCan(ctx, campaignsPermissions.write);
  assertCan(ctx, aiPermissions.run);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  const userId = requireActor(ctx).userId;
  const run = await withTenant(ctx, async (tx) => {
    const campaign = await requireCampaign(tx, id, accountId, { lock: true });
    assertNotArchived(campaign);
    const pending = await findPendingRun(tx, campaign);
    if (pending) throw generationRunning(pending.status);
    const brief = body.brief ?? campaign.brief;
    if (brief.trim().length < minimumBriefLength) {
      throw invalid('campaigns.brief_missing', 'Write a brief first: describe the campaign in a sentence or more.', [{ path: 'body.brief', message: `needs at least ${minimumBriefLength} characters` }]);
    }
    const input = { brief, goal: campaign.goal, audience: campaign.audience, channels: campaign.channels, startsOn: campaign.startsOn, endsOn: campaign.endsOn };
    const queued = await queueAgentRun(tx, ctx, strategistAgentId, input, { workflowType: generationWorkflowType, accountId, subject: { type: campaignSubjectType, id } });
    await updateCampaignRow(tx, id, { brief, latestRunId: queued.id }, userId);
    return queued;
  });
  ctx.audit.targetType = 'campaign';
  ctx.audit.targetId = id;
  ctx.audit.metadata = { runId: run.id };
  return { run };
}
