import { and, asc, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Tx } from '../../kernel/db/database.js';
import { oauthStates, sandboxPosts, socialConnections, type ConnectionRow, type OAuthStateRow, type SandboxPostRow } from './social.schema.js';

/**
 * The only code that reads or writes the social tables. Every function runs in the caller's transaction
 * (withTenant: row-level security limits it to that tenant; withSystemAccess only for the OAuth callback's
 * state lookup, before the tenant is known).
 */

// ------------------------------------------------------------------------------------------ connections

export type ConnectionFilter = { accountId: string | null; status: ConnectionRow['status'] | 'all' };

export async function selectConnections(tx: Tx, filter: ConnectionFilter): Promise<ConnectionRow[]> {
  const conditions = [
    filter.accountId ? eq(socialConnections.accountId, filter.accountId) : undefined,
    filter.status === 'all' ? undefined : eq(socialConnections.status, filter.status),
  ].filter((condition) => condition !== undefined);
  return tx
    .select()
    .from(socialConnections)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(asc(socialConnections.createdAt), asc(socialConnections.id));
}

/** forUpdate: lock the row until the transaction ends (refreshes and status changes serialize on it). */
export async function selectConnectionById(tx: Tx, id: string, options: { forUpdate?: boolean } = {}): Promise<ConnectionRow | null> {
  const query = tx.select().from(socialConnections).where(eq(socialConnections.id, id));
  const rows = options.forUpdate ? await query.for('update') : await query;
  return rows[0] ?? null;
}

/**
 * Which tokens are due for background renewal: access tokens of 'extend' networks and refresh tokens of
 * 'rotating' networks that expire before `before` (expired ones included: trying them flags the
 * connection, so its owners hear of it before a post fails).
 */
export type RenewalFilter = { extendNetworks: ConnectionRow['network'][]; rotatingNetworks: ConnectionRow['network'][]; before: Date };

function renewalCondition(filter: RenewalFilter) {
  const due = [
    filter.extendNetworks.length > 0 ? and(inArray(socialConnections.network, filter.extendNetworks), lt(socialConnections.accessTokenExpiresAt, filter.before)) : undefined,
    filter.rotatingNetworks.length > 0 ? and(inArray(socialConnections.network, filter.rotatingNetworks), lt(socialConnections.refreshTokenExpiresAt, filter.before)) : undefined,
  ].filter((condition) => condition !== undefined);
  return due.length > 0 ? and(eq(socialConnections.status, 'active'), or(...due)) : sql`false`;
}

/** Tenants with at least one connection due for renewal (system access: the daily fan-out). */
export async function selectTenantsWithTokensToRenew(tx: Tx, filter: RenewalFilter, limit: number): Promise<string[]> {
  const rows = await tx
    .selectDistinct({ tenantId: socialConnections.tenantId })
    .from(socialConnections)
    .where(renewalCondition(filter))
    .orderBy(asc(socialConnections.tenantId))
    .limit(limit);
  return rows.map((row) => row.tenantId);
}

/** This tenant's connections due for renewal, soonest expiry first. */
export async function selectConnectionsToRenew(tx: Tx, filter: RenewalFilter, limit: number): Promise<Array<Pick<ConnectionRow, 'id' | 'network'>>> {
  return tx
    .select({ id: socialConnections.id, network: socialConnections.network })
    .from(socialConnections)
    .where(renewalCondition(filter))
    .orderBy(sql`least(${socialConnections.accessTokenExpiresAt}, ${socialConnections.refreshTokenExpiresAt})`, asc(socialConnections.id))
    .limit(limit);
}

export type ConnectionCredentialsUpdate = {
  accessTokenEncrypted: string | null;
  refreshTokenEncrypted: string | null;
  destinationTokenEncrypted: string | null;
  accessTokenExpiresAt: Date | null;
  refreshTokenExpiresAt: Date | null;
  scopes: string[];
};

