-- Approvals (module approvals): generic approval requests bound to (subject type, subject id, revision,
-- stage), their decisions (append-only), client approval links (only the SHA-256 of the token is stored)
-- and comments on subjects. The module knows no subject type: the subject's module registers one.
-- See docs/design/content-studio.md §2.3 and §8, docs/decisions/010-content-studio-modules.md.

CREATE TABLE approval_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  account_id uuid NOT NULL,
  subject_type text NOT NULL CHECK (subject_type ~ '^[a-z][a-z0-9_.-]{0,59}$'),
  subject_id uuid NOT NULL,
  subject_revision integer NOT NULL CHECK (subject_revision >= 1),
  stage text NOT NULL CHECK (stage IN ('internal', 'client')),
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'approved', 'rejected', 'changes_requested', 'superseded', 'withdrawn')),
  summary text NOT NULL CHECK (length(summary) BETWEEN 1 AND 300),
  -- null: opened by the system (e.g. a draft made from a feed).
  requested_by uuid REFERENCES users(id) ON DELETE SET NULL,
  requested_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  decided_at timestamptz,
  superseded_reason text CHECK (superseded_reason IS NULL OR length(superseded_reason) <= 300),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE,
  UNIQUE (tenant_id, id),
  CHECK ((status = 'pending') = (decided_at IS NULL))
);
-- At most one pending request per subject and stage.
CREATE UNIQUE INDEX approval_requests_pending_idx ON approval_requests (tenant_id, subject_type, subject_id, stage) WHERE status = 'pending';
CREATE INDEX approval_requests_inbox_idx ON approval_requests (tenant_id, account_id, status, requested_at DESC, id DESC);
CREATE INDEX approval_requests_subject_idx ON approval_requests (tenant_id, subject_type, subject_id, requested_at DESC);

CREATE TABLE approval_links (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  request_id uuid NOT NULL,
  -- SHA-256 of the 32-byte random token; the token itself is shown once and never stored.
  token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  recipient_name text NOT NULL CHECK (length(recipient_name) BETWEEN 1 AND 100),
  recipient_email citext CHECK (recipient_email IS NULL OR length(recipient_email) <= 254),
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_by uuid REFERENCES users(id) ON DELETE SET NULL,
  last_opened_at timestamptz,
  open_count integer NOT NULL DEFAULT 0 CHECK (open_count >= 0),
  FOREIGN KEY (tenant_id, request_id) REFERENCES approval_requests(tenant_id, id) ON DELETE CASCADE,
  UNIQUE (tenant_id, id),
  CHECK (expires_at > created_at)
);
CREATE INDEX approval_links_request_idx ON approval_links (tenant_id, request_id, created_at DESC);

CREATE TABLE approval_decisions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  request_id uuid NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('approved', 'rejected', 'changes_requested')),
  note text CHECK (note IS NULL OR length(note) <= 2000),
  decided_by_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
  decided_via_link_id uuid,
  decider_name text NOT NULL CHECK (length(decider_name) BETWEEN 1 AND 200),
  decider_email citext,
  ip inet,
  user_agent text CHECK (user_agent IS NULL OR length(user_agent) <= 300),
  decided_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  FOREIGN KEY (tenant_id, request_id) REFERENCES approval_requests(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, decided_via_link_id) REFERENCES approval_links(tenant_id, id) ON DELETE CASCADE,
  -- A user, or a link; a user deleted later leaves both empty but the name, email and time stay.
  CHECK (decided_by_user_id IS NULL OR decided_via_link_id IS NULL)
);
-- One decision per request: the first one wins.
CREATE UNIQUE INDEX approval_decisions_request_idx ON approval_decisions (tenant_id, request_id);

-- Append-only: decisions are evidence. Cascades (a tenant, account or user deleted) run from the foreign
-- keys' own triggers, at trigger depth 1, and still apply.
CREATE FUNCTION approval_decisions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'approval decisions are append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER approval_decisions_append_only BEFORE UPDATE OR DELETE ON approval_decisions
  FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION approval_decisions_append_only();

CREATE TABLE approval_comments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  subject_type text NOT NULL CHECK (subject_type ~ '^[a-z][a-z0-9_.-]{0,59}$'),
  subject_id uuid NOT NULL,
  subject_revision integer NOT NULL CHECK (subject_revision >= 1),
  -- The request pending when the comment was written, if any (comments outlive requests).
  request_id uuid REFERENCES approval_requests(id) ON DELETE SET NULL,
  author_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
  via_link_id uuid REFERENCES approval_links(id) ON DELETE SET NULL,
  author_name text NOT NULL CHECK (length(author_name) BETWEEN 1 AND 200),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  deleted_at timestamptz,
  CHECK (author_user_id IS NULL OR via_link_id IS NULL)
);
CREATE INDEX approval_comments_subject_idx ON approval_comments (tenant_id, subject_type, subject_id, created_at);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['approval_requests', 'approval_links', 'approval_decisions', 'approval_comments'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id() OR app_system_access())', t);
  END LOOP;
END $$;
