-- The ai module (docs/design/ai-agents.md §3, §4, §6): provider settings, budgets, prices, runs, daily
-- usage, rate-limit buckets and human-in-the-loop policies. Platform rows (tenant_id NULL) of the settings
-- and policies are reached only under system access or through the SECURITY DEFINER functions at the end,
-- which never return a key.

CREATE TABLE ai_provider_settings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- NULL: the platform default (super admin); else the tenant's own provider.
  tenant_id uuid REFERENCES tenants(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('offline', 'openai-compatible', 'anthropic')),
  base_url text CHECK (base_url IS NULL OR length(base_url) <= 500),
  -- kernel/crypto/secrets.ts payload (AES-256-GCM with a key id); never plaintext, never returned.
  api_key_secret text,
  key_hint text CHECK (key_hint IS NULL OR length(key_hint) <= 8),
  default_model text NOT NULL CHECK (length(default_model) BETWEEN 1 AND 200),
  -- Per-agent model overrides: {"copywriter": "gpt-4o"}.
  models jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(models) = 'object'),
  requests_per_minute integer NOT NULL DEFAULT 60 CHECK (requests_per_minute BETWEEN 1 AND 100000),
  enabled boolean NOT NULL DEFAULT true,
  allow_private_base_urls boolean NOT NULL DEFAULT false CHECK (tenant_id IS NULL OR NOT allow_private_base_urls),
  updated_by uuid REFERENCES users(id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((api_key_secret IS NULL) = (key_hint IS NULL))
);
CREATE UNIQUE INDEX ai_provider_settings_tenant_idx ON ai_provider_settings (tenant_id) NULLS NOT DISTINCT;

CREATE TABLE ai_budgets (
  tenant_id uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  -- USD micro-units per calendar month (UTC); NULL: no cap.
  monthly_limit_micros bigint CHECK (monthly_limit_micros IS NULL OR monthly_limit_micros >= 0),
  alert_at_percent integer NOT NULL DEFAULT 80 CHECK (alert_at_percent BETWEEN 1 AND 100),
  hard_stop boolean NOT NULL DEFAULT true,
  -- The last day the "budget exceeded" notification went out (at most one a day).
  exceeded_notified_on date,
  updated_by uuid REFERENCES users(id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Platform-managed list prices; no tenant data.
CREATE TABLE ai_prices (
  provider text NOT NULL CHECK (provider IN ('offline', 'openai-compatible', 'anthropic')),
  model text NOT NULL CHECK (length(model) BETWEEN 1 AND 200),
  input_micros_per_million bigint NOT NULL CHECK (input_micros_per_million >= 0),
  output_micros_per_million bigint NOT NULL CHECK (output_micros_per_million >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, model)
);
-- Public list prices (USD per million tokens) of the default models, 2026; offline is free.
INSERT INTO ai_prices (provider, model, input_micros_per_million, output_micros_per_million) VALUES
  ('offline', 'offline', 0, 0),
  ('openai-compatible', 'gpt-4o-mini', 150000, 600000),
  ('openai-compatible', 'gpt-4o', 2500000, 10000000),
  ('openai-compatible', 'gpt-4.1-mini', 400000, 1600000),
  ('openai-compatible', 'gpt-4.1', 2000000, 8000000),
  ('anthropic', 'claude-3-5-haiku-latest', 800000, 4000000),
  ('anthropic', 'claude-sonnet-4-5', 3000000, 15000000),
  ('anthropic', 'claude-haiku-4-5', 1000000, 5000000);

CREATE TABLE ai_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  account_id uuid NOT NULL,
  agent text NOT NULL CHECK (length(agent) BETWEEN 1 AND 100),
  agent_version integer NOT NULL CHECK (agent_version >= 1),
  status text NOT NULL DEFAULT 'running'
    CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'awaiting_review', 'approved', 'rejected', 'expired')),
  input jsonb NOT NULL,
  output jsonb,
  confidence numeric(4,3) CHECK (confidence IS NULL OR confidence BETWEEN 0 AND 1),
  explanation text,
  provider text NOT NULL,
  model text NOT NULL,
  input_tokens integer NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
  output_tokens integer NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
  cost_micros bigint NOT NULL DEFAULT 0 CHECK (cost_micros >= 0),
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at timestamptz,
  duration_ms integer,
  error_code text,
  error_message text,
  workflow_type text NOT NULL CHECK (workflow_type ~ '^[a-z][a-z0-9_]{0,59}$'),
  subject_type text,
  subject_id uuid,
  requested_by uuid REFERENCES users(id) ON DELETE SET NULL,
  policy jsonb,
  approval_request_id uuid,
  -- 1 until an escalation re-opens the review.
  review_round integer NOT NULL DEFAULT 1,
  decided_by uuid REFERENCES users(id) ON DELETE SET NULL,
  decided_at timestamptz,
  decision_note text,
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE,
  UNIQUE (tenant_id, id),
  CHECK ((subject_type IS NULL) = (subject_id IS NULL))
);
CREATE INDEX ai_runs_agent_idx ON ai_runs (tenant_id, agent, started_at DESC);
CREATE INDEX ai_runs_list_idx ON ai_runs (tenant_id, started_at DESC, id DESC);
-- Agent health across tenants (platform view).
CREATE INDEX ai_runs_health_idx ON ai_runs (agent, started_at);

