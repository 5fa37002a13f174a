import { emitEvent } from '../../kernel/events/events.js';
import type { Tx } from '../../kernel/db/database.js';
import { isUuid } from '../../kernel/db/database.js';
import { withTenant, withTenantRead } from '../../kernel/db/tenancy.js';
import { notFound } from '../../kernel/errors.js';
import type { Kernel } from '../../kernel/kernel.js';
import { queueMail } from '../../kernel/mail/mail.js';
import { getProvider } from './providers/index.js';
import { ProviderError, type ConnectionCredentials, type NetworkId, type SocialProvider } from './providers/provider.js';
import { reencryptSecret } from '../../kernel/crypto/secrets.js';
import { replaceConnectionSecrets, selectConnectionById, selectConnections, selectContactsByUserIds, updateConnectionCredentials, updateConnectionStatus } from './social.queries.js';
import type { ConnectionRow } from './social.schema.js';
import { listAccountAdminUserIds } from '../tenancy/index.js';
import { connectionsPageUrl, escapeHtml, openSecret, sealSecret } from './social.shared.js';

/** Refresh when the access token has less than this left, so a publish never starts with a dying token. */
const refreshMarginMs = 5 * 60 * 1000;
/**
 * 'extend' networks (Meta) can only extend a token that is still valid, and a 60-day token used rarely
 * would otherwise lapse unnoticed: extend it once less than a week is left.
 */
const extendMarginMs = 7 * 24 * 3600 * 1000;
/** Two refresh_needed reports this close together mean refreshing does not help: the person must reconnect. */
const repeatedRefreshWindowMs = 60 * 60 * 1000;

export type PublishingConnection = {
  connectionId: string;
  network: NetworkId;
  provider: SocialProvider;
  credentials: ConnectionCredentials;
  status: 'active' | 'needs_reconnect' | 'disconnected';
};

function credentialsOf(kernel: Kernel, row: ConnectionRow): ConnectionCredentials {
  return {
    accessToken: openSecret(kernel.config, row.accessTokenEncrypted) ?? '',
    destinationToken: openSecret(kernel.config, row.destinationTokenEncrypted),
    destinationId: row.destinationId,
    metadata: { ...row.destinationMetadata, tenantId: row.tenantId, connectionId: row.id, accountId: row.accountId },
  };
}

function toPublishingConnection(kernel: Kernel, provider: SocialProvider, row: ConnectionRow): PublishingConnection {
  return { connectionId: row.id, network: row.network, provider, credentials: credentialsOf(kernel, row), status: row.status };
}

function expiresSoon(row: ConnectionRow, provider: SocialProvider, now = Date.now()): boolean {
  const margin = provider.oauth?.refreshModel === 'extend' ? extendMarginMs : refreshMarginMs;
  return row.accessTokenExpiresAt !== null && row.accessTokenExpiresAt.getTime() - now < margin;
}

function canRefresh(provider: SocialProvider): boolean {
  return Boolean(provider.oauth?.refreshTokens) && provider.oauth!.refreshModel !== 'none';
}

async function requireRow(tx: Tx, connectionId: string, forUpdate: boolean): Promise<ConnectionRow> {
  const row = isUuid(connectionId) ? await selectConnectionById(tx, connectionId, { forUpdate }) : null;
  if (!row) throw notFound('Social connection');
  return row;
}

export type SchedulingCheck =
  | { ok: true; network: NetworkId; destinationName: string; destinationKind: ConnectionRow['destinationKind'] }
  | { ok: false; problem: 'not_found' | 'needs_reconnect' | 'disconnected' | 'no_destination'; reason: string | null };

/**
 * Whether posts of `accountId` may be scheduled on a connection, read in the caller's transaction: it
 * exists in that account, is active (not waiting for a reconnect) and has a destination selected. One row
 * read; tokens are neither decrypted nor refreshed (loadPublishingConnection does that at publish time).
 */
export async function checkSchedulingConnection(tx: Tx, input: { accountId: string; connectionId: string }): Promise<SchedulingCheck> {
  const row = isUuid(input.connectionId) ? await selectConnectionById(tx, input.connectionId) : null;
  // Another account's connection is as unknown as a missing one.
  if (!row || row.accountId !== input.accountId) return { ok: false, problem: 'not_found', reason: null };
  if (row.status !== 'active') return { ok: false, problem: row.status, reason: row.statusReason };
  if (!row.destinationId.trim()) return { ok: false, problem: 'no_destination', reason: null };
  return { ok: true, network: row.network, destinationName: row.destinationName, destinationKind: row.destinationKind };
}

export type SchedulableConnection = {
  id: string;
  network: NetworkId;
  destinationKind: ConnectionRow['destinationKind'];
  destinationName: string;
  status: 'active' | 'needs_reconnect';
};

/**
 * The connections of `accountId` a post can be planned for, in the caller's transaction: active ones and
 * those waiting for a reconnect (shown, but scheduling refuses them until reconnected); disconnected ones
 * and any without a destination are left out. No token is read.
 */
