package dev.fleet.queue.deadletter;

import java.util.Arrays;
import java.util.Optional;

import jakarta.inject.Singleton;

import dev.fleet.queue.job.JobView;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** SQL for replaying and purging dead jobs. */
@Singleton
public class DeadLetterQueries {

    // A replayed job starts over: fresh attempts, its original priority, a new TTL from now.
    private static final String FRESH_START = "state = 'available', attempt = 0, priority = j.base_priority,"
            + " aged_at = NULL, run_at = now(), dead_reason = NULL, finished_at = NULL, runner_id = NULL, result = NULL,"
            + " expires_at = now() + make_interval(secs => (CASE WHEN j.base_priority <= 1 THEN q.ttl_urgent_ms"
            + " WHEN j.base_priority <= 4 THEN q.ttl_normal_ms ELSE q.ttl_background_ms END) / 1000.0)";

    private static final String REPLAY_ONE = "UPDATE queue.jobs j SET " + FRESH_START
            + " FROM queue.queues q WHERE j.id = $1 AND j.state = 'dead' AND q.name = j.queue"
            + " RETURNING " + JobView.columns("j");

    private static final String MATCHES = "j.state = 'dead' AND ($1::text IS NULL OR j.queue = $1)"
            + " AND ($2::text IS NULL OR j.kind = $2) AND ($3::text IS NULL OR j.dead_reason = $3)";

    // One job per unique key (the newest), and none whose key is live again: the replay must not
    // break the one-live-job-per-key rule. DISTINCT ON cannot lock rows, hence the second step.
    private static final String REPLAY_MATCHING = """
            WITH chosen AS (
                SELECT DISTINCT ON (j.queue, coalesce(j.unique_key, j.id::text)) j.id FROM queue.jobs j
                WHERE\s""" + MATCHES + """

                  AND (j.unique_key IS NULL OR NOT EXISTS (
                      SELECT 1 FROM queue.jobs l WHERE l.queue = j.queue AND l.unique_key = j.unique_key
                        AND l.state IN ('scheduled', 'available', 'running', 'failed')))
                ORDER BY j.queue, coalesce(j.unique_key, j.id::text), j.id DESC
                LIMIT $4),
            locked AS (SELECT id FROM queue.jobs WHERE id IN (SELECT id FROM chosen) FOR UPDATE SKIP LOCKED)
            UPDATE queue.jobs j SET\s""" + FRESH_START + """

            FROM queue.queues q, locked WHERE j.id = locked.id AND j.state = 'dead' AND q.name = j.queue
            RETURNING j.queue""";

    private static final String PURGE_MATCHING = "DELETE FROM queue.jobs WHERE id IN ("
            + "SELECT j.id FROM queue.jobs j WHERE " + MATCHES + " LIMIT $4 FOR UPDATE SKIP LOCKED)";

    public Uni<Optional<JobView>> replayOne(SqlClient tx, long id) {
        return tx.preparedQuery(REPLAY_ONE).execute(Tuple.of(id)).map(rows -> {
            var it = rows.iterator();
            return it.hasNext() ? Optional.of(JobView.from(it.next())) : Optional.empty();
        });
    }

    public Uni<RowSet<Row>> replayMatching(SqlClient tx, DeadLetterFilter filter, int limit) {
        return tx.preparedQuery(REPLAY_MATCHING).execute(args(filter, limit));
    }

    public Uni<Integer> purgeMatching(SqlClient client, DeadLetterFilter filter, int limit) {
        return client.preparedQuery(PURGE_MATCHING).execute(args(filter, limit)).map(RowSet::rowCount);
    }

    private static Tuple args(DeadLetterFilter filter, int limit) {
        return Tuple.from(Arrays.asList(filter.queue(), filter.kind(), filter.reason(), limit));
    }
}
