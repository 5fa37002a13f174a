-- Emitting an event joins its tenant's pending batch job instead of adding one (kernel/events, "How the
-- outbox is dispatched"): graphile-worker's add_job costs more than the event's own insert, and every call
-- sends a NOTIFY that wakes idle worker slots to fetch.
--
-- The emitter holds a shared advisory lock on the batch's key until it commits and only then looks for a
-- pending batch job (not locked, never attempted). A batch job, once fetched (locked_at committed), waits for
-- the exclusive lock on the same key before it reads the outbox, so every emitter that saw it pending has
-- committed by then and its event is read. An emitter that comes later sees the job locked and queues the
-- next batch as before. The emitter never waits: while a batch job waits for the lock (or holds it), the
-- shared lock is not granted and the emitter queues a batch job the usual way. VOLATILE: the look-up runs
-- after the lock is granted, on a fresh snapshot.
CREATE FUNCTION outbox_join_pending_batch(batch_key text) RETURNS boolean
  LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock_shared(hashtext('omni.outbox'), hashtext(batch_key)) THEN
    RETURN false;
  END IF;
  RETURN EXISTS (
    SELECT 1 FROM graphile_worker._private_jobs j
     WHERE j.key = batch_key AND j.locked_at IS NULL AND j.attempts = 0
  );
END
$$;
