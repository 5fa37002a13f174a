/**
 * The contract every social network implements. One file per network in this folder; each is a real
 * HTTP client of the network's API with a configurable base URL (tests point it at test/fakes/<network>).
 * Providers are stateless: credentials come in, results or classified ProviderErrors come out. Storage,
 * encryption, scheduling and retries belong to the social and publishing modules.
 */
export type NetworkId = 'facebook' | 'instagram' | 'pinterest' | 'x' | 'linkedin' | 'sandbox';

export const networkIds: NetworkId[] = ['facebook', 'instagram', 'pinterest', 'x', 'linkedin', 'sandbox'];

/** Tokens as the network returned them. A refresh that returns no refresh token keeps the stored one. */
export type ProviderTokens = {
  accessToken: string;
  refreshToken: string | null;
  /** null: the network gave no expiry (treat as long-lived until refused). */
  expiresAt: Date | null;
  refreshExpiresAt: Date | null;
  scopes: string[];
};

/**
 * How a network keeps access alive: 'rotating' (each refresh returns a new refresh token, e.g. X,
 * Pinterest), 'reuse' (refresh token stays valid and is reused, e.g. LinkedIn), 'extend' (exchange the
 * long-lived token for a fresh long-lived one, e.g. Facebook/Instagram), 'none' (never expires, sandbox).
 */
export type RefreshModel = 'rotating' | 'reuse' | 'extend' | 'none';

/** A page, board, business account, profile or organization the user may publish to. */
export type PublishDestination = {
  externalId: string;
  name: string;
  kind: 'page' | 'instagram_account' | 'board' | 'profile' | 'organization' | 'sandbox';
  pictureUrl: string | null;
  /** Destination-specific credentials, e.g. a Facebook Page access token. Encrypted at rest by the caller. */
  destinationToken: string | null;
  metadata: Record<string, unknown>;
};

/** What publish needs to act on one destination. */
export type ConnectionCredentials = {
  accessToken: string;
  destinationToken: string | null;
  /** The page/board/account/profile id chosen at connect time. */
  destinationId: string;
  metadata: Record<string, unknown>;
};

export type PublishMedia = { url: string; kind: 'image' | 'video'; altText: string | null; mimeType: string | null };

export type PublishContent = {
  text: string;
  media: PublishMedia[];
  link: string | null;
  /** Network-specific fields, e.g. { boardId, title } for Pinterest, { thread: string[] } for X. */
  options: Record<string, unknown>;
};

export type PublishResult = { externalId: string; url: string | null };

export type EngagementMetrics = {
  likes: number | null;
  comments: number | null;
  shares: number | null;
  impressions: number | null;
  clicks: number | null;
};

/**
 * Every failure a provider reports is one of these kinds; the engine decides from the kind alone:
 * - retryable: transient (5xx, network error before the request was sent); retry with backoff.
 * - rate_limited: 429 or the network's rate-limit error; retry after retryAfterSeconds.
 * - refresh_needed: the access token expired; refresh, then retry once.
 * - disconnected: the grant was revoked or the token cannot be refreshed; flag the connection.
 * - rejected: the network refused the content or request (4xx); never retry.
 * - unknown_outcome: the request may have been accepted (timeout or connection lost after sending);
 *   never resend blindly; reconcile with findPublished.
 */
export type ProviderErrorKind = 'retryable' | 'rate_limited' | 'refresh_needed' | 'disconnected' | 'rejected' | 'unknown_outcome';

export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly details: { status?: number; retryAfterSeconds?: number; networkCode?: string } = {},
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

export type OAuthSupport = {
  usesPkce: boolean;
  refreshModel: RefreshModel;
  /** The URL to send the user's browser to. */
  buildAuthorizationUrl(input: { state: string; redirectUri: string; codeChallenge: string | null }): string;
  exchangeCode(input: { code: string; redirectUri: string; codeVerifier: string | null }): Promise<ProviderTokens>;
  /** Required unless refreshModel is 'none'. */
  refreshTokens?(tokens: { accessToken: string; refreshToken: string | null }): Promise<ProviderTokens>;
};

export type SocialProvider = {
  id: NetworkId;
  displayName: string;
  /** False when the network's client id/secret are not configured (the console hides it then). */
  isConfigured: boolean;
  /** null for the sandbox network, which connects without OAuth. */
  oauth: OAuthSupport | null;
  listDestinations(tokens: { accessToken: string }): Promise<PublishDestination[]>;
  /**
   * Publish once. idempotencyKey is recorded by the caller before this call; providers pass it to the
   * network where the network supports it and use it in findPublished.
   */
  publish(credentials: ConnectionCredentials, content: PublishContent, idempotencyKey: string): Promise<PublishResult>;
  /**
   * Look for a post this key already published (reconciliation after unknown_outcome). Returns null when
   * not found; throws ProviderError('rejected') when the network offers no way to look it up.
   * content is the content that was sent: networks without a hidden field for the key (X, LinkedIn)
   * match their recent posts on its text, and throw 'rejected' when it is not passed.
   */
  findPublished(credentials: ConnectionCredentials, idempotencyKey: string, since: Date, content?: PublishContent): Promise<PublishResult | null>;
  fetchMetrics(credentials: ConnectionCredentials, externalId: string): Promise<EngagementMetrics>;
};
