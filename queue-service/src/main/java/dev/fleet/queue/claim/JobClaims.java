package dev.fleet.queue.claim;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Singleton;

import dev.fleet.platform.time.Timestamps;
import dev.fleet.queue.job.JobView;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The hot-path SQL of {@code queue.jobs}: claims and the lease-guarded actions on claimed jobs.
 * Every action names the job and its lease token and changes a row only while that lease is the
 * job's current one, so a runner that lost its lease (expired, cancelled, rescued) changes
 * nothing: the statement simply matches no row.
 */
@Singleton
public class JobClaims {

    /** The SET list that turns an available job into a running one; {@code $r} runner id, {@code $l} lease ms. */
    private static String claimedSet(int runnerParam, int leaseParam) {
        return "state = 'running', attempt = j.attempt + 1, runner_id = $" + runnerParam + ","
                + " lease_token = gen_random_uuid(), attempted_at = clock_timestamp(), expires_at = 'infinity',"
                + " lease_expires_at = clock_timestamp() + make_interval(secs => $" + leaseParam + "::bigint / 1000.0)";
    }

    // Highest priority first, FIFO within a priority; SKIP LOCKED lets concurrent claimers pass
    // each other instead of queueing on the same rows, and no two can lock the same job.
    // The pick has exactly the shape of index jobs_claim, so that index serves it whatever the
    // statistics say; the TTL check sits outside it (an expired job at the head is passed over
    // and expired by JobRescuer within a second).
    private static final String CLAIM = "WITH picked AS ("
            + " SELECT id FROM queue.jobs"
            + " WHERE queue = $1 AND state = 'available'"
            + " ORDER BY priority, run_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)"
            + " UPDATE queue.jobs j SET " + claimedSet(3, 4)
            + " FROM picked WHERE j.id = picked.id AND j.expires_at > now()"
            + " RETURNING " + JobView.columns("j") + ", j.lease_token";

    // Limited queues: the caller holds the queue row lock, so running counts per fairness key are
    // exact here; keys already at their limit are passed over.
    private static final String LIMITED_CANDIDATES = """
            SELECT j.id, j.fairness_key, j.cost FROM queue.jobs j
            WHERE j.queue = $1 AND j.state = 'available'
              AND (j.fairness_key IS NULL OR $3::integer IS NULL
                   OR (SELECT count(*) FROM queue.jobs r
                       WHERE r.queue = $1 AND r.state = 'running' AND r.fairness_key = j.fairness_key) < $3)
            ORDER BY j.priority, j.run_at, j.id
            LIMIT $2
            FOR UPDATE OF j SKIP LOCKED""";

    private static final String RUNNING_BY_KEY = "SELECT fairness_key, count(*) AS n FROM queue.jobs"
            + " WHERE queue = $1 AND state = 'running' AND fairness_key = ANY($2::text[]) GROUP BY fairness_key";

    private static final String CLAIM_IDS = "UPDATE queue.jobs j SET " + claimedSet(2, 3)
            + " WHERE j.id = ANY($1::bigint[]) AND j.state = 'available' AND j.expires_at > now()"
            + " RETURNING " + JobView.columns("j") + ", j.lease_token";

    private static final String LOCK_QUEUE = "SELECT rate_per_second, cost_per_minute, fairness_limit, paused,"
            + " lease_ms, rate_tokens, cost_tokens, tokens_at, now() AS db_now"
            + " FROM queue.queues WHERE name = $1 FOR UPDATE";

    private static final String SAVE_TOKENS = "UPDATE queue.queues SET rate_tokens = $2, cost_tokens = $3, tokens_at = $4"
            + " WHERE name = $1";

    // Lease actions take a whole batch as parallel arrays in one statement; a job is changed only
    // while the given token is its current lease. A token exists only while its job is running
    // (every way out of running clears it), so the token alone says "running"; a state predicate
    // here would tempt the planner into scanning the partial index of running jobs instead of
    // looking ids up by primary key whenever statistics were taken with nothing running.
    private static final String RETURNING_LEASE = " RETURNING j.id, j.queue, j.state, j.lease_expires_at, j.run_at, j.attempted_at";