export type NewConnection = ConnectionCredentialsUpdate & {
  tenantId: string;
  accountId: string;
  network: ConnectionRow['network'];
  destinationId: string;
  destinationName: string;
  destinationKind: ConnectionRow['destinationKind'];
  destinationPictureUrl: string | null;
  destinationMetadata: Record<string, unknown>;
  connectedBy: string;
};

/**
 * Create the connection, or — when this account already has one for the destination — give it the new
 * credentials and make it active again (connecting twice never makes two rows).
 */
export async function upsertConnection(tx: Tx, values: NewConnection): Promise<ConnectionRow> {
  const rows = await tx
    .insert(socialConnections)
    .values({ ...values, status: 'active', lastRefreshedAt: new Date() })
    .onConflictDoUpdate({
      target: [socialConnections.tenantId, socialConnections.accountId, socialConnections.network, socialConnections.destinationId],
      set: {
        destinationName: values.destinationName,
        destinationKind: values.destinationKind,
        destinationPictureUrl: values.destinationPictureUrl,
        destinationMetadata: values.destinationMetadata,
        accessTokenEncrypted: values.accessTokenEncrypted,
        // A new grant without a refresh token keeps the one stored before.
        refreshTokenEncrypted: sql`coalesce(excluded.refresh_token_encrypted, ${socialConnections.refreshTokenEncrypted})`,
        destinationTokenEncrypted: values.destinationTokenEncrypted,
        accessTokenExpiresAt: values.accessTokenExpiresAt,
        refreshTokenExpiresAt: values.refreshTokenExpiresAt,
        scopes: values.scopes,
        status: 'active',
        statusReason: null,
        problemNotifiedAt: null,
        refreshFailures: 0,
        lastRefreshNeededAt: null,
        lastRefreshedAt: sql`now()`,
        connectedBy: values.connectedBy,
        updatedAt: sql`now()`,
      },
    })
    .returning();
  return rows[0]!;
}

/** New credentials after a refresh or a reconnect; the caller decides what to keep. */
export async function updateConnectionCredentials(
  tx: Tx,
  id: string,
  update: ConnectionCredentialsUpdate & { reactivate: boolean; connectedBy?: string },
): Promise<ConnectionRow> {
  const rows = await tx
    .update(socialConnections)
    .set({
      accessTokenEncrypted: update.accessTokenEncrypted,
      refreshTokenEncrypted: update.refreshTokenEncrypted,
      destinationTokenEncrypted: update.destinationTokenEncrypted,
      accessTokenExpiresAt: update.accessTokenExpiresAt,
      refreshTokenExpiresAt: update.refreshTokenExpiresAt,
      scopes: update.scopes,
      lastRefreshedAt: sql`now()`,
      updatedAt: sql`now()`,
      ...(update.reactivate
        ? { status: 'active' as const, statusReason: null, problemNotifiedAt: null, refreshFailures: 0, lastRefreshNeededAt: null }
        : {}),
      ...(update.connectedBy ? { connectedBy: update.connectedBy } : {}),
    })
    .where(eq(socialConnections.id, id))
    .returning();
  return rows[0]!;
}

export async function updateConnectionStatus(
  tx: Tx,
  id: string,
  patch: Partial<Pick<ConnectionRow, 'status' | 'statusReason' | 'problemNotifiedAt' | 'refreshFailures' | 'lastRefreshNeededAt' | 'accessTokenExpiresAt'>>,
): Promise<ConnectionRow> {
  const rows = await tx
    .update(socialConnections)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(socialConnections.id, id))
    .returning();
  return rows[0]!;
}

type SecretColumns = Pick<ConnectionRow, 'accessTokenEncrypted' | 'refreshTokenEncrypted' | 'destinationTokenEncrypted'>;

/**
 * Swap the encrypted columns for the same secrets under another key, only if nobody changed them
 * meanwhile (a refresh wins over a re-encryption). Returns whether the row was updated.
 */
