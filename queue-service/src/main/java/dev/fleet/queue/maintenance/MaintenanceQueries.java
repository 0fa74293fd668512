package dev.fleet.queue.maintenance;

/**
 * The maintenance statements. Each handles at most a batch of rows, takes them with
 * {@code FOR UPDATE SKIP LOCKED} and is idempotent, so every replica may run every sweep at
 * once: they share the work instead of electing a leader, and never block claims.
 */
final class MaintenanceQueries {

    private MaintenanceQueries() {
    }

    /** Due delayed jobs and retries become available. */
    static final String PROMOTE = """
            WITH due AS (
                SELECT id FROM queue.jobs WHERE state IN ('scheduled', 'failed') AND run_at <= now()
                ORDER BY run_at LIMIT $1 FOR UPDATE SKIP LOCKED)
            UPDATE queue.jobs j SET state = 'available' FROM due WHERE j.id = due.id
            RETURNING j.queue""";

    /** Jobs that waited past the aging time move up one priority level (and may again after another wait). */
    static final String AGE = """
            WITH old AS (
                SELECT id FROM queue.jobs
                WHERE state = 'available' AND priority > 0
                  AND coalesce(aged_at, run_at) <= now() - make_interval(secs => $1::bigint / 1000.0)
                ORDER BY coalesce(aged_at, run_at) LIMIT $2 FOR UPDATE SKIP LOCKED)
            UPDATE queue.jobs j SET priority = j.priority - 1, aged_at = now() FROM old WHERE j.id = old.id
            RETURNING j.queue""";

    /** Leases that ran out: the attempt counts; the job goes back to the queue, or dead if it has none left. */
    static final String RESCUE = """
            WITH expired AS (
                SELECT id FROM queue.jobs WHERE state = 'running' AND lease_expires_at < now()
                LIMIT $1 FOR UPDATE SKIP LOCKED)
            UPDATE queue.jobs j SET
                state = CASE WHEN j.attempt >= j.max_attempts THEN 'dead' ELSE 'available' END,
                dead_reason = CASE WHEN j.attempt >= j.max_attempts THEN 'max-attempts' END,
                finished_at = CASE WHEN j.attempt >= j.max_attempts THEN clock_timestamp() END,
                errors = j.errors || jsonb_build_array(jsonb_build_object(
                    'attempt', j.attempt, 'at', clock_timestamp(), 'runner', j.runner_id, 'error', 'lease expired')),
                runner_id = NULL, lease_token = NULL, lease_expires_at = NULL
            FROM expired WHERE j.id = expired.id
            RETURNING j.queue, j.state""";

    /** Jobs not started within their TTL go dead with reason 'expired'. */
    static final String EXPIRE = """
            WITH expired AS (
                SELECT id FROM queue.jobs WHERE state IN ('scheduled', 'available') AND expires_at <= now()
                LIMIT $1 FOR UPDATE SKIP LOCKED)
            UPDATE queue.jobs j SET state = 'dead', dead_reason = 'expired', finished_at = clock_timestamp()
            FROM expired WHERE j.id = expired.id
            RETURNING j.queue""";

    /** Finished jobs past retention, a small batch at a time. */
    static final String REAP = """
            DELETE FROM queue.jobs WHERE id IN (
                SELECT id FROM queue.jobs
                WHERE (state IN ('succeeded', 'cancelled') AND finished_at < now() - make_interval(secs => $1::bigint / 1000.0))
                   OR (state = 'dead' AND finished_at < now() - make_interval(secs => $2::bigint / 1000.0))
                LIMIT $3 FOR UPDATE SKIP LOCKED)""";
}
