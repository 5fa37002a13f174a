-- Publishing: the first engagement snapshot of a published target is queued in batches, not by the
-- transaction that marks it published (docs/decisions/006-publishing-engine.md, "Engagement"). That
-- transaction only sets metrics_due_at (published_at + 1 h); the publishing.queue-metrics job (every minute,
-- system access) takes the rows that have it in batches, clears it and queues their collect-metrics jobs
-- (run at metrics_due_at) with one add_jobs statement per batch. Targets published before this migration
-- already have their job: nothing to backfill.

ALTER TABLE publish_targets
  -- The first engagement snapshot of this published target is due then and has not been queued yet.
  ADD COLUMN metrics_due_at timestamptz;

-- The queue-metrics job (cross-tenant): few rows at any time, taken oldest first.
CREATE INDEX publish_targets_metrics_due_idx ON publish_targets (metrics_due_at) WHERE metrics_due_at IS NOT NULL;
