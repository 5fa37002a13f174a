-- Content studio (module content): posts with a base and per-network variants, their destinations
-- (social connections), append-only revisions, occurrences and the mapping of each occurrence onto
-- publishing targets, templates and per-account content settings. See docs/design/content-studio.md §2.4
-- and docs/decisions/010-content-studio-modules.md. connection_id / target_id point at the social and
-- publishing modules' rows without foreign keys, so the modules' migrations stay independent.

CREATE TABLE content_templates (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  -- null: a tenant-wide template, offered in every account.
  account_id uuid,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  category text CHECK (category IS NULL OR length(category) BETWEEN 1 AND 60),
  tags text[] NOT NULL DEFAULT '{}',
  description text CHECK (description IS NULL OR length(description) <= 1000),
  variables jsonb NOT NULL DEFAULT '[]',
  bodies jsonb NOT NULL DEFAULT '{}',
  options jsonb NOT NULL DEFAULT '{}',
  link_template text CHECK (link_template IS NULL OR length(link_template) <= 2048),
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  archived_at timestamptz,
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE,
  UNIQUE (tenant_id, id)
);
-- One name per account, and one per tenant among tenant-wide templates (NULLs are distinct in UNIQUE).
CREATE UNIQUE INDEX content_templates_name_idx ON content_templates (tenant_id, coalesce(account_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(name));
CREATE INDEX content_templates_list_idx ON content_templates (tenant_id, account_id, updated_at DESC);

CREATE TABLE posts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  account_id uuid NOT NULL,
  title text CHECK (title IS NULL OR length(title) <= 200),
  status text NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'in_review', 'changes_requested', 'rejected', 'approved', 'scheduled', 'published', 'partially_published', 'failed')),
  review_stage text CHECK (review_stage IN ('internal', 'client')),
  base_text text NOT NULL DEFAULT '' CHECK (length(base_text) <= 70000),
  base_media jsonb NOT NULL DEFAULT '[]',
  base_link text CHECK (base_link IS NULL OR length(base_link) <= 2048),
  tags text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 20),
  planned_at timestamptz,
  recurrence_rule text,
  recurrence_timezone text,
  ab_network text,
  ab_gap_minutes integer CHECK (ab_gap_minutes IS NULL OR ab_gap_minutes BETWEEN 1 AND 20160),
  ab_winner_variant_id uuid,
  ab_decided_at timestamptz,
  ab_decided_by uuid REFERENCES users(id) ON DELETE SET NULL,
  ab_result jsonb,
  template_id uuid,
  source jsonb,
  current_revision integer NOT NULL DEFAULT 1 CHECK (current_revision >= 1),
  approved_revision integer,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  updated_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, template_id) REFERENCES content_templates(tenant_id, id) ON DELETE SET NULL (template_id),
  CHECK ((ab_network IS NULL) = (ab_gap_minutes IS NULL)),
  UNIQUE (tenant_id, id)
);
CREATE INDEX posts_planned_idx ON posts (tenant_id, account_id, planned_at);
CREATE INDEX posts_status_idx ON posts (tenant_id, account_id, status, updated_at DESC);
CREATE INDEX posts_tags_idx ON posts USING gin (tags);

CREATE TABLE post_variants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  post_id uuid NOT NULL,
  network text NOT NULL,
  ab_label text CHECK (ab_label IN ('A', 'B')),
  -- null: inherit the post's base text / media / link.
  text text CHECK (text IS NULL OR length(text) <= 70000),
  media jsonb,
  link text CHECK (link IS NULL OR length(link) <= 2048),
  options jsonb NOT NULL DEFAULT '{}',
  position integer NOT NULL DEFAULT 0,
  FOREIGN KEY (tenant_id, post_id) REFERENCES posts(tenant_id, id) ON DELETE CASCADE,
  UNIQUE (tenant_id, id)
);
CREATE UNIQUE INDEX post_variants_network_idx ON post_variants (post_id, network, coalesce(ab_label, ''));
CREATE INDEX post_variants_post_idx ON post_variants (tenant_id, post_id, position);

