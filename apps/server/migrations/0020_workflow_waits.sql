-- Workflow event waits (module workflows, docs/design/workflows.md §2, §4): a wait_event step parks with one
-- row here; the subscriber of its event type looks up the tenant's rows for that type (never all runs),
-- evaluates `match` (JSONata over the event payload `event` and the run's data) and enqueues the step's
-- resume. The resume (or a cancel) deletes the row; the step's own row records what it waited for.

CREATE TABLE workflow_event_waits (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  step_run_id uuid NOT NULL UNIQUE REFERENCES workflow_step_runs(id) ON DELETE CASCADE,
  event_type text NOT NULL CHECK (event_type ~ '^[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*$'),
  -- JSONata over {event, trigger, steps, workflow, run}; NULL: any event of the type (of the tenant).
  match text CHECK (match IS NULL OR length(match) BETWEEN 1 AND 2000),
  timeout_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX workflow_event_waits_type_idx ON workflow_event_waits (tenant_id, event_type);

ALTER TABLE workflow_event_waits ENABLE ROW LEVEL SECURITY;
ALTER TABLE workflow_event_waits FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON workflow_event_waits USING (tenant_id = app_tenant_id() OR app_system_access());
