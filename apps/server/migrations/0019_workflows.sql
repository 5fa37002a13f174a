-- Workflows (module workflows, docs/design/workflows.md §2, §4): versioned graph definitions of an account,
-- runs pinned to the version they started with, and one row per step execution. Steps run as graphile-worker
-- jobs (workflows.step, workflows.resume); a step's row is its state machine, the job only a wake-up, so the
-- sweeper (workflows.sweep) can re-enqueue a step whose worker died (lease expired) or whose job vanished.
-- Triggers (event, schedule, webhook) and event waits come with their own tables in a later migration.

CREATE TABLE workflows (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  account_id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  -- Only a valid definition is saved active (checked by the service; an invalid one is a paused draft).
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'archived')),
  -- The HITL policy type (ai module) its AI and approval steps follow.
  workflow_type text NOT NULL CHECK (workflow_type ~ '^[a-z][a-z0-9_]{0,59}$'),
  current_version integer NOT NULL DEFAULT 1 CHECK (current_version >= 1),
  -- The template it was installed from (templates live in code, modules/workflows/templates).
  template_id text CHECK (template_id IS NULL OR length(template_id) <= 100),
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  updated_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE,
  UNIQUE (tenant_id, id)
);
CREATE INDEX workflows_list_idx ON workflows (tenant_id, account_id, updated_at DESC, id DESC);

-- Immutable: editing a definition saves version n+1; runs keep the version they started with.
CREATE TABLE workflow_versions (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  workflow_id uuid NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  -- {trigger, triggerPosition, nodes, edges} as packages/contracts/src/workflows.ts parses it.
  definition jsonb NOT NULL CHECK (jsonb_typeof(definition) = 'object'),
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workflow_id, version),
  UNIQUE (tenant_id, workflow_id, version),
  FOREIGN KEY (tenant_id, workflow_id) REFERENCES workflows(tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE workflow_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  account_id uuid NOT NULL,
  workflow_id uuid NOT NULL,
  version integer NOT NULL,
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'waiting', 'succeeded', 'failed', 'cancelled')),
  -- Test runs: side-effect steps record what they would do instead of doing it.
  test boolean NOT NULL DEFAULT false,
  trigger_kind text NOT NULL CHECK (trigger_kind IN ('event', 'schedule', 'webhook', 'manual')),
  trigger_payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Event id, schedule fire time or webhook delivery id: a duplicate trigger starts nothing.
  dedup_key text CHECK (dedup_key IS NULL OR length(dedup_key) <= 200),
  started_by uuid REFERENCES users(id) ON DELETE SET NULL,
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at timestamptz,
  error text,
  cancelled_by uuid REFERENCES users(id) ON DELETE SET NULL,
  FOREIGN KEY (tenant_id, workflow_id, version) REFERENCES workflow_versions(tenant_id, workflow_id, version) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE,
  UNIQUE (tenant_id, id),
  UNIQUE (workflow_id, dedup_key),
  CHECK ((finished_at IS NULL) = (status IN ('running', 'waiting')))
);
CREATE INDEX workflow_runs_list_idx ON workflow_runs (tenant_id, account_id, started_at DESC, id DESC);
CREATE INDEX workflow_runs_workflow_idx ON workflow_runs (tenant_id, workflow_id, started_at DESC, id DESC);

CREATE TABLE workflow_step_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  run_id uuid NOT NULL,
  node_id text NOT NULL CHECK (node_id ~ '^[a-z][a-z0-9_]{0,39}$'),
  kind text NOT NULL CHECK (length(kind) BETWEEN 1 AND 40),
  -- How many times a loop (through a delay or wait) came back to this node before this execution.
  iteration integer NOT NULL DEFAULT 0 CHECK (iteration >= 0),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'waiting', 'succeeded', 'failed', 'skipped', 'cancelled')),
  -- Claims so far; attempt_base: the attempt a person's retry started from (the retry budget counts after it).
  attempt integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  attempt_base integer NOT NULL DEFAULT 0 CHECK (attempt_base >= 0 AND attempt_base <= attempt),
  input jsonb,
  output jsonb,
  -- The outgoing port taken (default, true/false, …, error).
  port text,
  -- {code, message, retryable}
  error jsonb,
  -- {until} for a time wait (later: event, approval, ai run, timeout).
  wait jsonb,
  -- A running step's worker holds it until then; past it, the sweeper hands the step to another job.
  lease_until timestamptz,
  -- When a pending step is due (a retry's backoff); the sweeper re-enqueues due steps without a job.
  due_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  started_at timestamptz,
  finished_at timestamptz,
  -- A crash between "finish a step" and "start its successors" cannot double a successor.
  UNIQUE (run_id, node_id, iteration),
  FOREIGN KEY (tenant_id, run_id) REFERENCES workflow_runs(tenant_id, id) ON DELETE CASCADE,
  CHECK ((lease_until IS NOT NULL) = (status = 'running'))
);
CREATE INDEX workflow_step_runs_run_idx ON workflow_step_runs (tenant_id, run_id, created_at);
-- The sweeper's look-ups across tenants (system access): expired leases and pending steps.
CREATE INDEX workflow_step_runs_lease_idx ON workflow_step_runs (lease_until) WHERE status = 'running';
CREATE INDEX workflow_step_runs_pending_idx ON workflow_step_runs (due_at) WHERE status = 'pending';

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['workflows', 'workflow_versions', 'workflow_runs', 'workflow_step_runs'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id() OR app_system_access())', t);
  END LOOP;
END $$;