CREATE TABLE post_destinations (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  post_id uuid NOT NULL,
  connection_id uuid NOT NULL,
  -- Copied when chosen: the variant that goes to this connection.
  network text NOT NULL,
  PRIMARY KEY (post_id, connection_id),
  FOREIGN KEY (tenant_id, post_id) REFERENCES posts(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX post_destinations_tenant_idx ON post_destinations (tenant_id, post_id);

CREATE TABLE post_revisions (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  post_id uuid NOT NULL,
  number integer NOT NULL CHECK (number >= 1),
  snapshot jsonb NOT NULL,
  author_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
  note text CHECK (note IS NULL OR length(note) <= 500),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (post_id, number),
  FOREIGN KEY (tenant_id, post_id) REFERENCES posts(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX post_revisions_tenant_idx ON post_revisions (tenant_id, post_id, number DESC);

CREATE TABLE post_occurrences (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  post_id uuid NOT NULL,
  occurs_at timestamptz NOT NULL,
  -- 0 for a one-off post; the position in the series for a recurring one.
  sequence integer NOT NULL DEFAULT 0 CHECK (sequence >= 0),
  status text NOT NULL DEFAULT 'scheduled'
    CHECK (status IN ('scheduled', 'published', 'partially_published', 'failed', 'needs_attention', 'cancelled')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, post_id) REFERENCES posts(tenant_id, id) ON DELETE CASCADE,
  UNIQUE (post_id, occurs_at),
  UNIQUE (tenant_id, id)
);
CREATE INDEX post_occurrences_calendar_idx ON post_occurrences (tenant_id, occurs_at);
CREATE INDEX post_occurrences_post_idx ON post_occurrences (tenant_id, post_id, occurs_at);

CREATE TABLE post_targets (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  -- publishing's publish_targets.id: the only link between a post and the publishing engine.
  target_id uuid PRIMARY KEY,
  post_id uuid NOT NULL,
  occurrence_id uuid NOT NULL,
  -- The variant sent (kept as history: a variant removed later leaves its cancelled targets mapped).
  variant_id uuid NOT NULL,
  connection_id uuid NOT NULL,
  network text NOT NULL,
  scheduled_at timestamptz NOT NULL,
  -- The content revision the target carries.
  revision integer NOT NULL,
  FOREIGN KEY (tenant_id, post_id) REFERENCES posts(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, occurrence_id) REFERENCES post_occurrences(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX post_targets_occurrence_idx ON post_targets (tenant_id, occurrence_id);
CREATE INDEX post_targets_post_idx ON post_targets (tenant_id, post_id);

CREATE TABLE content_settings (
  account_id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  approval_policy text NOT NULL DEFAULT 'contributors' CHECK (approval_policy IN ('contributors', 'everyone')),
  client_approval_required boolean NOT NULL DEFAULT false,
  min_gap_minutes integer NOT NULL DEFAULT 30 CHECK (min_gap_minutes BETWEEN 0 AND 1440),
  daily_caps jsonb NOT NULL DEFAULT '{}',
  ab_default_gap_minutes integer NOT NULL DEFAULT 1440 CHECK (ab_default_gap_minutes BETWEEN 1 AND 20160),
  updated_by uuid REFERENCES users(id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX content_settings_tenant_idx ON content_settings (tenant_id, account_id);

ALTER TABLE content_templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE content_templates FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON content_templates USING (tenant_id = app_tenant_id() OR app_system_access());
ALTER TABLE posts ENABLE ROW LEVEL SECURITY;
ALTER TABLE posts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON posts USING (tenant_id = app_tenant_id() OR app_system_access());
ALTER TABLE post_variants ENABLE ROW LEVEL SECURITY;
ALTER TABLE post_variants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON post_variants USING (tenant_id = app_tenant_id() OR app_system_access());
ALTER TABLE post_destinations ENABLE ROW LEVEL SECURITY;
ALTER TABLE post_destinations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON post_destinations USING (tenant_id = app_tenant_id() OR app_system_access());
ALTER TABLE post_revisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE post_revisions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON post_revisions USING (tenant_id = app_tenant_id() OR app_system_access());
ALTER TABLE post_occurrences ENABLE ROW LEVEL SECURITY;
ALTER TABLE post_occurrences FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON post_occurrences USING (tenant_id = app_tenant_id() OR app_system_access());
ALTER TABLE post_targets ENABLE ROW LEVEL SECURITY;
ALTER TABLE post_targets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON post_targets USING (tenant_id = app_tenant_id() OR app_system_access());
ALTER TABLE content_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE content_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON content_settings USING (tenant_id = app_tenant_id() OR app_system_access());
