-- Periodic jobs: where a schedule starts counting ticks. See dev.fleet.queue.periodic.PeriodicJobEnqueuer.
--
-- A definition's next tick is the first cron tick after greatest(last_tick_at, ticks_after).
-- ticks_after is the creation time, and it moves to now() when the cron or time zone changes
-- or a disabled definition is enabled again: ticks before that moment belong to an old schedule
-- or to a pause, so they are neither due nor "missed" (run-once would otherwise catch up on them).

ALTER TABLE periodic_jobs ADD COLUMN ticks_after timestamptz;
UPDATE periodic_jobs SET ticks_after = created_at;
ALTER TABLE periodic_jobs ALTER COLUMN ticks_after SET NOT NULL, ALTER COLUMN ticks_after SET DEFAULT now();

COMMENT ON COLUMN periodic_jobs.last_tick_at IS
    'The latest tick handled: a job was enqueued for it, or it was skipped as missed (missed_policy skip).';
COMMENT ON COLUMN periodic_jobs.ticks_after IS
    'Only ticks after this instant are due: creation, the last change of cron or time zone, or re-enabling.';
