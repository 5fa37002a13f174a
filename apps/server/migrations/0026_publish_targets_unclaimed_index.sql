-- The publishing claim reads due connections, not every due target (publishing.queries.ts,
-- dueConnectionsWithRoom): a skip scan finds each connection's oldest unclaimed target with one probe, and
-- each connection offers its oldest due targets in order, so a claim costs the same with ten or ten
-- thousand targets waiting.
CREATE INDEX publish_targets_unclaimed_idx ON publish_targets (connection_id, next_attempt_at, id)
  WHERE status = 'scheduled' AND dispatched_at IS NULL;
