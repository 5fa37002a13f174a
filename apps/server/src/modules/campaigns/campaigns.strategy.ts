import { campaignStrategySchema, type CampaignStrategy } from '@omni/contracts/campaigns';
import { networkRules } from '@omni/contracts/network-rules';
import { socialNetworkIdSchema } from '@omni/contracts/social';
import { z } from 'zod';
import type { Tx } from '../../kernel/db/database.js';
import type { JobContext } from '../../kernel/jobs/jobs.js';
import { requireJobTenant } from '../../kernel/jobs/jobs.js';
import { getAgentRuns } from '../ai/index.js';
import { createCampaignDraftInTx } from '../content/index.js';
import { findCampaign, insertCampaignPost, updateCampaignRow, type CampaignRow } from './campaigns.queries.js';
import { predictDrafts } from './campaigns.shared.js';

/**
 * Applying an approved campaign-strategist run (job campaigns.apply-strategy, once per run): the strategy
 * and channel plan stored on the campaign (draft → planned) and one draft post per post draft in the
 * content studio, each with its prediction. In the job's transaction: all of it or nothing.
 */

/** What campaigns reads of the strategist's output (the agent's own schema validated it when it ran). */
const strategistOutputSchema = z.object({
  strategy: z.object({ summary: z.string(), keyMessages: z.array(z.string()), tone: z.string() }),
  channelPlan: z.array(z.object({ network: socialNetworkIdSchema, postsPerWeek: z.number().int(), focus: z.string() })),
  drafts: z.array(z.object({ network: socialNetworkIdSchema, text: z.string(), suggestedAt: z.iso.datetime() })),
});

const weekMs = 7 * 86_400_000;

/** "Autumn launch · Instagram · week 2": the week counted from the campaign's start. */
function titleOf(campaign: CampaignRow, network: keyof typeof networkRules, at: string): string {
  const week = Math.max(1, Math.floor((Date.parse(at) - Date.parse(`${campaign.startsOn}T00:00:00Z`)) / weekMs) + 1);
  return `${campaign.name} · ${networkRules[network].displayName} · week ${week}`;
}

export async function applyStrategy(ctx: JobContext, tx: Tx, payload: { runId: string; campaignId: string }): Promise<void> {
  const tenantId = requireJobTenant(ctx.tenantId);
  const [run] = await getAgentRuns(tx, [payload.runId]);
  if (!run || run.status !== 'approved') return;
  const campaign = await findCampaign(tx, payload.campaignId, { accountId: run.accountId, lock: true });
  // Deleted meanwhile, or applied already (the job is keyed by run, but a retry after a commit must not double).
  if (!campaign || campaign.strategy?.runId === run.id) return;
  if (campaign.latestRunId !== run.id) {
    ctx.logger.info({ campaignId: campaign.id, runId: run.id }, 'campaigns: an approved strategy run is not the campaign’s latest; not applied');
    return;
  }
  const parsed = strategistOutputSchema.safeParse(run.output);
  if (!parsed.success) {
    // The run's output was validated by the agent's schema: a mismatch is a contract drift, not worth retrying.
    ctx.logger.error({ campaignId: campaign.id, runId: run.id, issues: parsed.error.issues }, 'campaigns: the strategist output does not fit; not applied');
    return;
  }
  const output = parsed.data;
  const strategy: CampaignStrategy = campaignStrategySchema.parse({
    ...output.strategy,
    channelPlan: output.channelPlan,
    runId: run.id,
    approvedAt: run.decidedAt ?? new Date().toISOString(),
  });
  const writer = { tenantId, accountId: campaign.accountId, userId: run.requestedBy };
  const source = { kind: 'campaign', campaignId: campaign.id, runId: run.id };
  for (const draft of output.drafts) {
    const created = await createCampaignDraftInTx(tx, writer, {
      title: titleOf(campaign, draft.network, draft.suggestedAt),
      text: draft.text,
      network: draft.network,
      plannedAt: draft.suggestedAt,
      tags: ['campaign'],
      source,
      note: `drafted by the campaign strategist for “${campaign.name}”`,
    });
    const predicted = await predictDrafts(tx, campaign.accountId, [
      { network: draft.network, text: draft.text, at: new Date(draft.suggestedAt), mediaCount: 0, hasLink: /\bhttps?:\/\/\S+/i.test(draft.text) },
    ]);
    await insertCampaignPost(tx, { tenantId, campaignId: campaign.id, postId: created.postId, role: 'generated', runId: run.id, predicted });
  }
  await updateCampaignRow(tx, campaign.id, { strategy, ...(campaign.status === 'draft' ? { status: 'planned' as const } : {}) }, run.decidedBy);
}
