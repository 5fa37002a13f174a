-- Social connections (module social): one row per (account, network, destination) a tenant publishes to.
-- Every token column holds an encrypted secret (kernel/crypto/secrets.ts: v1.<kid>.<iv>.<tag>.<ciphertext>).

CREATE TABLE social_connections (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  account_id uuid NOT NULL,
  network text NOT NULL CHECK (network IN ('facebook', 'instagram', 'pinterest', 'x', 'linkedin', 'sandbox')),
  destination_id text NOT NULL,
  destination_name text NOT NULL,
  destination_kind text NOT NULL CHECK (destination_kind IN ('page', 'instagram_account', 'board', 'profile', 'organization', 'sandbox')),
  destination_picture_url text,
  destination_metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  access_token_encrypted text,
  refresh_token_encrypted text,
  destination_token_encrypted text,
  access_token_expires_at timestamptz,
  refresh_token_expires_at timestamptz,
  scopes text[] NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'needs_reconnect', 'disconnected')),
  status_reason text,
  -- Set when the owners were told about the current needs_reconnect incident (cleared on reconnect).
  problem_notified_at timestamptz,
  -- refresh_needed reports in a row (each within an hour of the last): the second one flags the connection.
  refresh_failures integer NOT NULL DEFAULT 0,
  last_refresh_needed_at timestamptz,
  last_refreshed_at timestamptz,
  connected_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE,
  UNIQUE (tenant_id, account_id, network, destination_id),
  -- A disconnected connection keeps no credentials.
  CHECK (status <> 'disconnected' OR (access_token_encrypted IS NULL AND refresh_token_encrypted IS NULL AND destination_token_encrypted IS NULL))
);
CREATE INDEX social_connections_tenant_idx ON social_connections (tenant_id, account_id, created_at, id);
CREATE INDEX social_connections_expiry_idx ON social_connections (tenant_id, access_token_expires_at) WHERE status = 'active';

-- OAuth round trips: the state is stored hashed, the PKCE verifier encrypted. After the callback the same
-- row holds the destinations the user may choose from (encrypted, with the tokens) until pending_expires_at.
CREATE TABLE oauth_states (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  account_id uuid NOT NULL,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  network text NOT NULL,
  state_hash text NOT NULL UNIQUE,
  code_verifier_encrypted text,
  redirect_uri text NOT NULL,
  -- The connection a reconnect replaces the credentials of (null: a new connection).
  reconnect_connection_id uuid,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  pending_encrypted text,
  pending_expires_at timestamptz,
  completed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX oauth_states_tenant_idx ON oauth_states (tenant_id, user_id, created_at);

-- The built-in Sandbox network: posts "published" to it live here, visible in the console.
CREATE TABLE sandbox_posts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  connection_id uuid NOT NULL REFERENCES social_connections(id) ON DELETE CASCADE,
  text text NOT NULL,
  media jsonb NOT NULL DEFAULT '[]'::jsonb,
  link text,
  options jsonb NOT NULL DEFAULT '{}'::jsonb,
  idempotency_key text NOT NULL,
  external_id text NOT NULL,
  likes integer NOT NULL DEFAULT 0,
  comments integer NOT NULL DEFAULT 0,
  shares integer NOT NULL DEFAULT 0,
  impressions integer NOT NULL DEFAULT 0,
  clicks integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (connection_id, idempotency_key),
  UNIQUE (external_id)
);
CREATE INDEX sandbox_posts_tenant_idx ON sandbox_posts (tenant_id, connection_id, created_at DESC);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['social_connections', 'oauth_states', 'sandbox_posts'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id() OR app_system_access())', t);
  END LOOP;
END $$;
