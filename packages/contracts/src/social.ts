import { z } from 'zod';

/** Social connections: which networks can be connected, the OAuth round trip, and the connections made. */

export const socialNetworkIdSchema = z.enum(['facebook', 'instagram', 'pinterest', 'x', 'linkedin', 'sandbox']);
export type SocialNetworkId = z.infer<typeof socialNetworkIdSchema>;

export const socialNetworkSchema = z.object({
  id: socialNetworkIdSchema,
  displayName: z.string(),
  /** false for the sandbox, which connects without OAuth. */
  usesOAuth: z.boolean(),
  destinationKinds: z.array(z.string()),
});
export type SocialNetwork = z.infer<typeof socialNetworkSchema>;
export const socialNetworkListSchema = z.object({ items: z.array(socialNetworkSchema) });
export type SocialNetworkList = z.infer<typeof socialNetworkListSchema>;

/** Path parameter: any text; an unknown network answers 404. */
export const networkParamsSchema = z.object({ network: z.string().min(1).max(40) });
export const connectionIdParamsSchema = z.object({ id: z.string().min(1).max(100) });

export const startConnectBodySchema = z
  .object({ accountId: z.uuid('Account id must be a UUID.').optional() })
  .strict();
export type StartConnectBody = z.infer<typeof startConnectBodySchema>;

export const authorizationSchema = z.object({ authorizationUrl: z.url(), expiresAt: z.iso.datetime() });
export type Authorization = z.infer<typeof authorizationSchema>;

export const oauthCallbackQuerySchema = z.object({
  code: z.string().min(1).max(4000).optional(),
  state: z.string().min(1).max(500).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(2000).optional(),
});
export type OAuthCallbackQuery = z.infer<typeof oauthCallbackQuerySchema>;

export const connectionStatusSchema = z.enum(['active', 'needs_reconnect', 'disconnected']);
export type ConnectionStatus = z.infer<typeof connectionStatusSchema>;

export const destinationKindSchema = z.enum(['page', 'instagram_account', 'board', 'profile', 'organization', 'sandbox']);

export const pendingDestinationSchema = z.object({
  externalId: z.string(),
  name: z.string(),
  kind: destinationKindSchema,
  pictureUrl: z.string().nullable(),
  /** Already connected in this account (choosing it again refreshes its credentials). */
  isConnected: z.boolean(),
});
export const pendingSelectionSchema = z.object({
  selectionId: z.uuid(),
  network: socialNetworkIdSchema,
  accountId: z.uuid(),
  expiresAt: z.iso.datetime(),
  destinations: z.array(pendingDestinationSchema),
});
export type PendingSelection = z.infer<typeof pendingSelectionSchema>;

export const createConnectionsBodySchema = z
  .object({
    selectionId: z.uuid('Selection id must be a UUID.'),
    destinationIds: z.array(z.string().min(1).max(200)).min(1, 'Choose at least one destination.').max(50),
  })
  .strict();
export type CreateConnectionsBody = z.infer<typeof createConnectionsBodySchema>;

/**
 * How a Sandbox feed behaves, to see every outcome without a real network: publish (stores the post),
 * lose_response (stores the post but the answer is lost, and the feed offers no lookup: the post stays
 * unconfirmed until a person resolves it), reject (refuses every post).
 */
export const sandboxBehaviourSchema = z.enum(['publish', 'lose_response', 'reject']);
export type SandboxBehaviour = z.infer<typeof sandboxBehaviourSchema>;

export const createSandboxConnectionBodySchema = z
  .object({
    name: z.string().trim().min(1, 'Name is required.').max(100),
    accountId: z.uuid('Account id must be a UUID.').optional(),
    behaviour: sandboxBehaviourSchema.default('publish'),
  })
  .strict();
export type CreateSandboxConnectionBody = z.infer<typeof createSandboxConnectionBodySchema>;

export const socialConnectionSchema = z.object({
  id: z.uuid(),
  accountId: z.uuid(),
  network: socialNetworkIdSchema,
  networkName: z.string(),
  destination: z.object({ externalId: z.string(), name: z.string(), kind: destinationKindSchema, pictureUrl: z.string().nullable() }),
  status: connectionStatusSchema,
  statusReason: z.string().nullable(),
  needsReconnect: z.boolean(),
  /** Sandbox connections only (null elsewhere). */
  sandboxBehaviour: sandboxBehaviourSchema.nullable(),
  accessTokenExpiresAt: z.iso.datetime().nullable(),
  scopes: z.array(z.string()),
  lastRefreshedAt: z.iso.datetime().nullable(),
  connectedBy: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type SocialConnection = z.infer<typeof socialConnectionSchema>;
export const socialConnectionListSchema = z.object({ items: z.array(socialConnectionSchema) });
export type SocialConnectionList = z.infer<typeof socialConnectionListSchema>;

export const connectionListQuerySchema = z.object({
  accountId: z.uuid('Account id must be a UUID.').optional(),
  status: z.enum(['active', 'needs_reconnect', 'disconnected', 'all']).default('all'),
});
export type ConnectionListQuery = z.infer<typeof connectionListQuerySchema>;

export const sandboxPostSchema = z.object({
  id: z.uuid(),
  connectionId: z.uuid(),
  connectionName: z.string(),
  externalId: z.string(),
  text: z.string(),
  media: z.array(z.object({ url: z.string(), kind: z.enum(['image', 'video']), altText: z.string().nullable() })),
  link: z.string().nullable(),
  idempotencyKey: z.string(),
  metrics: z.object({ likes: z.number().int(), comments: z.number().int(), shares: z.number().int(), impressions: z.number().int(), clicks: z.number().int() }),
  createdAt: z.iso.datetime(),
});
export type SandboxPost = z.infer<typeof sandboxPostSchema>;
export const sandboxPostListSchema = z.object({ items: z.array(sandboxPostSchema) });
export type SandboxPostList = z.infer<typeof sandboxPostListSchema>;

export const sandboxPostListQuerySchema = z.object({
  connectionId: z.uuid('Connection id must be a UUID.').optional(),
  limit: z.coerce.number().int('Limit must be a whole number.').min(1).max(100).default(50),
});
export type SandboxPostListQuery = z.infer<typeof sandboxPostListQuerySchema>;

/** Simulated engagement on a sandbox post (demo and tests): adds to the counters. */
export const sandboxEngagementBodySchema = z
  .object({
    likes: z.number().int().min(0).max(1_000_000).default(0),
    comments: z.number().int().min(0).max(1_000_000).default(0),
    shares: z.number().int().min(0).max(1_000_000).default(0),
    impressions: z.number().int().min(0).max(1_000_000).default(0),
    clicks: z.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();
export type SandboxEngagementBody = z.infer<typeof sandboxEngagementBodySchema>;

/** A test post straight to a sandbox connection (the console's "send a test post"). */
export const sandboxTestPostBodySchema = z
  .object({
    connectionId: z.uuid('Connection id must be a UUID.'),
    text: z.string().trim().min(1, 'Text is required.').max(5000),
  })
  .strict();
export type SandboxTestPostBody = z.infer<typeof sandboxTestPostBodySchema>;
