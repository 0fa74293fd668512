package dev.fleet.queue.job;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Singleton;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** SQL for enqueueing, reading, listing and cancelling jobs. */
@Singleton
public class JobQueries {

    /** A job's enqueue parameters, already validated and defaulted. */
    public record NewJob(String kind, String payloadJson, Priority priority, Long delayMs, OffsetDateTime runAt,
            String uniqueKey, String fairnessKey, int cost, Integer maxAttempts) {

        Tuple toTuple(String queue) {
            return Tuple.from(Arrays.asList(queue, kind, payloadJson, (short) priority.level(), runAt,
                    delayMs, uniqueKey, fairnessKey, cost, maxAttempts));
        }
    }

    // Settings (TTL per priority class, max attempts) come from the queue row in the same statement.
    // A live job with the same unique key makes this insert nothing; the caller then reads that job.
    private static final String ENQUEUE = """
            INSERT INTO queue.jobs AS j (queue, kind, payload, priority, base_priority, state, run_at, expires_at,
                                         unique_key, fairness_key, cost, max_attempts)
            SELECT q.name, $2::text, ($3::text)::jsonb, $4::smallint, $4::smallint,
                   CASE WHEN due.at > now() THEN 'scheduled' ELSE 'available' END,
                   due.at,
                   due.at + make_interval(secs => (CASE WHEN $4::smallint <= 1 THEN q.ttl_urgent_ms
                                                        WHEN $4::smallint <= 4 THEN q.ttl_normal_ms
                                                        ELSE q.ttl_background_ms END) / 1000.0),
                   $7::text, $8::text, $9::integer, coalesce($10::integer, q.max_attempts)
            FROM queue.queues q,
                 LATERAL (SELECT greatest(coalesce($5::timestamptz, now()),
                                          now() + make_interval(secs => coalesce($6::bigint, 0) / 1000.0)) AS at) due
            WHERE q.name = $1
            ON CONFLICT (queue, unique_key)
                WHERE unique_key IS NOT NULL AND state IN ('scheduled', 'available', 'running', 'failed')
                DO NOTHING
            RETURNING """ + " " + JobView.columns("j");

    private static final String FIND_LIVE_BY_UNIQUE_KEY = "SELECT " + JobView.columns("j") + " FROM queue.jobs j"
            + " WHERE j.queue = $1 AND j.unique_key = $2 AND j.state IN ('scheduled', 'available', 'running', 'failed')";

    private static final String FIND = "SELECT " + JobView.columns("j") + " FROM queue.jobs j WHERE j.id = $1";

    // Keyset pagination, newest first; every filter is optional.
    private static final String LIST = "SELECT " + JobView.columns("j") + " FROM queue.jobs j WHERE"
            + " ($1::text IS NULL OR j.queue = $1) AND ($2::text IS NULL OR j.state = $2)"
            + " AND ($3::smallint IS NULL OR j.priority = $3) AND ($4::text IS NULL OR j.kind = $4)"
            + " AND ($5::text IS NULL OR j.unique_key = $5) AND ($6::text IS NULL OR j.fairness_key = $6)"
            + " AND ($7::bigint IS NULL OR j.id < $7)"
            + " ORDER BY j.id DESC LIMIT $8";

    // A running job can be cancelled too: its runner's next heartbeat finds the lease gone.
    private static final String CANCEL = "UPDATE queue.jobs j SET state = 'cancelled', finished_at = clock_timestamp(),"
            + " lease_token = NULL, lease_expires_at = NULL"
            + " WHERE j.id = $1 AND j.state IN ('scheduled', 'available', 'running', 'failed')"
            + " RETURNING " + JobView.columns("j");

    private final Pool pool;

    JobQueries(Pool pool) {
        this.pool = pool;
    }

    /** Inserts the jobs in one pipelined batch; an empty Optional where a live job held the unique key. */
    public Uni<List<Optional<JobView>>> insert(SqlClient client, String queue, List<NewJob> jobs) {
        List<Tuple> rows = jobs.stream().map(job -> job.toTuple(queue)).toList();
        Uni<RowSet<Row>> result = rows.size() == 1
                ? client.preparedQuery(ENQUEUE).execute(rows.get(0))
                : client.preparedQuery(ENQUEUE).executeBatch(rows);
        return result.map(first -> {
            List<Optional<JobView>> inserted = new ArrayList<>(rows.size());
            for (RowSet<Row> set = first; set != null; set = set.next()) {
                var it = set.iterator();
                inserted.add(it.hasNext() ? Optional.of(JobView.from(it.next())) : Optional.empty());
            }
            return inserted;
        });
    }

    public Uni<Optional<JobView>> findLiveByUniqueKey(SqlClient client, String queue, String uniqueKey) {
        return client.preparedQuery(FIND_LIVE_BY_UNIQUE_KEY).execute(Tuple.of(queue, uniqueKey)).map(JobQueries::first);
    }

    public Uni<Optional<JobView>> find(long id) {
        return pool.preparedQuery(FIND).execute(Tuple.of(id)).map(JobQueries::first);
    }

    public Uni<List<JobView>> list(JobFilter filter, Long cursor, int limit) {
        Tuple args = Tuple.from(Arrays.asList(filter.queue(),
                filter.state() == null ? null : filter.state().name(),
                filter.priority() == null ? null : (short) filter.priority().level(),
                filter.kind(), filter.uniqueKey(), filter.fairnessKey(), cursor, limit));
        return pool.preparedQuery(LIST).execute(args).map(rows -> rows.stream().map(JobView::from).toList());
    }

    public Uni<Optional<JobView>> cancel(SqlClient client, long id) {
        return client.preparedQuery(CANCEL).execute(Tuple.of(id)).map(JobQueries::first);
    }

    static Optional<JobView> first(RowSet<Row> rows) {
        var it = rows.iterator();
        return it.hasNext() ? Optional.of(JobView.from(it.next())) : Optional.empty();
    }
}
