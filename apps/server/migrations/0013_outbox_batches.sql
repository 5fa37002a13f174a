-- The outbox is dispatched in batches (kernel/events): one job per tenant takes its undispatched events in
-- the order they were written (position; created_at is the emitting transaction's start, shared by all of
-- its events). An event whose subscriber failed leaves the batches (dispatch_failures > 0) and is retried on
-- its own, with backoff, so it never holds up the events after it.
ALTER TABLE outbox_events
  ADD COLUMN position bigint GENERATED ALWAYS AS IDENTITY,
  ADD COLUMN dispatch_failures integer NOT NULL DEFAULT 0;

CREATE INDEX outbox_events_pending_idx ON outbox_events (tenant_id, position)
  WHERE dispatched_at IS NULL AND dispatch_failures = 0;
