-- Feeds (module feeds): blog-to-social. RSS/Atom subscriptions polled by jobs, signed inbound webhooks per
-- tenant, the entries both receive (deduplicated), and webhook receipts (replay protection).
-- See docs/design/content-studio.md §9. template_id and connection_ids point at other modules' rows
-- (content templates, social connections); they are kept without foreign keys so the modules' migrations
-- stay independent, and are checked by the services when they are written and when they are used.

CREATE TABLE feed_subscriptions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  account_id uuid NOT NULL,
  url text NOT NULL CHECK (length(url) <= 2048),
  title text CHECK (title IS NULL OR length(title) <= 300),
  -- Detected on the first successful poll (or the preview); null until then.
  format text CHECK (format IN ('rss', 'atom')),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'failing')),
  poll_interval_minutes integer NOT NULL DEFAULT 30 CHECK (poll_interval_minutes BETWEEN 1 AND 10080),
  etag text,
  last_modified text,
  last_polled_at timestamptz,
  next_poll_at timestamptz NOT NULL DEFAULT now(),
  consecutive_failures integer NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
  last_error text,
  -- When the first successful poll happened: before it, backfill decides whether entries become drafts.
  first_polled_at timestamptz,
  template_id uuid,
  connection_ids uuid[] NOT NULL DEFAULT '{}',
  backfill text NOT NULL DEFAULT 'none' CHECK (backfill IN ('none', 'latest')),
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE,
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, account_id, url)
);
CREATE INDEX feed_subscriptions_tenant_idx ON feed_subscriptions (tenant_id, account_id, created_at, id);
-- The cross-tenant scheduler (system access) finds due subscriptions by time, not by tenant.
CREATE INDEX feed_subscriptions_due_idx ON feed_subscriptions (next_poll_at) WHERE status <> 'paused';

CREATE TABLE feed_webhook_endpoints (
  -- The public path segment of the endpoint's URL: an identifier, not a secret.
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  account_id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  -- kernel/crypto/secrets.ts payloads: the signing secret is needed in clear to verify, so it is encrypted.
  secret_encrypted text NOT NULL,
  previous_secret_encrypted text,
  previous_secret_expires_at timestamptz,
  template_id uuid,
  connection_ids uuid[] NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  last_received_at timestamptz,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE,
  UNIQUE (tenant_id, id),
  CHECK ((previous_secret_encrypted IS NULL) = (previous_secret_expires_at IS NULL))
);
CREATE INDEX feed_webhook_endpoints_tenant_idx ON feed_webhook_endpoints (tenant_id, account_id, created_at, id);

CREATE TABLE feed_entries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  account_id uuid NOT NULL,
  source_type text NOT NULL CHECK (source_type IN ('feed', 'webhook')),
  -- The subscription or webhook endpoint; deleting the source keeps its entries (their posts remain).
  source_id uuid NOT NULL,
  -- RSS guid | Atom id | link | SHA-256 of title and date (feeds); the article id (webhooks).
  entry_key text NOT NULL CHECK (length(entry_key) <= 2048),
  title text NOT NULL CHECK (length(title) <= 500),
  url text CHECK (url IS NULL OR length(url) <= 2048),
  summary text,
  content_html text,
  image_url text CHECK (image_url IS NULL OR length(image_url) <= 2048),
  author text,
  tags text[] NOT NULL DEFAULT '{}',
  published_at timestamptz,
  received_at timestamptz NOT NULL DEFAULT now(),
  -- skipped: recorded by a first poll without backfill (no draft); pending: a draft is to be made.
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'skipped', 'drafted', 'failed')),
  post_id uuid,
  error text,
  processed_at timestamptz,
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE,
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, source_type, source_id, entry_key)
);
CREATE INDEX feed_entries_tenant_idx ON feed_entries (tenant_id, account_id, received_at DESC, id DESC);

CREATE TABLE feed_webhook_receipts (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  endpoint_id uuid NOT NULL,
  signature_sha256 text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (endpoint_id, signature_sha256),
  FOREIGN KEY (tenant_id, endpoint_id) REFERENCES feed_webhook_endpoints(tenant_id, id) ON DELETE CASCADE
);
-- The daily prune (system access) deletes by age across tenants.
CREATE INDEX feed_webhook_receipts_age_idx ON feed_webhook_receipts (received_at);
CREATE INDEX feed_webhook_receipts_tenant_idx ON feed_webhook_receipts (tenant_id, endpoint_id);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['feed_subscriptions', 'feed_webhook_endpoints', 'feed_entries', 'feed_webhook_receipts'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id() OR app_system_access())', t);
  END LOOP;
END $$;
