package dev.fleet.queue.job;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import jakarta.inject.Singleton;

import dev.fleet.queue.notify.ReplicaOrigin;
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
    }

    // One statement for the whole batch, its NOTIFY included, so an enqueue is a single round trip
    // and atomic even without an explicit transaction (the notification goes out when it commits).
    // The jobs arrive as parallel arrays and are inserted in their order (WITH ORDINALITY ... ORDER
    // BY), so ids increase in input order. Settings (TTL per priority class, max attempts) come from
    // the queue row. A job whose unique key is held by a live job (or by an earlier job of the same
    // batch) is not inserted and returns no row. The NOTIFY payload is QueuePublisher's
    // "available" event; the scalar sub-select makes PostgreSQL evaluate it once.
    private static final String ENQUEUE = """
            WITH inserted AS (
            INSERT INTO queue.jobs AS j (queue, kind, payload, priority, base_priority, state, run_at, expires_at,
                                         unique_key, fairness_key, cost, max_attempts)
            SELECT q.name, n.kind, n.payload::jsonb, n.priority, n.priority,
                   CASE WHEN due.at > now() THEN 'scheduled' ELSE 'available' END,
                   due.at,
                   due.at + make_interval(secs => (CASE WHEN n.priority <= 1 THEN q.ttl_urgent_ms
                                                        WHEN n.priority <= 4 THEN q.ttl_normal_ms
                                                        ELSE q.ttl_background_ms END) / 1000.0),
                   n.unique_key, n.fairness_key, n.cost, coalesce(n.max_attempts, q.max_attempts)
            FROM unnest($2::text[], $3::text[], $4::smallint[], $5::timestamptz[], $6::bigint[], $7::text[],
                        $8::text[], $9::integer[], $10::integer[])
                     WITH ORDINALITY AS n(kind, payload, priority, run_at, delay_ms, unique_key, fairness_key,
                                          cost, max_attempts, ord)
                 JOIN queue.queues q ON q.name = $1
                 CROSS JOIN LATERAL (SELECT greatest(coalesce(n.run_at, now()),
                                                     now() + make_interval(secs => coalesce(n.delay_ms, 0) / 1000.0)) AS at) due
            ORDER BY n.ord
            ON CONFLICT (queue, unique_key)
                WHERE unique_key IS NOT NULL AND state IN ('scheduled', 'available', 'running', 'failed')
                DO NOTHING
            RETURNING""" + " " + JobView.columns("j") + """
            ),
            announced AS (
                SELECT pg_notify('fleet_queue',
                                 json_build_object('event', 'available', 'queue', $1::text, 'count', count(*),
                                                   'origin', $11::text)::text)
                FROM inserted WHERE state = 'available' HAVING count(*) > 0)
            SELECT inserted.*, (SELECT count(*) FROM announced) AS announced FROM inserted""";

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
    private final ReplicaOrigin origin;

    JobQueries(Pool pool, ReplicaOrigin origin) {
        this.pool = pool;
        this.origin = origin;
    }

    /**
     * Inserts the jobs with one statement that also announces the available ones on
     * {@code fleet_queue} (marked with this replica's origin: the caller wakes its own claimers); the answer has one entry per job, in order, empty where a live job held
     * the unique key.
     */
    public Uni<List<Optional<JobView>>> insert(SqlClient client, String queue, List<NewJob> jobs) {
        int n = jobs.size();
        String[] kinds = new String[n];
        String[] payloads = new String[n];
        Short[] priorities = new Short[n];
        OffsetDateTime[] runAts = new OffsetDateTime[n];
        Long[] delays = new Long[n];
        String[] uniqueKeys = new String[n];
        String[] fairnessKeys = new String[n];
        Integer[] costs = new Integer[n];
        Integer[] maxAttempts = new Integer[n];
        for (int i = 0; i < n; i++) {
            NewJob job = jobs.get(i);
            kinds[i] = job.kind();
            payloads[i] = job.payloadJson();
            priorities[i] = (short) job.priority().level();
            runAts[i] = job.runAt();
            delays[i] = job.delayMs();
            uniqueKeys[i] = job.uniqueKey();
            fairnessKeys[i] = job.fairnessKey();
            costs[i] = job.cost();
            maxAttempts[i] = job.maxAttempts();
        }
        Tuple args = Tuple.from(new Object[] { queue, kinds, payloads, priorities, runAts, delays, uniqueKeys,
                fairnessKeys, costs, maxAttempts, origin.id() });
        return client.preparedQuery(ENQUEUE).execute(args).map(rows -> matchToInput(jobs, rows));
    }

    /**
     * Lines the inserted rows up with the input: they come in input order (ascending ids) minus the
     * jobs whose unique key was taken, and only jobs with a unique key can be missing.
     */
    private static List<Optional<JobView>> matchToInput(List<NewJob> jobs, RowSet<Row> rows) {
        List<JobView> inserted = new ArrayList<>(rows.rowCount());
        rows.forEach(row -> inserted.add(JobView.from(row)));
        inserted.sort(Comparator.comparingLong(JobView::id));
        List<Optional<JobView>> result = new ArrayList<>(jobs.size());
        int next = 0;
        for (NewJob job : jobs) {
            boolean match = next < inserted.size()
                    && Objects.equals(inserted.get(next).uniqueKey(), job.uniqueKey());
            result.add(match ? Optional.of(inserted.get(next++)) : Optional.empty());
        }
        return result;
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

    /** A queue's finished jobs after the keyset (finished_at, id), oldest first; uses index jobs_finished. */
    private static final String FINISHED_AFTER = "SELECT " + JobView.columns("j") + " FROM queue.jobs j"
            + " WHERE j.queue = $1 AND j.state IN ('succeeded', 'dead', 'cancelled') AND (j.finished_at, j.id) > ($2, $3)"
            + " ORDER BY j.finished_at, j.id LIMIT $4";

    private static final String DATABASE_NOW = "SELECT clock_timestamp() AS now";

    public Uni<List<JobView>> finishedAfter(String queue, java.time.Instant at, long id, int limit) {
        return pool.preparedQuery(FINISHED_AFTER).execute(Tuple.of(queue, OffsetDateTime.ofInstant(at, java.time.ZoneOffset.UTC),
                id, limit)).map(rows -> rows.stream().map(JobView::from).toList());
    }

    /** The database's clock: finished_at is stamped by it, so a stream's cursor starts from it. */
    public Uni<java.time.Instant> databaseNow() {
        return pool.preparedQuery(DATABASE_NOW).execute().map(rows -> rows.iterator().next()
                .getOffsetDateTime("now").toInstant());
    }

    public Uni<Optional<JobView>> cancel(SqlClient client, long id) {
        return client.preparedQuery(CANCEL).execute(Tuple.of(id)).map(JobQueries::first);
    }

    static Optional<JobView> first(RowSet<Row> rows) {
        var it = rows.iterator();
        return it.hasNext() ? Optional.of(JobView.from(it.next())) : Optional.empty();
    }
}
