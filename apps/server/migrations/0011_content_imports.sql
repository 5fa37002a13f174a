-- CSV imports of posts (module content): the report of every import attempt — dry runs, refused files and
-- imports — kept for the console. See docs/design/content-studio.md §2.4 and §6.3. The posts an import
-- created point back at it through posts.source ({kind: 'import', id}).

CREATE TABLE content_imports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  account_id uuid NOT NULL,
  file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
  -- invalid: refused (nothing created); imported: every row created; valid: a dry run that would import.
  status text NOT NULL CHECK (status IN ('invalid', 'imported', 'valid')),
  dry_run boolean NOT NULL DEFAULT false,
  row_count integer NOT NULL DEFAULT 0 CHECK (row_count >= 0),
  error_count integer NOT NULL DEFAULT 0 CHECK (error_count >= 0),
  report jsonb NOT NULL,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (status <> 'valid' OR dry_run),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX content_imports_tenant_idx ON content_imports (tenant_id, account_id, created_at DESC);

ALTER TABLE content_imports ENABLE ROW LEVEL SECURITY;
ALTER TABLE content_imports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON content_imports USING (tenant_id = app_tenant_id() OR app_system_access());
