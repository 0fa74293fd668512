package dev.fleet.queue.queue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.inject.Singleton;

import dev.fleet.queue.config.QueueConfig;
import dev.fleet.queue.job.JobState;
import dev.fleet.queue.job.Priority;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** SQL for {@code queue.queues} and the per-queue stats read from the live slice of {@code queue.jobs}. */
@Singleton
public class QueueQueries {

    // Created on first use with the configured defaults; a concurrent creator simply wins.
    private static final String CREATE_IF_MISSING = """
            INSERT INTO queue.queues (name, max_attempts, backoff_base_ms, backoff_max_ms, lease_ms,
                                      ttl_urgent_ms, ttl_normal_ms, ttl_background_ms)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (name) DO NOTHING""";

    private static final String UPSERT = """
            INSERT INTO queue.queues (name, paused, max_attempts, backoff_base_ms, backoff_max_ms, lease_ms,
                                      ttl_urgent_ms, ttl_normal_ms, ttl_background_ms,
                                      rate_per_second, cost_per_minute, fairness_limit)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            ON CONFLICT (name) DO UPDATE SET
                paused = excluded.paused, max_attempts = excluded.max_attempts,
                backoff_base_ms = excluded.backoff_base_ms, backoff_max_ms = excluded.backoff_max_ms,
                lease_ms = excluded.lease_ms, ttl_urgent_ms = excluded.ttl_urgent_ms,
                ttl_normal_ms = excluded.ttl_normal_ms, ttl_background_ms = excluded.ttl_background_ms,
                rate_per_second = excluded.rate_per_second, cost_per_minute = excluded.cost_per_minute,
                fairness_limit = excluded.fairness_limit, updated_at = now()
            RETURNING """ + " " + QueueSettings.COLUMNS;

    private static final String FIND = "SELECT " + QueueSettings.COLUMNS + " FROM queue.queues WHERE name = $1";
    private static final String LOCK = FIND + " FOR UPDATE";
    private static final String LIST = "SELECT " + QueueSettings.COLUMNS + " FROM queue.queues ORDER BY name";
    private static final String SET_PAUSED = "UPDATE queue.queues SET paused = $2, updated_at = now() WHERE name = $1"
            + " RETURNING " + QueueSettings.COLUMNS;

    // Stats touch only partial indexes over live or recently finished rows (one per state group).
    private static final String LIVE_DEPTH = """
            SELECT queue, 'available' AS state, priority, count(*) AS n FROM queue.jobs
            WHERE state = 'available' AND ($1::text IS NULL OR queue = $1) GROUP BY queue, priority
            UNION ALL
            SELECT queue, state, priority, count(*) FROM queue.jobs
            WHERE state IN ('scheduled', 'failed') AND ($1::text IS NULL OR queue = $1) GROUP BY queue, state, priority
            UNION ALL
            SELECT queue, 'running', priority, count(*) FROM queue.jobs
            WHERE state = 'running' AND ($1::text IS NULL OR queue = $1) GROUP BY queue, priority""";
    private static final String OLDEST_AVAILABLE = """
            SELECT queue, (extract(epoch FROM now() - min(run_at)) * 1000)::bigint AS age_ms FROM queue.jobs
            WHERE state = 'available' AND ($1::text IS NULL OR queue = $1) GROUP BY queue""";
    private static final String RUNNING_BY_RUNNER = """
            SELECT queue, runner_id, count(*) AS n FROM queue.jobs
            WHERE state = 'running' AND ($1::text IS NULL OR queue = $1) GROUP BY queue, runner_id""";
    private static final String FINISHED_LAST_MINUTE = """
            SELECT queue, state, count(*) AS n FROM queue.jobs
            WHERE state IN ('succeeded', 'cancelled', 'dead') AND finished_at > now() - interval '1 minute'
              AND ($1::text IS NULL OR queue = $1)
            GROUP BY queue, state""";

    private final Pool pool;
    private final QueueConfig config;

    QueueQueries(Pool pool, QueueConfig config) {
        this.pool = pool;
        this.config = config;
    }

    public Uni<Void> createIfMissing(SqlClient client, String name) {
        return client.preparedQuery(CREATE_IF_MISSING).execute(Tuple.from(List.of(name,
                config.defaultMaxAttempts(), config.defaultBackoffBase().toMillis(), config.defaultBackoffMax().toMillis(),
                config.defaultLease().toMillis(), config.defaultTtlUrgent().toMillis(),
                config.defaultTtlNormal().toMillis(), config.defaultTtlBackground().toMillis())))
                .replaceWithVoid();
    }

