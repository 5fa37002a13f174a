-- AI performance predictor (module ai, predictor/): one ridge-regression model per (tenant, account,
-- network), trained from the account's published posts and their engagement. See docs/design/ai-agents.md §5
-- and modules/ai/predictor/README.md. Rows are rewritten by the nightly ai.train-predictors job.

CREATE TABLE ai_models (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  account_id uuid NOT NULL,
  network text NOT NULL CHECK (length(network) BETWEEN 1 AND 40),
  -- What the model predicts: engagement per impression, or the plain interaction count when some of the
  -- network's posts have no impressions (the definition content's best times use).
  score_kind text NOT NULL CHECK (score_kind IN ('per_impression', 'count')),
  -- Feature names in coefficient order, so a stored model stays readable if the feature list changes.
  feature_names text[] NOT NULL,
  -- {intercept, weights[]} on standardised features; feature_means / feature_scales standardise a draft.
  coefficients jsonb NOT NULL,
  feature_means jsonb NOT NULL,
  feature_scales jsonb NOT NULL,
  -- (ZᵀZ + λI)⁻¹ ZᵀZ (ZᵀZ + λI)⁻¹: times residual_se² the covariance of the weights (prediction interval).
  weight_covariance jsonb NOT NULL,
  -- Fallback for the follower proxy of a draft when the last 30 days have no impressions.
  follower_proxy_default double precision NOT NULL,
  n integer NOT NULL CHECK (n >= 1),
  r2 double precision NOT NULL,
  -- r² of the leave-one-out predictions (what λ was chosen by): an honest estimate for new posts.
  loo_r2 double precision NOT NULL,
  lambda double precision NOT NULL CHECK (lambda >= 0),
  residual_se double precision NOT NULL CHECK (residual_se >= 0),
  trained_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE,
  UNIQUE (tenant_id, account_id, network)
);

ALTER TABLE ai_models ENABLE ROW LEVEL SECURITY;
ALTER TABLE ai_models FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ai_models USING (tenant_id = app_tenant_id() OR app_system_access());