    private static final String HEARTBEAT = """
            UPDATE queue.jobs j SET lease_expires_at = clock_timestamp() + make_interval(secs => q.lease_ms / 1000.0)
            FROM unnest($1::bigint[], $2::uuid[]) AS l(id, token), queue.queues q
            WHERE j.id = l.id AND j.lease_token = l.token AND q.name = j.queue""" + RETURNING_LEASE;

    private static final String COMPLETE = """
            UPDATE queue.jobs j SET state = 'succeeded', result = l.result::jsonb, finished_at = clock_timestamp(),
                                    lease_token = NULL, lease_expires_at = NULL
            FROM unnest($1::bigint[], $2::uuid[], $3::text[]) AS l(id, token, result)
            WHERE j.id = l.id AND j.lease_token = l.token""" + RETURNING_LEASE;

    // Retry with exponential backoff and jitter (a delay between half and all of
    // min(max, base * 2^(attempt-1))), or dead when attempts are used up or the error is final.
    private static final String FAIL = """
            UPDATE queue.jobs j SET
                state = CASE WHEN l.retryable AND j.attempt < j.max_attempts THEN 'failed' ELSE 'dead' END,
                run_at = CASE WHEN l.retryable AND j.attempt < j.max_attempts
                              THEN clock_timestamp() + make_interval(secs =>
                                   least(q.backoff_max_ms::float8, q.backoff_base_ms * power(2::float8, least(j.attempt - 1, 60)))
                                   * (0.5 + random() / 2) / 1000.0)
                              ELSE j.run_at END,
                dead_reason = CASE WHEN l.retryable AND j.attempt < j.max_attempts THEN NULL
                                   WHEN l.retryable THEN 'max-attempts' ELSE 'non-retryable' END,
                finished_at = CASE WHEN l.retryable AND j.attempt < j.max_attempts THEN NULL ELSE clock_timestamp() END,
                errors = j.errors || jsonb_build_array(jsonb_build_object(
                             'attempt', j.attempt, 'at', clock_timestamp(), 'runner', j.runner_id, 'error', l.error)),
                lease_token = NULL, lease_expires_at = NULL
            FROM unnest($1::bigint[], $2::uuid[], $3::boolean[], $4::text[]) AS l(id, token, retryable, error),
                 queue.queues q
            WHERE j.id = l.id AND j.lease_token = l.token AND q.name = j.queue""" + RETURNING_LEASE;

    // Giving a job back (graceful shutdown) costs no attempt and keeps its place in line.
    private static final String RELEASE = """
            UPDATE queue.jobs j SET state = 'available', attempt = j.attempt - 1, runner_id = NULL,
                                    lease_token = NULL, lease_expires_at = NULL
            FROM unnest($1::bigint[], $2::uuid[]) AS l(id, token)
            WHERE j.id = l.id AND j.lease_token = l.token""" + RETURNING_LEASE;

    private static final String STATES = "SELECT id, state FROM queue.jobs WHERE id = ANY($1::bigint[])";

    /** The queue row of a limited queue, locked for the claim's transaction. */
    record LockedQueue(Double ratePerSecond, Long costPerMinute, Integer fairnessLimit, boolean paused, long leaseMs,
            double rateTokens, double costTokens, OffsetDateTime tokensAt, OffsetDateTime now) {
    }

    record Candidate(long id, String fairnessKey, int cost) {
    }

    /** One lease action's effect: the row it changed, or null where the lease was not current. */
    record LeaseRow(long id, String queue, String state, Instant leaseExpiresAt, Instant runAt,
            Instant attemptedAt) {
    }

    enum LeaseAction {
        HEARTBEAT(JobClaims.HEARTBEAT), COMPLETE(JobClaims.COMPLETE), FAIL(JobClaims.FAIL), RELEASE(JobClaims.RELEASE);

        final String sql;

        LeaseAction(String sql) {
            this.sql = sql;
        }
    }

    private final Pool pool;

    JobClaims(Pool pool) {
        this.pool = pool;
    }

    Uni<List<ClaimedJob>> claim(String queue, int max, String runnerId, long leaseMs) {
        return pool.preparedQuery(CLAIM).execute(Tuple.of(queue, max, runnerId, leaseMs)).map(JobClaims::claimed);
    }