export async function listSchedulableConnections(tx: Tx, accountId: string): Promise<SchedulableConnection[]> {
  const rows = await selectConnections(tx, { accountId, status: 'all' });
  return rows.flatMap((row) =>
    row.status === 'disconnected' || !row.destinationId.trim()
      ? []
      : [{ id: row.id, network: row.network, destinationKind: row.destinationKind, destinationName: row.destinationName, status: row.status }],
  );
}

/**
 * Decrypted credentials for publishing to one connection, refreshed first when the access token expires
 * within 5 minutes (a week for 'extend' networks; or a refresh_needed report marked it expired). Refreshes of one connection serialize
 * on its row lock: whoever waited re-reads the row and reuses the winner's tokens. A refresh that fails
 * with 'disconnected' flags the connection (needs_reconnect, owners told) and rethrows; a transient
 * failure rethrows too unless the current token is still valid, which is then used.
 */
export async function loadPublishingConnection(kernel: Kernel, tenantId: string, connectionId: string): Promise<PublishingConnection> {
  const scope = { db: kernel.db, tenantId };
  // A read: one round trip (docs/decisions/009-scoped-reads.md). Writes below (re-encryption, refresh) take their own transactions.
  const row = await withTenantRead(scope, (tx) => requireRow(tx, connectionId, false));
  await moveSecretsToCurrentKey(kernel, row);
  const provider = getProvider(kernel, row.network);
  if (row.status !== 'active' || !expiresSoon(row, provider) || !canRefresh(provider)) return toPublishingConnection(kernel, provider, row);

  const { row: refreshed, failure } = await refreshUnderLock(kernel, provider, tenantId, connectionId, (locked) => expiresSoon(locked, provider));
  if (failure) {
    const stillValid = refreshed.accessTokenExpiresAt !== null && refreshed.accessTokenExpiresAt.getTime() > Date.now();
    if ((failure.kind === 'retryable' || failure.kind === 'rate_limited') && stillValid) return toPublishingConnection(kernel, provider, refreshed);
    // A token endpoint refusing the refresh token is the end of this grant.
    if (failure.kind === 'refresh_needed') throw new ProviderError('disconnected', failure.message, failure.details);
    throw failure;
  }
  return toPublishingConnection(kernel, provider, refreshed);
}

export type RefreshOutcome = {
  /** The row as it is now: refreshed, refreshed by someone else meanwhile, or unchanged. */
  row: ConnectionRow;
  /** Whether this call obtained new tokens. */
  refreshed: boolean;
  failure: ProviderError | null;
};

/**
 * The one refresh path (publishing loads and the background renewal share it). Takes the connection's row
 * lock; if the row is still active and `isDue` once the lock is held (a waiter re-reads the row and finds
 * the winner's tokens), asks the network for new tokens and stores them. A refresh that returns no
 * refresh token keeps the stored one ('reuse', 'extend'), so a stored token is never replaced by nothing.
 * 'disconnected' and 'refresh_needed' failures flag the connection (needs_reconnect, owners told once);
 * every failure is returned for the caller to act on, never thrown.
 */
export async function refreshUnderLock(
  kernel: Kernel,
  provider: SocialProvider,
  tenantId: string,
  connectionId: string,
  isDue: (row: ConnectionRow) => boolean,
): Promise<RefreshOutcome> {
  return withTenant({ db: kernel.db, tenantId }, async (tx) => {
    const locked = await requireRow(tx, connectionId, true);
    // Somebody refreshed (or the person reconnected) while we waited for the lock: use their tokens.
    if (locked.status !== 'active' || !canRefresh(provider) || !isDue(locked)) return { row: locked, refreshed: false, failure: null };
    try {
      const tokens = await provider.oauth!.refreshTokens!({
        accessToken: openSecret(kernel.config, locked.accessTokenEncrypted) ?? '',
        refreshToken: openSecret(kernel.config, locked.refreshTokenEncrypted),
      });
      const row = await updateConnectionCredentials(tx, locked.id, {
        accessTokenEncrypted: sealSecret(kernel.config, tokens.accessToken),
        // Networks that keep the refresh token ('reuse', 'extend') send none back: never replace it by nothing.
        refreshTokenEncrypted: sealSecret(kernel.config, tokens.refreshToken) ?? locked.refreshTokenEncrypted,
        destinationTokenEncrypted: locked.destinationTokenEncrypted,
        accessTokenExpiresAt: tokens.expiresAt,
        refreshTokenExpiresAt: tokens.refreshToken ? tokens.refreshExpiresAt : (tokens.refreshExpiresAt ?? locked.refreshTokenExpiresAt),
        scopes: tokens.scopes.length > 0 ? tokens.scopes : locked.scopes,
        reactivate: false,
      });
      return { row, refreshed: true, failure: null };
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      if (error.kind === 'disconnected' || error.kind === 'refresh_needed') {
        await flagConnection(kernel, tx, locked, `Refreshing access failed: ${error.message}`);
      }
      return { row: locked, refreshed: false, failure: error };
    }
  });
}