export async function replaceConnectionSecrets(tx: Tx, id: string, expected: SecretColumns, replacement: SecretColumns): Promise<boolean> {
  const rows = await tx
    .update(socialConnections)
    .set(replacement)
    .where(
      and(
        eq(socialConnections.id, id),
        sql`${socialConnections.accessTokenEncrypted} IS NOT DISTINCT FROM ${expected.accessTokenEncrypted}`,
        sql`${socialConnections.refreshTokenEncrypted} IS NOT DISTINCT FROM ${expected.refreshTokenEncrypted}`,
        sql`${socialConnections.destinationTokenEncrypted} IS NOT DISTINCT FROM ${expected.destinationTokenEncrypted}`,
      ),
    )
    .returning({ id: socialConnections.id });
  return rows.length > 0;
}

/** Disconnect: the status changes and every credential is wiped (the CHECK constraint insists). */
export async function wipeConnection(tx: Tx, id: string, reason: string): Promise<ConnectionRow> {
  const rows = await tx
    .update(socialConnections)
    .set({
      status: 'disconnected',
      statusReason: reason,
      accessTokenEncrypted: null,
      refreshTokenEncrypted: null,
      destinationTokenEncrypted: null,
      accessTokenExpiresAt: null,
      refreshTokenExpiresAt: null,
      updatedAt: sql`now()`,
    })
    .where(eq(socialConnections.id, id))
    .returning();
  return rows[0]!;
}

/** Names and emails of people, from identity's published user_directory view. */
export async function selectContactsByUserIds(tx: Tx, userIds: string[]): Promise<Array<{ email: string; name: string | null }>> {
  if (userIds.length === 0) return [];
  // Passed as one PostgreSQL array literal (ids are uuids from our own rows), not expanded into a list.
  const rows = await tx.execute<{ email: string; name: string | null }>(sql`
    SELECT DISTINCT u.email::text AS email, u.name FROM user_directory u WHERE u.id = ANY(${`{${userIds.join(',')}}`}::uuid[]) ORDER BY 1`);
  return rows.rows;
}

// ------------------------------------------------------------------------------------------ OAuth states

export async function insertOAuthState(
  tx: Tx,
  values: Pick<OAuthStateRow, 'tenantId' | 'accountId' | 'userId' | 'network' | 'stateHash' | 'codeVerifierEncrypted' | 'redirectUri' | 'reconnectConnectionId' | 'expiresAt'>,
): Promise<OAuthStateRow> {
  const rows = await tx.insert(oauthStates).values(values).returning();
  return rows[0]!;
}

/**
 * Forget this person's OAuth round trips older than a day (used, expired or abandoned, with any pending
 * tokens they still hold). Called when a new one starts, so the table stays small without a sweeper.
 */
export async function deleteStaleOAuthStates(tx: Tx, userId: string): Promise<void> {
  await tx.delete(oauthStates).where(and(eq(oauthStates.userId, userId), sql`${oauthStates.createdAt} < now() - interval '1 day'`));
}

/** By the state's hash, across tenants: the callback learns the tenant from this row (system access). */
export async function selectOAuthStateByHash(tx: Tx, stateHash: string): Promise<OAuthStateRow | null> {
  const rows = await tx.select().from(oauthStates).where(eq(oauthStates.stateHash, stateHash));
  return rows[0] ?? null;
}

/** Mark the state used; null when another request used it first (single use, race-free). */
export async function claimOAuthState(tx: Tx, id: string): Promise<OAuthStateRow | null> {
  const rows = await tx
    .update(oauthStates)
    .set({ usedAt: sql`now()` })
    .where(and(eq(oauthStates.id, id), isNull(oauthStates.usedAt)))
    .returning();
  return rows[0] ?? null;
}

export async function storePendingSelection(tx: Tx, id: string, pendingEncrypted: string, pendingExpiresAt: Date): Promise<void> {
  await tx.update(oauthStates).set({ pendingEncrypted, pendingExpiresAt }).where(eq(oauthStates.id, id));
}

export async function selectOAuthStateById(tx: Tx, id: string, options: { forUpdate?: boolean } = {}): Promise<OAuthStateRow | null> {
  const query = tx.select().from(oauthStates).where(eq(oauthStates.id, id));
  const rows = options.forUpdate ? await query.for('update') : await query;
  return rows[0] ?? null;
}

