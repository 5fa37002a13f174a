-- Campaigns (module campaigns, docs/design/ai-agents.md §3, §7): a campaign of an account (goal, audience,
-- channels, budget, dates, KPIs), the strategy its approved campaign-strategist run produced, and its links
-- to content posts with the performance predicted for each. A post belongs to at most one campaign; deleting
-- a campaign unlinks its posts (the posts stay), deleting a post drops its link.

CREATE TABLE campaigns (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  account_id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  goal text NOT NULL CHECK (goal IN ('awareness', 'engagement', 'traffic', 'leads', 'sales')),
  audience text NOT NULL DEFAULT '' CHECK (length(audience) <= 1000),
  channels text[] NOT NULL CHECK (cardinality(channels) BETWEEN 1 AND 6),
  -- Micro-units of `currency`; NULL: no budget set.
  budget_micros bigint CHECK (budget_micros IS NULL OR budget_micros >= 0),
  currency text NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  -- [{metric, target}]
  kpis jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(kpis) = 'array'),
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'planned', 'active', 'completed', 'archived')),
  brief text NOT NULL DEFAULT '' CHECK (length(brief) <= 5000),
  -- {summary, keyMessages, tone, channelPlan, runId, approvedAt}: set when a strategist run is applied.
  strategy jsonb,
  -- The latest generate-from-brief run (ai module); its status is the campaign's generation state.
  latest_run_id uuid,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  updated_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, latest_run_id) REFERENCES ai_runs(tenant_id, id) ON DELETE SET NULL (latest_run_id),
  CHECK (ends_on >= starts_on),
  UNIQUE (tenant_id, id)
);
CREATE INDEX campaigns_list_idx ON campaigns (tenant_id, account_id, updated_at DESC, id DESC);

CREATE TABLE campaign_posts (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  campaign_id uuid NOT NULL,
  post_id uuid NOT NULL,
  role text NOT NULL CHECK (role IN ('generated', 'linked')),
  -- The strategist run that created the post (role 'generated').
  run_id uuid,
  -- [{network, rate, low, high, basis, scoreKind, samples, confidence, explanation}], made when created or linked.
  predicted jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(predicted) = 'array'),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (campaign_id, post_id),
  FOREIGN KEY (tenant_id, campaign_id) REFERENCES campaigns(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, post_id) REFERENCES posts(tenant_id, id) ON DELETE CASCADE,
  CHECK ((role = 'generated') = (run_id IS NOT NULL))
);
CREATE UNIQUE INDEX campaign_posts_post_idx ON campaign_posts (tenant_id, post_id);
CREATE INDEX campaign_posts_campaign_idx ON campaign_posts (tenant_id, campaign_id, created_at);

ALTER TABLE campaigns ENABLE ROW LEVEL SECURITY;
ALTER TABLE campaigns FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON campaigns USING (tenant_id = app_tenant_id() OR app_system_access());
ALTER TABLE campaign_posts ENABLE ROW LEVEL SECURITY;
ALTER TABLE campaign_posts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON campaign_posts USING (tenant_id = app_tenant_id() OR app_system_access());
