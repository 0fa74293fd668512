-- The claim of queue-service (JobClaims.CLAIM) on pgb.jobs, a copy of queue.jobs with the same
-- columns and indexes: :limit available jobs, highest priority first, FIFO, FOR UPDATE SKIP LOCKED,
-- turned into running with a fresh lease token, returning what the service returns.
-- bench/queue/run.sh runs it with pgbench -M prepared -D limit=1 and -D limit=100.
WITH picked AS (
    SELECT id FROM pgb.jobs
    WHERE queue = 'pgb' AND state = 'available' AND expires_at > now()
    ORDER BY priority, run_at, id LIMIT :limit FOR UPDATE SKIP LOCKED)
UPDATE pgb.jobs j SET state = 'running', attempt = j.attempt + 1, runner_id = 'pgbench',
    lease_token = gen_random_uuid(), attempted_at = clock_timestamp(), expires_at = 'infinity',
    lease_expires_at = clock_timestamp() + make_interval(secs => 30000 / 1000.0)
FROM picked WHERE j.id = picked.id
RETURNING j.id, j.queue, j.kind, j.payload::text AS payload, j.priority, j.base_priority, j.state, j.run_at,
    j.expires_at, j.unique_key, j.fairness_key, j.cost, j.attempt, j.max_attempts, j.runner_id,
    j.lease_expires_at, j.errors::text AS errors, j.result::text AS result, j.dead_reason, j.created_at,
    j.attempted_at, j.finished_at, j.lease_token;