CREATE TABLE ai_usage_daily (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  day date NOT NULL,
  agent text NOT NULL,
  provider text NOT NULL,
  model text NOT NULL,
  calls integer NOT NULL DEFAULT 0 CHECK (calls >= 0),
  input_tokens bigint NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
  output_tokens bigint NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
  cost_micros bigint NOT NULL DEFAULT 0 CHECK (cost_micros >= 0),
  PRIMARY KEY (tenant_id, day, agent, provider, model)
);

-- A token bucket per tenant: refilled at requests_per_minute / 60 a second up to requests_per_minute.
CREATE TABLE ai_rate_buckets (
  tenant_id uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  tokens double precision NOT NULL,
  refilled_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE hitl_policies (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- NULL: the platform's policy (super admin), which may be locked.
  tenant_id uuid REFERENCES tenants(id) ON DELETE CASCADE,
  workflow_type text NOT NULL CHECK (workflow_type ~ '^[a-z][a-z0-9_]{0,59}$'),
  mode text NOT NULL CHECK (mode IN ('off', 'always', 'below')),
  threshold numeric(4,3) NOT NULL DEFAULT 0.8 CHECK (threshold BETWEEN 0 AND 1),
  deadline_minutes integer NOT NULL DEFAULT 1440 CHECK (deadline_minutes BETWEEN 1 AND 43200),
  escalation_role text NOT NULL DEFAULT 'admin' CHECK (escalation_role IN ('editor', 'admin')),
  on_timeout text NOT NULL DEFAULT 'reject' CHECK (on_timeout IN ('reject', 'approve', 'escalate')),
  locked boolean NOT NULL DEFAULT false CHECK (tenant_id IS NULL OR NOT locked),
  updated_by uuid REFERENCES users(id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX hitl_policies_scope_idx ON hitl_policies (tenant_id, workflow_type) NULLS NOT DISTINCT;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['ai_provider_settings', 'ai_budgets', 'ai_runs', 'ai_usage_daily', 'ai_rate_buckets', 'hitl_policies'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id() OR app_system_access())', t);
  END LOOP;
END $$;

-- What a tenant may know of the platform provider: kind, model, rate, whether a key is set — never the key.
CREATE FUNCTION ai_platform_provider()
RETURNS TABLE (kind text, base_url text, default_model text, models jsonb, requests_per_minute integer, enabled boolean, has_key boolean, allow_private_base_urls boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp SET app.system_access = 'on' AS
$$ SELECT kind, base_url, default_model, models, requests_per_minute, enabled, api_key_secret IS NOT NULL, allow_private_base_urls
     FROM ai_provider_settings WHERE tenant_id IS NULL $$;

-- The platform's HITL policies (read by every tenant to resolve its effective policy).
CREATE FUNCTION ai_platform_hitl_policies()
RETURNS TABLE (workflow_type text, mode text, threshold numeric, deadline_minutes integer, escalation_role text, on_timeout text, locked boolean, updated_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp SET app.system_access = 'on' AS
$$ SELECT workflow_type, mode, threshold, deadline_minutes, escalation_role, on_timeout, locked, updated_at
     FROM hitl_policies WHERE tenant_id IS NULL ORDER BY workflow_type $$;
