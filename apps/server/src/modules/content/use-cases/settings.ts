import type { ContentSettings, UpdateContentSettingsBody } from '@omni/contracts/content';
import { assertCan, requireActor, requireTenant } from '../../../kernel/access.js';
import { withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { contentPermissions } from '../content.permissions.js';
import { findContentSettings, upsertContentSettings, type ContentSettingsRow } from '../content.queries.js';
import { requireAccount } from './posts.js';
import { getAccountTimezone as accountTimeZone } from '../../publishing/index.js';

/**
 * Per-account content settings: approval policy (whether editors must submit too), client approval,
 * the minimum gap between two posts on one connection, daily caps per network, the A/B default gap.
 * No row: the defaults. The account's time zone is publishing's setting, shown here read-only.
 */
function toSettingsDto(row: ContentSettingsRow, timeZone: string | null): ContentSettings {
  return {
    accountId: row.accountId,
    timeZone,
    approvalPolicy: row.approvalPolicy,
    clientApprovalRequired: row.clientApprovalRequired,
    minGapMinutes: row.minGapMinutes,
    dailyCaps: row.dailyCaps,
    abDefaultGapMinutes: row.abDefaultGapMinutes,
    updatedBy: row.updatedBy,
    updatedAt: row.updatedAt?.toISOString() ?? null,
  };
}

export async function getContentSettings(ctx: ServiceContext): Promise<ContentSettings> {
  assertCan(ctx, contentPermissions.read);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  return withTenantRead(ctx, async (tx) => toSettingsDto(await findContentSettings(tx, accountId), await accountTimeZone(tx, accountId)));
}

export async function updateContentSettings(ctx: ServiceContext, body: UpdateContentSettingsBody): Promise<ContentSettings> {
  assertCan(ctx, contentPermissions.settings);
  const tenantId = requireTenant(ctx);
  const accountId = requireAccount(ctx);
  const dailyCaps = Object.fromEntries(Object.entries(body.dailyCaps).filter(([, cap]) => cap !== undefined)) as Record<string, number>;
  const result = await withTenant(ctx, async (tx) => {
    const row = await upsertContentSettings(tx, { tenantId, accountId, ...body, dailyCaps, updatedBy: requireActor(ctx).userId });
    return toSettingsDto(row, await accountTimeZone(tx, accountId));
  });
  ctx.audit.targetType = 'content_settings';
  ctx.audit.targetId = accountId;
  ctx.audit.metadata = { ...body };
  return result;
}

