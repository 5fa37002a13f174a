-- Workflow triggers (module workflows, docs/design/workflows.md §2, §4): one row per workflow whose current
-- version starts on an event, a schedule or a signed webhook, rewritten in the transaction that creates,
-- edits, pauses, archives or deletes the workflow. `active` mirrors the workflow's status: only active rows
-- start runs (event subscribers and the schedule job look only at those); a paused or archived workflow
-- keeps its row so its webhook URL and secret survive a pause (and its webhook answers 409, not 404).
-- Manual workflows have no row.

CREATE TABLE workflow_triggers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  account_id uuid NOT NULL,
  workflow_id uuid NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('event', 'schedule', 'webhook')),
  active boolean NOT NULL,
  -- event: the event type and an optional JSONata filter over `event` (the payload).
  event_type text CHECK (event_type IS NULL OR event_type ~ '^[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*$'),
  filter text CHECK (filter IS NULL OR length(filter) BETWEEN 1 AND 2000),
  -- schedule: five-field cron in an IANA zone; the next fire (NULL while inactive).
  cron text CHECK (cron IS NULL OR length(cron) BETWEEN 9 AND 120),
  timezone text CHECK (timezone IS NULL OR length(timezone) BETWEEN 1 AND 64),
  next_fire_at timestamptz,
  -- webhook: the public id in the URL (random, not a secret) and the HMAC secret (kernel/crypto/secrets).
  webhook_key text UNIQUE CHECK (webhook_key IS NULL OR webhook_key ~ '^[A-Za-z0-9_-]{20,64}$'),
  webhook_secret_encrypted text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, workflow_id) REFERENCES workflows(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE,
  CHECK (kind <> 'event' OR event_type IS NOT NULL),
  CHECK (kind <> 'schedule' OR (cron IS NOT NULL AND timezone IS NOT NULL)),
  CHECK ((kind = 'webhook') = (webhook_key IS NOT NULL AND webhook_secret_encrypted IS NOT NULL)),
  CHECK (active OR next_fire_at IS NULL)
);
-- The event subscriber: a tenant's active triggers of one event type (and account).
CREATE INDEX workflow_triggers_event_idx ON workflow_triggers (tenant_id, event_type, account_id) WHERE kind = 'event' AND active;
-- The schedule job (system access): due schedules across tenants.
CREATE INDEX workflow_triggers_due_idx ON workflow_triggers (next_fire_at) WHERE kind = 'schedule' AND active;

-- Signed webhook deliveries seen lately: the delivery id (X-Omni-Delivery) is not signed, so a captured
-- request sent again under a new delivery id is recognised by its signed payload (SHA-256 of
-- "<timestamp>.<body>") and answered with the run it started. Kept a little longer than the signature
-- tolerance (5 minutes): older ones are refused by their timestamp anyway (pruned by workflows.fire-schedules).
CREATE TABLE workflow_webhook_receipts (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  workflow_id uuid NOT NULL,
  signature_sha256 text NOT NULL CHECK (signature_sha256 ~ '^[0-9a-f]{64}$'),
  run_id uuid NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workflow_id, signature_sha256),
  FOREIGN KEY (tenant_id, workflow_id) REFERENCES workflows(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, run_id) REFERENCES workflow_runs(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX workflow_webhook_receipts_age_idx ON workflow_webhook_receipts (received_at);
CREATE INDEX workflow_webhook_receipts_tenant_idx ON workflow_webhook_receipts (tenant_id, workflow_id);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['workflow_triggers', 'workflow_webhook_receipts'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    -- The public webhook receiver finds a key before it knows the tenant: a named system-access read, as
    -- feeds' public webhook does.
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id() OR app_system_access())', t);
  END LOOP;
END $$;
