import { createHash, randomUUID } from 'node:crypto';
import type {
  Authorization,
  ConnectionListQuery,
  CreateConnectionsBody,
  CreateSandboxConnectionBody,
  OAuthCallbackQuery,
  PendingSelection,
  SandboxEngagementBody,
  SandboxPost,
  SandboxPostList,
  SandboxPostListQuery,
  SocialConnection,
  SocialConnectionList,
  SocialNetworkList,
} from '@omni/contracts/social';
import { assertCan, requireActor, requireTenant } from '../../kernel/access.js';
import { generateToken, sha256Hex } from '../../kernel/crypto/tokens.js';
import type { Tx } from '../../kernel/db/database.js';
import { isUuid } from '../../kernel/db/database.js';
import { withTenant, withSystemAccessRead, withTenantRead } from '../../kernel/db/tenancy.js';
import { AppError, badRequest, forbidden, notFound } from '../../kernel/errors.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { ServiceContext } from '../../kernel/module.js';
import { findProvider, isNetworkId, listProviders } from './providers/index.js';
import { ProviderError, type NetworkId, type ProviderTokens, type PublishDestination, type SocialProvider } from './providers/provider.js';
import { socialPermissions } from './social.permissions.js';
import {
  addSandboxEngagement,
  claimOAuthState,
  completeSelection,
  deleteStaleOAuthStates,
  insertOAuthState,
  insertSandboxPost,
  selectConnectionById,
  selectConnections,
  selectOAuthStateById,
  selectOAuthStateByHash,
  selectSandboxPosts,
  storePendingSelection,
  updateConnectionCredentials,
  upsertConnection,
  wipeConnection,
} from './social.queries.js';
import type { ConnectionRow, SandboxPostRow } from './social.schema.js';
import { callbackUrl, connectionsPageUrl, newSandboxConnection, openSecret, sealSecret, toConnectionDto } from './social.shared.js';

const stateTtlMs = 10 * 60 * 1000;
const selectionTtlMs = 15 * 60 * 1000;

const destinationKindsByNetwork: Record<NetworkId, string[]> = {
  facebook: ['page'],
  instagram: ['instagram_account'],
  pinterest: ['board'],
  x: ['profile'],
  linkedin: ['profile', 'organization'],
  sandbox: ['sandbox'],
};

/** What the callback keeps (encrypted) until the person chooses destinations. */
type PendingPayload = {
  tokens: { accessToken: string; refreshToken: string | null; expiresAt: string | null; refreshExpiresAt: string | null; scopes: string[] };
  destinations: PublishDestination[];
};

// ------------------------------------------------------------------------------------------ helpers

function requireNetwork(kernel: Kernel, network: string): SocialProvider {
  const provider = isNetworkId(network) ? findProvider(kernel, network) : null;
  if (!provider) throw new AppError('not_found', 'social_network.not_found', `There is no network called "${network.slice(0, 40)}".`);
  return provider;
}

function requireOAuthProvider(kernel: Kernel, network: string): SocialProvider & { oauth: NonNullable<SocialProvider['oauth']> } {
  const provider = requireNetwork(kernel, network);
  if (!provider.oauth) {
    throw badRequest('social.no_oauth', `${provider.displayName} connects without OAuth: use POST /api/social/connections/sandbox.`);
  }
  if (!provider.isConfigured) {
    throw new AppError('conflict', 'social.network_not_configured', `${provider.displayName} is not configured on this server (client id and secret).`);
  }
  return provider as SocialProvider & { oauth: NonNullable<SocialProvider['oauth']> };
}

/**
 * The account an operation is about: the requested one, else the active one. Account admins act on their
 * active account only; tenant owners and admins on any account of the tenant.
 */
function resolveAccountId(ctx: ServiceContext, requested: string | undefined): string {
  const accountId = requested ?? ctx.accountId;
  if (!accountId) throw badRequest('social.account_required', 'Choose an account first (accountId), or switch to one.');
  const isTenantAdmin = ctx.tenantRole === 'owner' || ctx.tenantRole === 'admin';
  if (accountId !== ctx.accountId && !isTenantAdmin) throw forbidden('You can only manage connections of your active account.');
  return accountId;
}

