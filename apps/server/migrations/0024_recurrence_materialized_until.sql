-- Content: how far a recurring post's rule has been materialized (modules/content/use-cases/recurrence.ts).
-- The daily extension job used to take the series' latest occurrence for that, so moving the last
-- materialized occurrence earlier looked like a gap and the rule's instant was made again. The marker is
-- set whenever occurrences are materialized from the rule (schedule, rule change, extension) and is the
-- only thing the job reads; moving or cancelling an occurrence leaves it alone.

-- The backfill reads posts and post_occurrences, which force row-level security even on their owner.
SELECT set_config('app.system_access', 'on', true);

ALTER TABLE posts ADD COLUMN recurrence_materialized_until timestamptz;

-- Existing series: their latest occurrence (cancelled ones included), what the job used until now.
UPDATE posts p SET recurrence_materialized_until = (SELECT max(o.occurs_at) FROM post_occurrences o WHERE o.post_id = p.id)
 WHERE p.recurrence_rule IS NOT NULL;
