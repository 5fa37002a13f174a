import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { mediaStorageConfigIssues } from './storage/blob-store.js';

/**
 * The one place that reads process.env. Everything else receives a Config.
 * Every variable is documented in the README's configuration table.
 */
const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const listString = z
  .string()
  .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean));

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().url().optional(),
  APP_DATABASE_URL: z.string().url().optional(),
  APP_DB_ROLE: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('omni_app'),
  APP_DB_PASSWORD: z.string().min(8).default('omni_app_local_password'),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(20),
  REDIS_URL: z.string().url().optional(),
  JWT_SECRET: z.string().min(32).optional(),
  JWT_KEY_ID: z.string().min(1).default('k1'),
  JWT_PREVIOUS_SECRETS: listString.default([]),
  JWT_ISSUER: z.string().default('omni'),
  JWT_AUDIENCE: z.string().default('omni-api'),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(900).default(900),
  REFRESH_IDLE_TTL_SECONDS: z.coerce.number().int().min(60).default(14 * 24 * 3600),
  REFRESH_ABSOLUTE_TTL_SECONDS: z.coerce.number().int().min(60).default(60 * 24 * 3600),
  REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(120).default(10),
  ENCRYPTION_KEY: z.string().min(32).optional(),
  ENCRYPTION_KEY_ID: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, _ or - (max 32)').default('k1'),
  // Keys retired by a rotation, still used to decrypt what they encrypted: comma-separated "kid:key" pairs.
  ENCRYPTION_PREVIOUS_KEYS: listString.default([]),
  // Social networks (module social). Base URLs default to the real networks; tests point them at fakes.
  FACEBOOK_APP_ID: z.string().min(1).optional(),
  FACEBOOK_APP_SECRET: z.string().min(1).optional(),
  FACEBOOK_GRAPH_URL: z.string().url().default('https://graph.facebook.com'),
  FACEBOOK_DIALOG_URL: z.string().url().default('https://www.facebook.com'),
  FACEBOOK_GRAPH_VERSION: z.string().regex(/^v\d+\.\d+$/).default('v23.0'),
  INSTAGRAM_GRAPH_URL: z.string().url().default('https://graph.facebook.com'),
  PINTEREST_CLIENT_ID: z.string().min(1).optional(),
  PINTEREST_CLIENT_SECRET: z.string().min(1).optional(),
  PINTEREST_API_URL: z.string().url().default('https://api.pinterest.com'),
  PINTEREST_OAUTH_URL: z.string().url().default('https://www.pinterest.com'),
  X_CLIENT_ID: z.string().min(1).optional(),
  X_CLIENT_SECRET: z.string().min(1).optional(),
  X_API_URL: z.string().url().default('https://api.x.com'),
  X_OAUTH_URL: z.string().url().default('https://x.com'),
  LINKEDIN_CLIENT_ID: z.string().min(1).optional(),
  LINKEDIN_CLIENT_SECRET: z.string().min(1).optional(),
  LINKEDIN_API_URL: z.string().url().default('https://api.linkedin.com'),
  LINKEDIN_OAUTH_URL: z.string().url().default('https://www.linkedin.com'),
  // LinkedIn's versioned REST API requires a YYYYMM version header; versions are sunset after about a year.
  LINKEDIN_API_VERSION: z.string().regex(/^\d{6}$/).default('202510'),
  // Organization scopes need LinkedIn's Community Management API approval; without it use 'openid profile w_member_social'.
  LINKEDIN_SCOPES: z.string().min(1).default('openid profile w_member_social r_organization_social w_organization_social rw_organization_admin'),
  SOCIAL_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(30_000),
  // A daily job renews Meta tokens (and rotating refresh tokens) that expire within this many days.
  SOCIAL_TOKEN_RENEWAL_DAYS: z.coerce.number().int().min(1).max(59).default(14),
  // Media the providers fetch or hand to a network by URL (docs/decisions/008-media-fetch-policy.md).
  // Empty: PUBLIC_URL's origin only. Entries are origins, optionally with a subdomain wildcard.
  MEDIA_FETCH_ALLOWED_ORIGINS: listString
    .pipe(
      z.array(
        z
          .string()
          .toLowerCase()
          .regex(/^https?:\/\/(\*\.)?([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:\d{1,5})?$/, 'Use origins such as https://cdn.example.com or https://*.example.com.'),
      ),
    )
    .default([]),
  // Development and tests only: allow http:// and loopback addresses for media.
  MEDIA_FETCH_ALLOW_LOOPBACK: booleanString.default(false),
  // Private address ranges (CIDRs) media may still be fetched from, e.g. an S3-compatible store on the LAN.
  MEDIA_FETCH_ALLOWED_NETWORKS: listString
    .pipe(z.array(z.string().refine((value) => ipaddr.isValidCIDR(value), 'Use CIDRs such as 10.1.2.0/24 or fd12::/64.')))
    .default([]),
  MEDIA_FETCH_MAX_BYTES: z.coerce.number().int().min(1024).default(256 * 1024 * 1024),
  MEDIA_FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(120_000),
  // Media library storage (module media, kernel/storage): local disk (default) or an S3-compatible bucket.
  MEDIA_STORAGE: z.enum(['local', 's3']).default('local'),
  // Default: <DATA_DIR>/media.
  MEDIA_LOCAL_DIR: z.string().min(1).optional(),
  MEDIA_S3_BUCKET: z.string().min(3).max(63).optional(),
  MEDIA_S3_REGION: z.string().min(1).default('us-east-1'),
  MEDIA_S3_ENDPOINT: z.string().url().optional(),
  MEDIA_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  MEDIA_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  MEDIA_S3_FORCE_PATH_STYLE: booleanString.default(false),
  // Per plan: "plan=imageMB/videoMB/quotaMB"; the "default" entry applies to plans not listed.
  MEDIA_PLAN_LIMITS: listString
    .pipe(z.array(z.string().regex(/^[a-z0-9_-]+=\d+\/\d+\/\d+$/, 'Use plan=imageMB/videoMB/quotaMB entries, e.g. starter=20/250/2048,default=20/250/2048.')))
    .default(['starter=20/250/2048', 'default=20/250/2048']),
  MEDIA_URL_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(3600),
  MEDIA_NETWORK_URL_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(86_400),
  MEDIA_MAX_INPUT_PIXELS: z.coerce.number().int().min(1_000_000).default(100_000_000),
  CORS_ORIGINS: listString.default([]),
  // Which direct peers may set x-forwarded-for (addresses, CIDRs or proxy-addr presets). Trusting every
  // peer would let any client pick its own IP and dodge rate limits; empty trusts none.
  TRUST_PROXY: listString.default(['loopback', 'linklocal', 'uniquelocal']),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  AUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  LOCKOUT_THRESHOLD: z.coerce.number().int().min(1).default(10),
  LOCKOUT_MINUTES: z.coerce.number().int().min(1).default(15),
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().default('Omni <no-reply@omni.local>'),
  ROOT_DOMAIN: z.string().default('localhost'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  SEED_DEMO: booleanString.default(true),
  DEMO_PASSWORD: z.string().min(8).default('omni-demo-2026'),
  WEB_DIST_DIR: z.string().optional(),
  // Publishing engine (docs/decisions/006-publishing-engine.md).
  PUBLISH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  PUBLISH_RETRY_BASE_SECONDS: z.coerce.number().int().min(1).default(30),
  PUBLISH_RETRY_MAX_SECONDS: z.coerce.number().int().min(1).default(3600),
  PUBLISH_ATTEMPT_TIMEOUT_SECONDS: z.coerce.number().int().min(30).default(300),
  PUBLISH_RECONCILE_DELAY_SECONDS: z.coerce.number().int().min(0).default(120),
  PUBLISH_LATE_AFTER_SECONDS: z.coerce.number().int().min(60).default(24 * 3600),
  PUBLISH_NETWORK_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(20),
  // Per-network overrides of the cap above, e.g. "x=5,linkedin=10".
  PUBLISH_NETWORK_CONCURRENCY_OVERRIDES: listString
    .pipe(z.array(z.string().regex(/^[a-z]+=\d+$/, 'Use network=number pairs, e.g. x=5,linkedin=10.')))
    .default([]),
  // Rate windows per network, replacing that network's defaults (publishing README, "Rate windows"):
  // "network=count/seconds" per connection, "network:app=count/seconds" for the whole network, "network=off".
  PUBLISH_NETWORK_RATE_LIMITS: listString
    .pipe(
      z.array(
        z
          .string()
          .regex(/^[a-z]+(:app)?=(off|[1-9]\d*\/[1-9]\d*)$/, 'Use network[:app]=count/seconds entries, e.g. x=100/900,x:app=10000/86400, or network=off.'),
      ),
    )
    .default([]),
  PUBLISH_DISPATCH_BATCH: z.coerce.number().int().min(1).max(5000).default(200),
  PUBLISH_DISPATCH_LEASE_SECONDS: z.coerce.number().int().min(60).default(900),
  // How long an emitted event's batch job waits for more of its tenant's events (kernel/events outboxDispatch).
  EVENTS_BATCH_DELAY_MS: z.coerce.number().int().min(0).max(10_000).default(1000),
  // Publishes one worker process runs at once (its publishing lane's slots; network calls, not CPU).
  PUBLISH_LANE_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(32),
  // Client approval links (module approvals): default and longest lifetime in days.
  APPROVAL_LINK_DEFAULT_DAYS: z.coerce.number().int().min(1).max(30).default(7),
  APPROVAL_LINK_MAX_DAYS: z.coerce.number().int().min(1).max(30).default(30),
  // CSV import of posts (module content): the most rows one file may hold.
  CONTENT_IMPORT_MAX_ROWS: z.coerce.number().int().min(1).max(100_000).default(1000),
  // Recurring posts (module content): how many days ahead a series' occurrences and targets are materialized.
  CONTENT_RECURRENCE_HORIZON_DAYS: z.coerce.number().int().min(1).max(366).default(60),
  // Feeds (module feeds): the shortest poll interval a subscription may ask for, the largest feed document
  // fetched, and how far a webhook's signed timestamp may be from now.
  FEEDS_POLL_MIN_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  FEEDS_FETCH_MAX_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(5 * 1024 * 1024),
  FEEDS_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(10).max(3600).default(300),
  // Development and tests only: feeds may be fetched over http from loopback addresses (local fakes).
  FEEDS_FETCH_ALLOW_LOOPBACK: booleanString.default(false),
  // AI (module ai): the platform's default provider at first start (afterwards the super admin's settings
  // row rules), the per-call deadline, the default request rate and monthly budget (unset: no cap).
  AI_PROVIDER: z.enum(['offline', 'openai-compatible', 'anthropic']).default('offline'),
  AI_BASE_URL: z.url().optional(),
  AI_API_KEY: z.string().min(1).optional(),
  AI_MODEL: z.string().min(1).max(200).optional(),
  AI_CALL_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(60),
  AI_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(60),
  AI_DEFAULT_MONTHLY_BUDGET_USD: z.coerce.number().min(0).max(1_000_000).optional(),
  // Development and tests only: tenants' own AI base URLs may point at private and loopback addresses.
  AI_BASE_URL_ALLOW_PRIVATE: booleanString.default(false),
  // Workflows (module workflows): how many steps of one tenant run at once (graphile-worker named queues
  // wf:<tenant>:<lane>), and how long a worker holds a running step before the sweeper hands it to another.
  WORKFLOW_TENANT_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  WORKFLOW_STEP_LEASE_SECONDS: z.coerce.number().int().min(30).max(86_400).default(300),
  // Development and tests only: workflows' http_request steps may call private and loopback addresses (and
  // loopback over plain http); cloud metadata addresses stay refused.
  WORKFLOW_HTTP_ALLOW_PRIVATE: booleanString.default(false),
});

export type Config = z.infer<typeof configSchema> & {
  /** Secret used to sign access tokens; generated and persisted under DATA_DIR when not configured. */
  JWT_SECRET: string;
  ENCRYPTION_KEY: string;
};

export type RawConfig = z.infer<typeof configSchema>;

/**
 * Parse the environment (or an explicit object, in tests) over process-specific defaults (e.g. paths the
 * CLI derives from the repository). Throws a readable error on bad values.
 */
export function parseConfig(
  source: Record<string, string | undefined> = process.env,
  defaults: Record<string, string> = {},
): RawConfig {
  const result = configSchema.safeParse({ ...defaults, ...source });
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const storageIssues = mediaStorageConfigIssues(result.data);
  if (storageIssues.length > 0) throw new Error(`Invalid configuration:\n${storageIssues.map((issue) => `  ${issue}`).join('\n')}`);
  return result.data;
}
