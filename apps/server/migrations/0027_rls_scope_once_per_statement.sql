-- Row security evaluated once per statement instead of once per row (decision 002, amendment of 2026-12-07).
-- The tenant policy `tenant_id = app_tenant_id() OR app_system_access()` inlines both SQL functions into
-- current_setting() calls that PostgreSQL evaluates for every row it considers. Written as scalar
-- subqueries they become initplans: computed once when the statement runs (prepared statements included:
-- an initplan runs at each execution, so the transaction's own settings apply), then compared per row as
-- constants, which also lets the planner use tenant_id indexes for them. Same rows visible, same checks on
-- writes (the USING expression is the WITH CHECK of these policies). Every later tenant table's policy must
-- be written this way; test/sweeps/tenant-isolation.test.ts checks it.
DO $$
DECLARE t text;
BEGIN
  FOR t IN SELECT tablename FROM pg_policies WHERE schemaname = 'public' AND policyname = 'tenant_isolation' AND tablename <> 'tenants' LOOP
    EXECUTE format('ALTER POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app_tenant_id()) OR (SELECT app_system_access()))', t);
  END LOOP;
END $$;

ALTER POLICY tenant_isolation ON tenants USING (id = (SELECT app_tenant_id()) OR (SELECT app_system_access()));