    public Uni<Optional<QueueSettings>> find(String name) {
        return pool.preparedQuery(FIND).execute(Tuple.of(name)).map(QueueQueries::first);
    }

    /** The queue's settings, its row locked until the transaction ends (empty, and nothing locked, if it is new). */
    public Uni<Optional<QueueSettings>> lock(SqlClient tx, String name) {
        return tx.preparedQuery(LOCK).execute(Tuple.of(name)).map(QueueQueries::first);
    }

    public Uni<List<QueueSettings>> list() {
        return pool.query(LIST).execute().map(rows -> rows.stream().map(QueueSettings::from).toList());
    }

    public Uni<QueueSettings> upsert(SqlClient client, QueueSettings s) {
        Tuple args = Tuple.tuple();
        args.addString(s.name()).addBoolean(s.paused()).addInteger(s.maxAttempts())
                .addLong(s.backoffBaseMs()).addLong(s.backoffMaxMs()).addLong(s.leaseMs())
                .addLong(s.ttlUrgentMs()).addLong(s.ttlNormalMs()).addLong(s.ttlBackgroundMs())
                .addDouble(s.ratePerSecond()).addLong(s.costPerMinute()).addInteger(s.fairnessLimit());
        return client.preparedQuery(UPSERT).execute(args).map(rows -> first(rows).orElseThrow());
    }

    public Uni<Optional<QueueSettings>> setPaused(SqlClient client, String name, boolean paused) {
        return client.preparedQuery(SET_PAUSED).execute(Tuple.of(name, paused)).map(QueueQueries::first);
    }

    /** Stats of one queue, or of every queue with live or recently finished jobs when {@code name} is null. */
    public Uni<Map<String, QueueStats>> stats(String name) {
        Tuple args = Tuple.of(name);
        return Uni.combine().all().unis(
                pool.preparedQuery(LIVE_DEPTH).execute(args),
                pool.preparedQuery(OLDEST_AVAILABLE).execute(args),
                pool.preparedQuery(RUNNING_BY_RUNNER).execute(args),
                pool.preparedQuery(FINISHED_LAST_MINUTE).execute(args))
                .with((depth, oldest, runners, finished) -> {
                    Map<String, StatsBuilder> builders = new TreeMap<>();
                    for (Row row : depth) {
                        StatsBuilder b = builders.computeIfAbsent(row.getString("queue"), q -> new StatsBuilder());
                        b.depth.merge(row.getString("state"), row.getLong("n"), Long::sum);
                        if (JobState.available.name().equals(row.getString("state"))) {
                            b.availableByPriority.merge(Priority.of(row.getShort("priority")).name(), row.getLong("n"), Long::sum);
                        }
                    }
                    for (Row row : oldest) {
                        builders.computeIfAbsent(row.getString("queue"), q -> new StatsBuilder()).oldestMs = row.getLong("age_ms");
                    }
                    for (Row row : runners) {
                        builders.computeIfAbsent(row.getString("queue"), q -> new StatsBuilder())
                                .running.put(String.valueOf(row.getString("runner_id")), row.getLong("n"));
                    }
                    for (Row row : finished) {
                        builders.computeIfAbsent(row.getString("queue"), q -> new StatsBuilder())
                                .finished.put(row.getString("state"), row.getLong("n"));
                    }
                    Map<String, QueueStats> stats = new LinkedHashMap<>();
                    builders.forEach((queue, b) -> stats.put(queue, b.build()));
                    return stats;
                });
    }

    /** Stats with every live state and priority present (zeros included), so clients need no defaults. */
    public static QueueStats emptyStats() {
        return new StatsBuilder().build();
    }

    private static Optional<QueueSettings> first(RowSet<Row> rows) {
        var it = rows.iterator();
        return it.hasNext() ? Optional.of(QueueSettings.from(it.next())) : Optional.empty();
    }

    private static final class StatsBuilder {
        final Map<String, Long> depth = new LinkedHashMap<>();
        final Map<String, Long> availableByPriority = new LinkedHashMap<>();
        final Map<String, Long> running = new TreeMap<>();
        final Map<String, Long> finished = new HashMap<>();
        long oldestMs;

        StatsBuilder() {
            for (String state : List.of("scheduled", "available", "running", "failed")) {
                depth.put(state, 0L);
            }
            for (Priority p : Priority.values()) {
                availableByPriority.put(p.name(), 0L);
            }
            for (String state : List.of("succeeded", "dead", "cancelled")) {
                finished.put(state, 0L);
            }
        }

        QueueStats build() {
            return new QueueStats(depth, availableByPriority, oldestMs, running, new TreeMap<>(finished));
        }
    }
}
