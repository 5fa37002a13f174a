-- Media library (module media; docs/design/content-studio.md §2.1, §5): assets, their stored renditions,
-- each tenant's storage usage (the quota is reserved atomically against this row), and holds other modules
-- place on assets they use (an asset with holds cannot be deleted). Storage keys are built from ids only.

CREATE TABLE media_assets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  -- NULL: the tenant-wide library, shared by every account.
  account_id uuid,
  kind text NOT NULL CHECK (kind IN ('image', 'video')),
  status text NOT NULL DEFAULT 'processing' CHECK (status IN ('processing', 'ready', 'failed', 'deleted')),
  -- Sniffed from the bytes, never the name or the browser's type.
  mime_type text NOT NULL CHECK (mime_type IN ('image/jpeg', 'image/png', 'image/webp', 'image/gif', 'video/mp4', 'video/quicktime')),
  -- For display only (sanitized); never part of a storage key.
  original_name text NOT NULL CHECK (length(original_name) BETWEEN 1 AND 255),
  -- Bytes of the stored original (the upload until processing replaces it).
  byte_size bigint NOT NULL CHECK (byte_size >= 0),
  width integer CHECK (width > 0),
  height integer CHECK (height > 0),
  duration_ms integer CHECK (duration_ms >= 0),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  storage_prefix text NOT NULL,
  alt_text text NOT NULL DEFAULT '' CHECK (length(alt_text) <= 1000),
  tags text[] NOT NULL DEFAULT '{}',
  failure_reason text,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE,
  UNIQUE (tenant_id, id)
);
CREATE INDEX media_assets_library_idx ON media_assets (tenant_id, account_id, created_at DESC);
CREATE INDEX media_assets_tags_idx ON media_assets USING gin (tags);

CREATE TABLE media_renditions (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  asset_id uuid NOT NULL,
  name text NOT NULL CHECK (name IN ('original', 'thumb', 'medium', 'facebook', 'instagram', 'x', 'linkedin', 'pinterest')),
  mime_type text NOT NULL,
  width integer,
  height integer,
  byte_size bigint NOT NULL CHECK (byte_size >= 0),
  -- Renditions with identical output share one stored object (the same key).
  storage_key text NOT NULL,
  PRIMARY KEY (asset_id, name),
  FOREIGN KEY (tenant_id, asset_id) REFERENCES media_assets(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX media_renditions_tenant_idx ON media_renditions (tenant_id, asset_id);

CREATE TABLE media_usage (
  tenant_id uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  -- Changed only by UPDATE … SET bytes_used = bytes_used + n WHERE bytes_used + n <= quota.
  bytes_used bigint NOT NULL DEFAULT 0 CHECK (bytes_used >= 0),
  asset_count integer NOT NULL DEFAULT 0 CHECK (asset_count >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE media_asset_holds (
  tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  asset_id uuid NOT NULL,
  -- Who uses the asset, e.g. content.post:<uuid>.
  holder text NOT NULL CHECK (length(holder) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (asset_id, holder),
  FOREIGN KEY (tenant_id, asset_id) REFERENCES media_assets(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX media_asset_holds_holder_idx ON media_asset_holds (tenant_id, holder);

ALTER TABLE media_assets ENABLE ROW LEVEL SECURITY;
ALTER TABLE media_assets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON media_assets USING (tenant_id = app_tenant_id() OR app_system_access());
ALTER TABLE media_renditions ENABLE ROW LEVEL SECURITY;
ALTER TABLE media_renditions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON media_renditions USING (tenant_id = app_tenant_id() OR app_system_access());
ALTER TABLE media_usage ENABLE ROW LEVEL SECURITY;
ALTER TABLE media_usage FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON media_usage USING (tenant_id = app_tenant_id() OR app_system_access());
ALTER TABLE media_asset_holds ENABLE ROW LEVEL SECURITY;
ALTER TABLE media_asset_holds FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON media_asset_holds USING (tenant_id = app_tenant_id() OR app_system_access());