/** After a key rotation, re-encrypt a connection's secrets under the current key the first time it is used. */
async function moveSecretsToCurrentKey(kernel: Kernel, row: ConnectionRow): Promise<void> {
  const currentPrefix = `v1.${kernel.config.ENCRYPTION_KEY_ID}.`;
  const columns = [row.accessTokenEncrypted, row.refreshTokenEncrypted, row.destinationTokenEncrypted];
  if (columns.every((value) => value === null || value.startsWith(currentPrefix))) return;
  const move = (value: string | null) => (value === null ? null : reencryptSecret(kernel.config, value));
  const expected = { accessTokenEncrypted: row.accessTokenEncrypted, refreshTokenEncrypted: row.refreshTokenEncrypted, destinationTokenEncrypted: row.destinationTokenEncrypted };
  const replacement = { accessTokenEncrypted: move(row.accessTokenEncrypted), refreshTokenEncrypted: move(row.refreshTokenEncrypted), destinationTokenEncrypted: move(row.destinationTokenEncrypted) };
  await withTenant({ db: kernel.db, tenantId: row.tenantId }, (tx) => replaceConnectionSecrets(tx, row.id, expected, replacement));
}

/**
 * Tell the social module what publishing ran into. 'disconnected' flags the connection needs_reconnect
 * at once; 'refresh_needed' marks the access token expired (the next loadPublishingConnection refreshes)
 * and flags the connection when it happens again within an hour, or when the network cannot refresh.
 * The account's admins and the person who connected it get one email per incident, and
 * social.connection_needs_reconnect is emitted. Other kinds change nothing.
 */
export async function reportConnectionProblem(kernel: Kernel, tenantId: string, connectionId: string, error: ProviderError): Promise<void> {
  if (error.kind !== 'disconnected' && error.kind !== 'refresh_needed') return;
  await withTenant({ db: kernel.db, tenantId }, async (tx) => {
    const row = await requireRow(tx, connectionId, true);
    if (row.status === 'disconnected') return;
    if (error.kind === 'disconnected') {
      await flagConnection(kernel, tx, row, error.message);
      return;
    }
    const provider = getProvider(kernel, row.network);
    const now = Date.now();
    const isRepeat = row.lastRefreshNeededAt !== null && now - row.lastRefreshNeededAt.getTime() < repeatedRefreshWindowMs;
    const failures = isRepeat ? row.refreshFailures + 1 : 1;
    if (!canRefresh(provider) || failures >= 2) {
      await updateConnectionStatus(tx, row.id, { refreshFailures: failures, lastRefreshNeededAt: new Date(now) });
      await flagConnection(kernel, tx, { ...row, refreshFailures: failures }, `Access keeps being refused after refreshing: ${error.message}`);
      return;
    }
    await updateConnectionStatus(tx, row.id, { refreshFailures: failures, lastRefreshNeededAt: new Date(now), accessTokenExpiresAt: new Date(now) });
  });
}

/** needs_reconnect with the reason; the first time per incident, emails and the event. */
async function flagConnection(kernel: Kernel, tx: Tx, row: ConnectionRow, reason: string): Promise<void> {
  const alreadyNotified = row.status === 'needs_reconnect' && row.problemNotifiedAt !== null;
  await updateConnectionStatus(tx, row.id, {
    status: 'needs_reconnect',
    statusReason: reason.slice(0, 500),
    problemNotifiedAt: alreadyNotified ? row.problemNotifiedAt : new Date(),
  });
  if (alreadyNotified) return;
  const provider = getProvider(kernel, row.network);
  await emitEvent(tx, {
    tenantId: row.tenantId,
    type: 'social.connection_needs_reconnect',
    payload: { connectionId: row.id, accountId: row.accountId, network: row.network, destinationName: row.destinationName, reason: reason.slice(0, 500) },
  });
  const link = connectionsPageUrl(kernel.config, { reconnect: row.id });
  const place = `${provider.displayName}: ${row.destinationName}`;
  // Who to tell: the account's admins (or the tenant's, when it has none) and whoever connected it.
  const responsible = await listAccountAdminUserIds(tx, { tenantId: row.tenantId, accountId: row.accountId });
  const userIds = [...new Set([...responsible, ...(row.connectedBy ? [row.connectedBy] : [])])];
  for (const contact of await selectContactsByUserIds(tx, userIds)) {
    await queueMail(tx, {
      tenantId: row.tenantId,
      to: contact.email,
      subject: `Reconnect ${place}`,
      text: `Omni can no longer publish to ${place}: the network refused our access.\n\nReason: ${reason}\n\nReconnect it here: ${link}\n\nPosts to it cannot be published until it is reconnected.`,
      html: `<p>Omni can no longer publish to <strong>${escapeHtml(place)}</strong>: the network refused our access.</p><p>Reason: ${escapeHtml(reason)}</p><p><a href="${escapeHtml(link)}">Reconnect it</a>. Posts to it cannot be published until it is reconnected.</p>`,
      template: 'social.connection-needs-reconnect',
    });
  }
}
