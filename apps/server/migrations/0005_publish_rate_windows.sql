-- Publishing: per-network rate windows and Retry-After pauses (docs/decisions/006-publishing-engine.md).
-- The dispatcher counts a connection's (and a network's) publish attempts in a sliding window, so each
-- attempt carries its target's connection and network, filled in from the target by a trigger (every
-- writer, raw SQL included, gets them right), and, when the network answered 429 with Retry-After or a
-- reset time, the moment before which that connection must not be called again.

-- The backfill reads publish_targets, which forces row-level security even on its owner.
SELECT set_config('app.system_access', 'on', true);

ALTER TABLE publish_attempts
  ADD COLUMN connection_id uuid,
  ADD COLUMN network text,
  ADD COLUMN retry_not_before timestamptz;

UPDATE publish_attempts a SET connection_id = t.connection_id, network = t.network
  FROM publish_targets t WHERE t.id = a.target_id;

ALTER TABLE publish_attempts ALTER COLUMN connection_id SET NOT NULL, ALTER COLUMN network SET NOT NULL;

CREATE OR REPLACE FUNCTION publish_attempts_copy_target() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.connection_id IS NULL OR NEW.network IS NULL THEN
    SELECT t.connection_id, t.network INTO NEW.connection_id, NEW.network FROM publish_targets t WHERE t.id = NEW.target_id;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER publish_attempts_copy_target BEFORE INSERT ON publish_attempts
  FOR EACH ROW EXECUTE FUNCTION publish_attempts_copy_target();

-- Sliding-window counts, per connection and per network (cross-tenant: they lead with the key, not tenant_id).
CREATE INDEX publish_attempts_connection_window_idx ON publish_attempts (connection_id, started_at);
CREATE INDEX publish_attempts_network_window_idx ON publish_attempts (network, started_at);
-- Connections paused by a 429: few rows, read on every dispatch.
CREATE INDEX publish_attempts_paused_idx ON publish_attempts (connection_id, retry_not_before) WHERE retry_not_before IS NOT NULL;