/** The choice was made: the pending tokens are dropped from the row. */
export async function completeSelection(tx: Tx, id: string): Promise<void> {
  await tx.update(oauthStates).set({ completedAt: sql`now()`, pendingEncrypted: null }).where(eq(oauthStates.id, id));
}

// ------------------------------------------------------------------------------------------ sandbox posts

export type NewSandboxPost = Pick<SandboxPostRow, 'tenantId' | 'connectionId' | 'text' | 'media' | 'link' | 'options' | 'idempotencyKey' | 'externalId'> &
  // The demo seed backdates posts and gives them engagement.
  Partial<Pick<SandboxPostRow, 'createdAt' | 'likes' | 'comments' | 'shares' | 'impressions' | 'clicks'>>;

/** Insert once per (connection, idempotency key); a repeat returns the post stored the first time. */
export async function insertSandboxPost(tx: Tx, values: NewSandboxPost): Promise<{ post: SandboxPostRow; created: boolean }> {
  const inserted = await tx
    .insert(sandboxPosts)
    .values(values)
    .onConflictDoNothing({ target: [sandboxPosts.connectionId, sandboxPosts.idempotencyKey] })
    .returning();
  if (inserted[0]) return { post: inserted[0], created: true };
  const existing = await selectSandboxPostByKey(tx, values.connectionId, values.idempotencyKey);
  return { post: existing!, created: false };
}

export async function selectSandboxPostByKey(tx: Tx, connectionId: string, idempotencyKey: string): Promise<SandboxPostRow | null> {
  const rows = await tx
    .select()
    .from(sandboxPosts)
    .where(and(eq(sandboxPosts.connectionId, connectionId), eq(sandboxPosts.idempotencyKey, idempotencyKey)));
  return rows[0] ?? null;
}

export async function selectSandboxPostByExternalId(tx: Tx, externalId: string): Promise<SandboxPostRow | null> {
  const rows = await tx.select().from(sandboxPosts).where(eq(sandboxPosts.externalId, externalId));
  return rows[0] ?? null;
}

export async function selectSandboxPosts(
  tx: Tx,
  filter: { connectionId: string | null; accountId: string | null; limit: number },
): Promise<Array<SandboxPostRow & { connectionName: string }>> {
  const conditions = [
    filter.connectionId ? eq(sandboxPosts.connectionId, filter.connectionId) : undefined,
    filter.accountId ? eq(socialConnections.accountId, filter.accountId) : undefined,
  ].filter((condition) => condition !== undefined);
  const rows = await tx
    .select({ post: sandboxPosts, connectionName: socialConnections.destinationName })
    .from(sandboxPosts)
    .innerJoin(socialConnections, eq(socialConnections.id, sandboxPosts.connectionId))
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(sandboxPosts.createdAt), desc(sandboxPosts.id))
    .limit(filter.limit);
  return rows.map((row) => ({ ...row.post, connectionName: row.connectionName }));
}

export async function addSandboxEngagement(
  tx: Tx,
  id: string,
  delta: Pick<SandboxPostRow, 'likes' | 'comments' | 'shares' | 'impressions' | 'clicks'>,
): Promise<SandboxPostRow | null> {
  const rows = await tx
    .update(sandboxPosts)
    .set({
      likes: sql`least(${sandboxPosts.likes}::bigint + ${delta.likes}, 2000000000)`,
      comments: sql`least(${sandboxPosts.comments}::bigint + ${delta.comments}, 2000000000)`,
      shares: sql`least(${sandboxPosts.shares}::bigint + ${delta.shares}, 2000000000)`,
      impressions: sql`least(${sandboxPosts.impressions}::bigint + ${delta.impressions}, 2000000000)`,
      clicks: sql`least(${sandboxPosts.clicks}::bigint + ${delta.clicks}, 2000000000)`,
    })
    .where(eq(sandboxPosts.id, id))
    .returning();
  return rows[0] ?? null;
}
