-- Publishing: post targets (one post on one social connection), their state transitions, publish
-- attempts (recorded with the idempotency key before the network is called) and engagement metrics.
-- See docs/decisions/006-publishing-engine.md. connection_id points at the social module's connection;
-- it is kept without a foreign key so the two modules' migrations stay independent.

CREATE TABLE publish_targets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  account_id uuid NOT NULL,
  connection_id uuid NOT NULL,
  network text NOT NULL,
  content jsonb NOT NULL,
  scheduled_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'scheduled'
    CHECK (status IN ('scheduled', 'publishing', 'published', 'failed', 'unconfirmed', 'cancelled', 'late')),
  attempt_count integer NOT NULL DEFAULT 0,
  -- When the dispatcher may next pick the target up (its time, or a retry's backoff); null unless scheduled.
  next_attempt_at timestamptz,
  -- Set when the dispatcher enqueued the publish job; cleared when the attempt starts or the target is rescheduled.
  dispatched_at timestamptz,
  idempotency_key text NOT NULL UNIQUE,
  external_id text,
  external_url text,
  last_error text,
  last_error_kind text,
  published_at timestamptz,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE,
  UNIQUE (tenant_id, id)
);
CREATE INDEX publish_targets_list_idx ON publish_targets (tenant_id, scheduled_at DESC, id DESC);
CREATE INDEX publish_targets_connection_idx ON publish_targets (tenant_id, connection_id, scheduled_at DESC);
-- Cross-tenant work (dispatcher, sweeper) runs under system access: these lead with time, not tenant.
CREATE INDEX publish_targets_due_idx ON publish_targets (next_attempt_at) WHERE status = 'scheduled';
CREATE INDEX publish_targets_in_flight_idx ON publish_targets (network)
  WHERE status = 'publishing' OR (status = 'scheduled' AND dispatched_at IS NOT NULL);

CREATE TABLE publish_target_transitions (
  id bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  target_id uuid NOT NULL,
  from_status text,
  to_status text NOT NULL,
  reason text NOT NULL,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  FOREIGN KEY (tenant_id, target_id) REFERENCES publish_targets(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX publish_target_transitions_target_idx ON publish_target_transitions (tenant_id, target_id, id);

CREATE TABLE publish_attempts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  target_id uuid NOT NULL,
  attempt_number integer NOT NULL,
  idempotency_key text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at timestamptz,
  -- null while the call is in flight (or the worker died during it: the sweeper reconciles those).
  outcome text CHECK (outcome IN ('published', 'retry', 'failed', 'unknown_outcome')),
  error_kind text,
  error_message text,
  FOREIGN KEY (tenant_id, target_id) REFERENCES publish_targets(tenant_id, id) ON DELETE CASCADE,
  UNIQUE (target_id, attempt_number)
);
CREATE INDEX publish_attempts_target_idx ON publish_attempts (tenant_id, target_id, attempt_number);
CREATE INDEX publish_attempts_open_idx ON publish_attempts (started_at) WHERE finished_at IS NULL;

CREATE TABLE engagement_metrics (
  id bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  target_id uuid NOT NULL,
  collected_at timestamptz NOT NULL DEFAULT now(),
  likes integer,
  comments integer,
  shares integer,
  impressions integer,
  clicks integer,
  FOREIGN KEY (tenant_id, target_id) REFERENCES publish_targets(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX engagement_metrics_target_idx ON engagement_metrics (tenant_id, target_id, collected_at DESC);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['publish_targets', 'publish_target_transitions', 'publish_attempts', 'engagement_metrics'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id() OR app_system_access())', t);
  END LOOP;
END $$;