    Uni<LockedQueue> lockQueue(SqlClient tx, String queue) {
        return tx.preparedQuery(LOCK_QUEUE).execute(Tuple.of(queue)).map(rows -> {
            var it = rows.iterator();
            if (!it.hasNext()) {
                return null;
            }
            Row r = it.next();
            return new LockedQueue(r.getDouble("rate_per_second"), r.getLong("cost_per_minute"),
                    r.getInteger("fairness_limit"), r.getBoolean("paused"), r.getLong("lease_ms"),
                    r.getDouble("rate_tokens"), r.getDouble("cost_tokens"), r.getOffsetDateTime("tokens_at"),
                    r.getOffsetDateTime("db_now"));
        });
    }

    Uni<List<Candidate>> candidates(SqlClient tx, String queue, int limit, Integer fairnessLimit) {
        return tx.preparedQuery(LIMITED_CANDIDATES).execute(Tuple.of(queue, limit, fairnessLimit))
                .map(rows -> rows.stream()
                        .map(r -> new Candidate(r.getLong("id"), r.getString("fairness_key"), r.getInteger("cost")))
                        .toList());
    }

    Uni<Map<String, Long>> runningByKey(SqlClient tx, String queue, List<String> keys) {
        if (keys.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return tx.preparedQuery(RUNNING_BY_KEY).execute(Tuple.of(queue, keys.toArray(String[]::new))).map(rows -> {
            Map<String, Long> counts = new HashMap<>();
            rows.forEach(r -> counts.put(r.getString("fairness_key"), r.getLong("n")));
            return counts;
        });
    }

    Uni<List<ClaimedJob>> claimIds(SqlClient tx, List<Long> ids, String runnerId, long leaseMs) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return tx.preparedQuery(CLAIM_IDS).execute(Tuple.of(ids.toArray(Long[]::new), runnerId, leaseMs))
                .map(JobClaims::claimed);
    }

    Uni<Void> saveTokens(SqlClient tx, String queue, double rateTokens, double costTokens, OffsetDateTime at) {
        return tx.preparedQuery(SAVE_TOKENS).execute(Tuple.of(queue, rateTokens, costTokens, at)).replaceWithVoid();
    }

    /**
     * Runs one lease action for a batch in one statement. {@code arrays} holds the statement's array
     * parameters (job ids first); the answer has one entry per id, null where the lease was not current.
     */
    Uni<List<LeaseRow>> apply(SqlClient tx, LeaseAction action, List<Long> ids, Tuple arrays) {
        return tx.preparedQuery(action.sql).execute(arrays).map(rows -> {
            Map<Long, LeaseRow> byId = new HashMap<>();
            rows.forEach(row -> byId.put(row.getLong("id"), leaseRow(row)));
            List<LeaseRow> aligned = new ArrayList<>(ids.size());
            ids.forEach(id -> aligned.add(byId.get(id)));
            return aligned;
        });
    }

    /** Current state of each job id that exists (to tell a lost lease from an unknown job). */
    Uni<Map<Long, String>> states(SqlClient client, List<Long> ids) {
        return client.preparedQuery(STATES).execute(Tuple.of(ids.toArray(Long[]::new))).map(rows -> {
            Map<Long, String> states = new HashMap<>();
            rows.forEach(r -> states.put(r.getLong("id"), r.getString("state")));
            return states;
        });
    }

    private static LeaseRow leaseRow(Row r) {
        return new LeaseRow(r.getLong("id"), r.getString("queue"), r.getString("state"),
                Timestamps.column(r, "lease_expires_at"), Timestamps.column(r, "run_at"), Timestamps.column(r, "attempted_at"));
    }


    private static List<ClaimedJob> claimed(RowSet<Row> rows) {
        List<ClaimedJob> jobs = new ArrayList<>(rows.rowCount());
        rows.forEach(r -> jobs.add(ClaimedJob.from(r)));
        // UPDATE ... RETURNING has no order; hand jobs out in the order they were picked.
        jobs.sort(Comparator.comparing(ClaimedJob::priority).thenComparing(ClaimedJob::runAt)
                .thenComparingLong(ClaimedJob::id));
        return jobs;
    }
}
