package dev.fleet.queue.periodic;

import java.time.Instant;
import java.time.ZoneOffset;
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

/**
 * SQL for {@code queue.periodic_jobs}. The schedule's arithmetic (cron, time zones) happens in
 * Java, so the enqueuer reads every enabled definition each pass: cheap for the hundreds of
 * definitions a fleet has, and it keeps cron evaluation in one library instead of two.
 */
@Singleton
public class PeriodicJobQueries {

    /** Enabled definitions and the database's clock, which every replica shares. */
    record Snapshot(Instant now, List<StoredPeriodicJob> jobs) {
    }

    // Create or replace. A change of cron or time zone, or enabling a disabled definition, restarts
    // the schedule from now (ticks_after): ticks of an old schedule or of a pause are never due.
    // Replacing with identical values changes nothing (no updated_at bump), so every replica can
    // upsert the configured definitions at start without disturbing an enqueuer's compare-and-set.
    private static final String UPSERT = """
            INSERT INTO queue.periodic_jobs AS p (name, queue, kind, payload, priority, cron, time_zone,
                                                  missed_policy, enabled)
            VALUES ($1, $2, $3, ($4::text)::jsonb, $5::smallint, $6, $7, $8, $9)
            ON CONFLICT (name) DO UPDATE SET
                queue = excluded.queue, kind = excluded.kind, payload = excluded.payload,
                priority = excluded.priority, cron = excluded.cron, time_zone = excluded.time_zone,
                missed_policy = excluded.missed_policy, enabled = excluded.enabled,
                ticks_after = CASE WHEN (p.cron, p.time_zone) IS DISTINCT FROM (excluded.cron, excluded.time_zone)
                                     OR (excluded.enabled AND NOT p.enabled)
                                   THEN now() ELSE p.ticks_after END,
                updated_at = now()
            WHERE (p.queue, p.kind, p.payload, p.priority, p.cron, p.time_zone, p.missed_policy, p.enabled)
                  IS DISTINCT FROM (excluded.queue, excluded.kind, excluded.payload, excluded.priority,
                                    excluded.cron, excluded.time_zone, excluded.missed_policy, excluded.enabled)
            RETURNING """ + " " + StoredPeriodicJob.COLUMNS;

    private static final String FIND = "SELECT " + StoredPeriodicJob.COLUMNS + " FROM queue.periodic_jobs WHERE name = $1";
    private static final String LIST = "SELECT " + StoredPeriodicJob.COLUMNS + " FROM queue.periodic_jobs ORDER BY name";
    private static final String DELETE = "DELETE FROM queue.periodic_jobs WHERE name = $1";

    // now() rides along so that "due" is judged by one clock however skewed the replicas' clocks are.
    private static final String ENABLED = "SELECT now() AS db_now, " + StoredPeriodicJob.COLUMNS
            + " FROM queue.periodic_jobs WHERE enabled ORDER BY name";

    // The compare-and-set that makes a tick fire once cluster-wide. Replicas that computed the same
    // tick all try it; the first takes the row lock, the others wait, then (READ COMMITTED re-checks
    // the WHERE on the new row version) match nothing. updated_at guards against acting on a
    // definition that was replaced or disabled since it was read: the next pass sees the new one.
    private static final String ADVANCE = """
            UPDATE queue.periodic_jobs SET last_tick_at = $2
            WHERE name = $1 AND enabled AND last_tick_at IS NOT DISTINCT FROM $3::timestamptz AND updated_at = $4""";

    private final Pool pool;

    PeriodicJobQueries(Pool pool) {
        this.pool = pool;
    }

    /** @return the stored definition, or empty when the upsert changed nothing (read it with {@link #find}) */
    Uni<Optional<StoredPeriodicJob>> upsert(SqlClient client, PeriodicJob job) {
        Tuple args = Tuple.from(Arrays.asList(job.name(), job.queue(), job.kind(), job.payloadJson(),
                (short) job.priority().level(), job.cron(), job.timeZone(), job.missedPolicy().value(), job.enabled()));
        return client.preparedQuery(UPSERT).execute(args).map(PeriodicJobQueries::first);
    }

    Uni<Optional<StoredPeriodicJob>> find(SqlClient client, String name) {
        return client.preparedQuery(FIND).execute(Tuple.of(name)).map(PeriodicJobQueries::first);
    }

    Uni<List<StoredPeriodicJob>> list() {
        return pool.query(LIST).execute().map(rows -> rows.stream().map(StoredPeriodicJob::from).toList());
    }

    /** @return whether a definition was deleted */
    Uni<Boolean> delete(String name) {
        return pool.preparedQuery(DELETE).execute(Tuple.of(name)).map(rows -> rows.rowCount() == 1);
    }

    Uni<Snapshot> enabled() {
        return pool.query(ENABLED).execute().map(rows -> {
            Instant now = Instant.now();
            List<StoredPeriodicJob> jobs = new ArrayList<>(rows.size());
            for (Row row : rows) {
                now = row.getOffsetDateTime("db_now").toInstant();
                jobs.add(StoredPeriodicJob.from(row));
            }
            return new Snapshot(now, jobs);
        });
    }

    /** @return whether this caller moved the schedule from {@code job}'s position to {@code tick} */
    Uni<Boolean> advance(SqlClient client, StoredPeriodicJob job, Instant tick) {
        Tuple args = Tuple.from(Arrays.asList(job.definition().name(), tick.atOffset(ZoneOffset.UTC),
                job.lastTickAt(), job.updatedAt()));
        return client.preparedQuery(ADVANCE).execute(args).map(rows -> rows.rowCount() == 1);
    }

    private static Optional<StoredPeriodicJob> first(RowSet<Row> rows) {
        var it = rows.iterator();
        return it.hasNext() ? Optional.of(StoredPeriodicJob.from(it.next())) : Optional.empty();
    }
}
