import { createCampaignBodySchema, type CampaignStatus, type CreateCampaignInput } from '@omni/contracts/campaigns';
import type { Tx } from '../../kernel/db/database.js';
import { listCampaignPostViews } from '../content/index.js';
import { insertCampaign, insertCampaignPost } from './campaigns.queries.js';
import { draftsOfView, predictDrafts } from './campaigns.shared.js';

/**
 * Demo data for the seed (caller's transaction, with the tenant set as under withTenant): a campaign with
 * posts the seed made linked to it, each predicted like a link made through the API. Returns its id.
 */
export async function seedCampaign(
  tx: Tx,
  input: { tenantId: string; accountId: string; createdBy: string; status: CampaignStatus; campaign: CreateCampaignInput; postIds: string[] },
): Promise<string> {
  const fields = createCampaignBodySchema.parse(input.campaign);
  const campaign = await insertCampaign(tx, { ...fields, tenantId: input.tenantId, accountId: input.accountId, status: input.status, createdBy: input.createdBy });
  const views = new Map((await listCampaignPostViews(tx, input.accountId, input.postIds)).map((view) => [view.id, view]));
  for (const postId of input.postIds) {
    const view = views.get(postId);
    if (!view) throw new Error(`seed: post ${postId} is not in the account`);
    const predicted = await predictDrafts(tx, input.accountId, draftsOfView(view));
    await insertCampaignPost(tx, { tenantId: input.tenantId, campaignId: campaign.id, postId, role: 'linked', runId: null, predicted });
  }
  return campaign.id;
}