/** A connection of this tenant the actor may see; another tenant's id, or another account's, is a 404. */
async function requireConnection(ctx: ServiceContext, tx: Tx, id: string, options: { forUpdate?: boolean } = {}): Promise<ConnectionRow> {
  const row = isUuid(id) ? await selectConnectionById(tx, id, options) : null;
  const isTenantAdmin = ctx.tenantRole === 'owner' || ctx.tenantRole === 'admin';
  if (!row || (!isTenantAdmin && row.accountId !== ctx.accountId)) throw notFound('Social connection');
  return row;
}

function isForeignKeyViolation(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth += 1) {
    if ((current as { code?: unknown }).code === '23503') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function codeChallengeOf(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

// ------------------------------------------------------------------------------------------ networks

/** The networks this server can connect: configured OAuth networks plus the sandbox. */
export async function listNetworks(ctx: ServiceContext): Promise<SocialNetworkList> {
  assertCan(ctx, socialPermissions.read);
  return {
    items: listProviders(ctx)
      .filter((provider) => provider.isConfigured)
      .map((provider) => ({ id: provider.id, displayName: provider.displayName, usesOAuth: provider.oauth !== null, destinationKinds: destinationKindsByNetwork[provider.id] })),
  };
}

// ------------------------------------------------------------------------------------------ OAuth

async function createAuthorization(
  ctx: ServiceContext,
  provider: SocialProvider & { oauth: NonNullable<SocialProvider['oauth']> },
  input: { accountId: string; reconnectConnectionId: string | null },
  tx: Tx,
): Promise<Authorization> {
  const actor = requireActor(ctx);
  const tenantId = requireTenant(ctx);
  const state = generateToken(32);
  const codeVerifier = provider.oauth.usesPkce ? generateToken(48) : null;
  const redirectUri = callbackUrl(ctx.config, provider.id);
  const expiresAt = new Date(Date.now() + stateTtlMs);
  await deleteStaleOAuthStates(tx, actor.userId);
  try {
    await insertOAuthState(tx, {
      tenantId,
      accountId: input.accountId,
      userId: actor.userId,
      network: provider.id,
      stateHash: sha256Hex(state),
      codeVerifierEncrypted: sealSecret(ctx.config, codeVerifier),
      redirectUri,
      reconnectConnectionId: input.reconnectConnectionId,
      expiresAt,
    });
  } catch (error) {
    if (isForeignKeyViolation(error)) throw notFound('Account');
    throw error;
  }
  const authorizationUrl = provider.oauth.buildAuthorizationUrl({ state, redirectUri, codeChallenge: codeVerifier ? codeChallengeOf(codeVerifier) : null });
  return { authorizationUrl, expiresAt: expiresAt.toISOString() };
}

/** Start connecting a network: a single-use state (stored hashed, 10 minutes) and the URL to send the browser to. */
export async function startConnect(ctx: ServiceContext, network: string, body: { accountId?: string }): Promise<Authorization> {
  assertCan(ctx, socialPermissions.manage);
  const provider = requireOAuthProvider(ctx, network);
  const accountId = resolveAccountId(ctx, body.accountId);
  ctx.audit.metadata = { network: provider.id };
  return withTenant(ctx, (tx) => createAuthorization(ctx, provider, { accountId, reconnectConnectionId: null }, tx));
}

/** Start a reconnect: the same OAuth round trip; the callback renews this connection's credentials. */
export async function startReconnect(ctx: ServiceContext, connectionId: string): Promise<Authorization> {
  assertCan(ctx, socialPermissions.manage);
  return withTenant(ctx, async (tx) => {
    const connection = await requireConnection(ctx, tx, connectionId);
    const provider = requireOAuthProvider(ctx, connection.network);
    return createAuthorization(ctx, provider, { accountId: connection.accountId, reconnectConnectionId: connection.id }, tx);
  });
}

function invalidState(code: string, message: string): AppError {
  return badRequest(code, message);
}

export type CallbackOutcome = { redirectTo: string };

/**
 * The network's redirect back to us. The state must exist, belong to this network, be unused and
 * unexpired; it is burnt before anything else happens. The code is exchanged (with the PKCE verifier when
 * one was made), the destinations listed and kept encrypted for 15 minutes, and the browser sent to the
 * console to choose (a reconnect renews the connection at once instead).
 */
export async function completeCallback(kernel: Kernel, network: string, query: OAuthCallbackQuery): Promise<CallbackOutcome> {
  const provider = requireNetwork(kernel, network);
  if (!query.state) throw invalidState('social.oauth_state_missing', 'The sign-in response carries no state. Start connecting again.');
  const stateHash = sha256Hex(query.state);
  const found = await withSystemAccessRead(kernel, 'social: oauth callback state lookup', (tx) => selectOAuthStateByHash(tx, stateHash));
  if (!found || found.network !== provider.id || !provider.oauth) {
    throw invalidState('social.oauth_state_invalid', 'This sign-in response is not one we asked for. Start connecting again.');
  }
  if (found.usedAt) throw invalidState('social.oauth_state_used', 'This sign-in response was already used. Start connecting again.');
  if (found.expiresAt.getTime() <= Date.now()) throw invalidState('social.oauth_state_expired', 'The sign-in took too long and expired. Start connecting again.');
  const tenantScope = { db: kernel.db, tenantId: found.tenantId };
  const claimed = await withTenant(tenantScope, (tx) => claimOAuthState(tx, found.id));
  if (!claimed) throw invalidState('social.oauth_state_used', 'This sign-in response was already used. Start connecting again.');

  if (query.error) return { redirectTo: connectionsPageUrl(kernel.config, { error: 'access_denied', network: provider.id }) };
  if (!query.code) throw badRequest('social.oauth_code_missing', 'The sign-in response carries no authorization code. Start connecting again.');

  let tokens: ProviderTokens;
  let destinations: PublishDestination[];
  try {
    tokens = await provider.oauth.exchangeCode({
      code: query.code,
      redirectUri: claimed.redirectUri,
      codeVerifier: openSecret(kernel.config, claimed.codeVerifierEncrypted),
    });
    destinations = await provider.listDestinations({ accessToken: tokens.accessToken });
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    kernel.logger.warn({ network: provider.id, kind: error.kind, status: error.details.status }, 'social: connecting failed');
    return { redirectTo: connectionsPageUrl(kernel.config, { error: 'connect_failed', network: provider.id }) };
  }

  if (claimed.reconnectConnectionId) {
    const renewed = await withTenant(tenantScope, (tx) => renewConnection(kernel, tx, claimed.reconnectConnectionId!, claimed.userId, tokens, destinations));
    return {
      redirectTo: connectionsPageUrl(kernel.config, renewed ? { reconnected: claimed.reconnectConnectionId } : { error: 'destination_missing', network: provider.id }),
    };
  }
  const pending: PendingPayload = {
    tokens: {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: tokens.expiresAt?.toISOString() ?? null,
      refreshExpiresAt: tokens.refreshExpiresAt?.toISOString() ?? null,
      scopes: tokens.scopes,
    },
    destinations,
  };
  await withTenant(tenantScope, (tx) => storePendingSelection(tx, claimed.id, sealSecret(kernel.config, JSON.stringify(pending))!, new Date(Date.now() + selectionTtlMs)));
  return { redirectTo: connectionsPageUrl(kernel.config, { selection: claimed.id }) };
}

/** Reconnect: the same destination gets the new grant. False when the grant no longer reaches it. */
async function renewConnection(kernel: Kernel, tx: Tx, connectionId: string, userId: string, tokens: ProviderTokens, destinations: PublishDestination[]): Promise<boolean> {
  const connection = await selectConnectionById(tx, connectionId, { forUpdate: true });
  const destination = destinations.find((candidate) => candidate.externalId === connection?.destinationId);
  if (!connection || !destination) return false;
  await updateConnectionCredentials(tx, connection.id, {
    accessTokenEncrypted: sealSecret(kernel.config, tokens.accessToken),
    refreshTokenEncrypted: sealSecret(kernel.config, tokens.refreshToken) ?? connection.refreshTokenEncrypted,
    destinationTokenEncrypted: sealSecret(kernel.config, destination.destinationToken),
    accessTokenExpiresAt: tokens.expiresAt,
    refreshTokenExpiresAt: tokens.refreshExpiresAt ?? (tokens.refreshToken ? null : connection.refreshTokenExpiresAt),
    scopes: tokens.scopes,
    reactivate: true,
    connectedBy: userId,
  });
  return true;
}

async function loadSelection(ctx: ServiceContext, tx: Tx, selectionId: string, forUpdate: boolean) {
  const actor = requireActor(ctx);
  const row = isUuid(selectionId) ? await selectOAuthStateById(tx, selectionId, { forUpdate }) : null;
  // Someone else's selection is as good as none: it must not even be confirmed to exist.
  if (!row || row.userId !== actor.userId || !row.pendingEncrypted && !row.completedAt) throw notFound('Selection');
  if (row.completedAt) throw new AppError('conflict', 'social.selection_used', 'These destinations were already chosen.');
  if (!row.pendingExpiresAt || row.pendingExpiresAt.getTime() <= Date.now()) {
    throw new AppError('gone', 'social.selection_expired', 'The choice expired. Start connecting again.');
  }
  const payload = JSON.parse(openSecret(ctx.config, row.pendingEncrypted)!) as PendingPayload;
  return { row, payload };
}

/** The destinations the person may choose from after the OAuth round trip (their own selection only). */
export async function getSelection(ctx: ServiceContext, selectionId: string): Promise<PendingSelection> {
  assertCan(ctx, socialPermissions.manage);
  return withTenant(ctx, async (tx) => {
    const { row, payload } = await loadSelection(ctx, tx, selectionId, false);
    const existing = await selectConnections(tx, { accountId: row.accountId, status: 'all' });
    const connected = new Set(existing.filter((connection) => connection.network === row.network && connection.status !== 'disconnected').map((connection) => connection.destinationId));
    return {
      selectionId: row.id,
      network: row.network as NetworkId,
      accountId: row.accountId,
      expiresAt: row.pendingExpiresAt!.toISOString(),
      destinations: payload.destinations.map((destination) => ({
        externalId: destination.externalId,
        name: destination.name,
        kind: destination.kind,
        pictureUrl: destination.pictureUrl,
        isConnected: connected.has(destination.externalId),
      })),
    };
  });
}

/** Create a connection per chosen destination (an existing one for the same destination is renewed). */
export async function createConnections(ctx: ServiceContext, body: CreateConnectionsBody): Promise<SocialConnectionList> {
  assertCan(ctx, socialPermissions.manage);
  const actor = requireActor(ctx);
  const tenantId = requireTenant(ctx);
  return withTenant(ctx, async (tx) => {
    const { row, payload } = await loadSelection(ctx, tx, body.selectionId, true);
    resolveAccountId(ctx, row.accountId);
    const chosen = [...new Set(body.destinationIds)].map((id) => payload.destinations.find((destination) => destination.externalId === id));
    const unknown = body.destinationIds.filter((id) => !payload.destinations.some((destination) => destination.externalId === id));
    if (unknown.length > 0 || chosen.some((destination) => !destination)) {
      throw badRequest('social.destination_unknown', 'Choose destinations from the list offered.', unknown.map((id) => ({ path: 'body.destinationIds', message: `${id.slice(0, 100)} was not offered` })));
    }
    const created: ConnectionRow[] = [];
    for (const destination of chosen as PublishDestination[]) {
      created.push(
        await upsertConnection(tx, {
          tenantId,
          accountId: row.accountId,
          network: row.network as NetworkId,
          destinationId: destination.externalId,
          destinationName: destination.name.slice(0, 300),
          destinationKind: destination.kind,
          destinationPictureUrl: destination.pictureUrl,
          destinationMetadata: destination.metadata,
          accessTokenEncrypted: sealSecret(ctx.config, payload.tokens.accessToken),
          refreshTokenEncrypted: sealSecret(ctx.config, payload.tokens.refreshToken),
          destinationTokenEncrypted: sealSecret(ctx.config, destination.destinationToken),
          accessTokenExpiresAt: payload.tokens.expiresAt ? new Date(payload.tokens.expiresAt) : null,
          refreshTokenExpiresAt: payload.tokens.refreshExpiresAt ? new Date(payload.tokens.refreshExpiresAt) : null,
          scopes: payload.tokens.scopes,
          connectedBy: actor.userId,
        }),
      );
    }
    await completeSelection(tx, row.id);
    ctx.audit.metadata = { network: row.network, connections: created.map((connection) => connection.id) };
    return { items: created.map((connection) => toConnectionDto(ctx, connection)) };
  });
}

// ------------------------------------------------------------------------------------------ connections

export async function createSandboxConnection(ctx: ServiceContext, body: CreateSandboxConnectionBody): Promise<SocialConnection> {
  assertCan(ctx, socialPermissions.manage);
  const actor = requireActor(ctx);
  const tenantId = requireTenant(ctx);
  const accountId = resolveAccountId(ctx, body.accountId);
  const row = await withTenant(ctx, async (tx) => {
    try {
      return await upsertConnection(tx, newSandboxConnection({ tenantId, accountId, name: body.name, behaviour: body.behaviour, connectedBy: actor.userId }));
    } catch (error) {
      if (isForeignKeyViolation(error)) throw notFound('Account');
      throw error;
    }
  });
  ctx.audit.targetType = 'social_connection';
  ctx.audit.targetId = row.id;
  return toConnectionDto(ctx, row);
}

export async function listConnections(ctx: ServiceContext, query: ConnectionListQuery): Promise<SocialConnectionList> {
  assertCan(ctx, socialPermissions.read);
  const isTenantAdmin = ctx.tenantRole === 'owner' || ctx.tenantRole === 'admin';
  if (query.accountId && query.accountId !== ctx.accountId && !isTenantAdmin) throw forbidden('You can only see connections of your active account.');
  // Tenant owners and admins without an active account see every account's connections.
  const accountId = query.accountId ?? ctx.accountId ?? null;
  const rows = await withTenantRead(ctx, (tx) => selectConnections(tx, { accountId, status: query.status }));
  return { items: rows.map((row) => toConnectionDto(ctx, row)) };
}

export async function getConnection(ctx: ServiceContext, id: string): Promise<SocialConnection> {
  assertCan(ctx, socialPermissions.read);
  return withTenantRead(ctx, async (tx) => toConnectionDto(ctx, await requireConnection(ctx, tx, id)));
}

/** Disconnect: the credentials are wiped at once; publishing to it fails until it is connected again. */
export async function disconnectConnection(ctx: ServiceContext, id: string): Promise<void> {
  assertCan(ctx, socialPermissions.manage);
  await withTenant(ctx, async (tx) => {
    const connection = await requireConnection(ctx, tx, id, { forUpdate: true });
    await wipeConnection(tx, connection.id, 'Disconnected by a person in the console.');
  });
}

// ------------------------------------------------------------------------------------------ sandbox

function toSandboxPostDto(row: SandboxPostRow & { connectionName: string }): SandboxPost {
  return {
    id: row.id,
    connectionId: row.connectionId,
    connectionName: row.connectionName,
    externalId: row.externalId,
    text: row.text,
    media: row.media,
    link: row.link,
    idempotencyKey: row.idempotencyKey,
    metrics: { likes: row.likes, comments: row.comments, shares: row.shares, impressions: row.impressions, clicks: row.clicks },
    createdAt: row.createdAt.toISOString(),
  };
}

export async function listSandboxPosts(ctx: ServiceContext, query: SandboxPostListQuery): Promise<SandboxPostList> {
  assertCan(ctx, socialPermissions.read);
  const isTenantAdmin = ctx.tenantRole === 'owner' || ctx.tenantRole === 'admin';
  const rows = await withTenantRead(ctx, (tx) =>
    selectSandboxPosts(tx, { connectionId: query.connectionId ?? null, accountId: isTenantAdmin ? null : ctx.accountId, limit: query.limit }),
  );
  return { items: rows.map(toSandboxPostDto) };
}

/** A test post straight to a sandbox connection (the console's "send a test post"), outside the scheduler. */
export async function createSandboxTestPost(ctx: ServiceContext, body: { connectionId: string; text: string }): Promise<SandboxPost> {
  assertCan(ctx, socialPermissions.manage);
  const tenantId = requireTenant(ctx);
  return withTenant(ctx, async (tx) => {
    const connection = await requireConnection(ctx, tx, body.connectionId);
    if (connection.network !== 'sandbox' || connection.status !== 'active') throw notFound('Sandbox connection');
    const { post } = await insertSandboxPost(tx, {
      tenantId,
      connectionId: connection.id,
      text: body.text,
      media: [],
      link: null,
      options: {},
      idempotencyKey: `manual:${randomUUID()}`,
      externalId: `sandbox_${randomUUID()}`,
    });
    return toSandboxPostDto({ ...post, connectionName: connection.destinationName });
  });
}

/** Simulated engagement on a sandbox post: adds to its counters (what fetchMetrics then reports). */
export async function addEngagement(ctx: ServiceContext, postId: string, body: SandboxEngagementBody): Promise<SandboxPost> {
  assertCan(ctx, socialPermissions.manage);
  return withTenant(ctx, async (tx) => {
    const updated = isUuid(postId) ? await addSandboxEngagement(tx, postId, body) : null;
    const connection = updated ? await selectConnectionById(tx, updated.connectionId) : null;
    const isTenantAdmin = ctx.tenantRole === 'owner' || ctx.tenantRole === 'admin';
    if (!updated || !connection || (!isTenantAdmin && connection.accountId !== ctx.accountId)) throw notFound('Sandbox post');
    return toSandboxPostDto({ ...updated, connectionName: connection.destinationName });
  });
}
