-- Publishing, per account: the missed-post policy (how late a missed post may still be published before it
-- is marked late instead) and the time zone the console shows and plans the account's posts in. Owned by
-- the publishing module; a missing row means the defaults (PUBLISH_LATE_AFTER_SECONDS, the viewer's zone).
-- See docs/decisions/006-publishing-engine.md.

CREATE TABLE publishing_settings (
  account_id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  -- Published while at most this many seconds late, else marked late; null: PUBLISH_LATE_AFTER_SECONDS.
  late_after_seconds integer CHECK (late_after_seconds BETWEEN 60 AND 2592000),
  -- IANA zone (validated by the API); null: each viewer's own zone.
  timezone text CHECK (timezone IS NULL OR length(timezone) BETWEEN 1 AND 64),
  updated_by uuid REFERENCES users(id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX publishing_settings_tenant_idx ON publishing_settings (tenant_id, account_id);

ALTER TABLE publishing_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE publishing_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON publishing_settings USING (tenant_id = app_tenant_id() OR app_system_access());

-- A person's retry (of a failed or late post, or of an unconfirmed one they found missing) starts a fresh
-- attempt budget: PUBLISH_MAX_ATTEMPTS counts the attempts after attempt_base, while attempt numbers keep
-- counting up (publish_attempts stays one row per attempt).
ALTER TABLE publish_targets ADD COLUMN attempt_base integer NOT NULL DEFAULT 0 CHECK (attempt_base >= 0);
