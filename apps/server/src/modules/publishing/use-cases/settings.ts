import type { PublishingSettings, UpdatePublishingSettingsBody } from '@omni/contracts/publishing';
import { assertCan, requireActor, requireTenant } from '../../../kernel/access.js';
import { withTenant, withTenantRead } from '../../../kernel/db/tenancy.js';
import type { ServiceContext } from '../../../kernel/module.js';
import { publishingPermissions } from '../publishing.permissions.js';
import { findSettings, upsertSettings, type SettingsRow } from '../publishing.queries.js';
import { requireAccount } from './targets.js';

/**
 * The active account's publishing settings: the missed-post policy the dispatcher applies (publish a post
 * missed while no worker ran when at most lateAfterSeconds late, else mark it late) and the account's time
 * zone for the console. No row: the server default (PUBLISH_LATE_AFTER_SECONDS) and no zone.
 */
function toSettingsDto(ctx: ServiceContext, accountId: string, row: SettingsRow | null): PublishingSettings {
  const defaultLateAfterSeconds = ctx.config.PUBLISH_LATE_AFTER_SECONDS;
  return {
    accountId,
    lateAfterSeconds: row?.lateAfterSeconds ?? defaultLateAfterSeconds,
    lateAfterSecondsIsDefault: row?.lateAfterSeconds === null || row?.lateAfterSeconds === undefined,
    defaultLateAfterSeconds,
    timezone: row?.timezone ?? null,
    updatedBy: row?.updatedBy ?? null,
    updatedAt: row?.updatedAt.toISOString() ?? null,
  };
}

/** Anyone who reads the account's posts reads its settings (the console shows times in its zone). */
export async function getSettings(ctx: ServiceContext): Promise<PublishingSettings> {
  assertCan(ctx, publishingPermissions.read);
  requireTenant(ctx);
  const accountId = requireAccount(ctx);
  return toSettingsDto(ctx, accountId, await withTenantRead(ctx, (tx) => findSettings(tx, accountId)));
}

/** Account admins replace the settings (null fields go back to the defaults); the next dispatch applies them. */
export async function updateSettings(ctx: ServiceContext, body: UpdatePublishingSettingsBody): Promise<PublishingSettings> {
  assertCan(ctx, publishingPermissions.manageSettings);
  const tenantId = requireTenant(ctx);
  const accountId = requireAccount(ctx);
  const actor = requireActor(ctx);
  const row = await withTenant(ctx, (tx) =>
    upsertSettings(tx, { tenantId, accountId, lateAfterSeconds: body.lateAfterSeconds, timezone: body.timezone, updatedBy: actor.userId }),
  );
  ctx.audit.targetType = 'publishing_settings';
  ctx.audit.targetId = accountId;
  ctx.audit.metadata = { lateAfterSeconds: body.lateAfterSeconds, timezone: body.timezone };
  return toSettingsDto(ctx, accountId, row);
}
