-- Diagnostic reference (run.sh phases 4c, 4d): claim :limit jobs as pgbench-claim.sql does, then complete
-- them all with ONE set-based UPDATE over unnest(ids, lease tokens), as queue-service's
-- POST /leases/complete does (JobClaims.COMPLETE): two transactions per loop.
WITH picked AS (
    SELECT id FROM pgb.jobs
    WHERE queue = 'pgb' AND state = 'available' AND expires_at > now()
    ORDER BY priority, run_at, id LIMIT :limit FOR UPDATE SKIP LOCKED),
claimed AS (
    UPDATE pgb.jobs j SET state = 'running', attempt = j.attempt + 1, runner_id = 'pgbench',
        lease_token = gen_random_uuid(), attempted_at = clock_timestamp(), expires_at = 'infinity',
        lease_expires_at = clock_timestamp() + make_interval(secs => 30000 / 1000.0)
    FROM picked WHERE j.id = picked.id
    RETURNING j.id, j.queue, j.kind, j.payload::text AS payload, j.priority, j.base_priority, j.state, j.run_at,
        j.expires_at, j.unique_key, j.fairness_key, j.cost, j.attempt, j.max_attempts, j.runner_id,
        j.lease_expires_at, j.errors::text AS errors, j.result::text AS result, j.dead_reason, j.created_at,
        j.attempted_at, j.finished_at, j.lease_token)
SELECT coalesce(array_agg(id), '{}')::text AS ids, coalesce(array_agg(lease_token), '{}')::text AS tokens
FROM claimed \gset
UPDATE pgb.jobs j SET state = 'succeeded', result = jsonb_build_object('ok', true), finished_at = clock_timestamp(),
    lease_token = NULL, lease_expires_at = NULL
FROM unnest(:ids::bigint[], :tokens::uuid[]) AS c(id, token)
WHERE j.id = c.id AND j.lease_token = c.token AND j.state = 'running'
RETURNING j.id, j.queue, j.state, j.lease_expires_at, j.run_at, j.attempted_at;
