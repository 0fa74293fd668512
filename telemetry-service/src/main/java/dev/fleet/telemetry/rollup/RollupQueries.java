package dev.fleet.telemetry.rollup;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Singleton;

import dev.fleet.platform.time.Timestamps;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** SQL for {@code telemetry.rollups}: rolling raw samples up per minute, reading and pruning rollups. */
@Singleton
public class RollupQueries {

    // The minutes [$1, $2) from the raw samples (index on at), one row per feature, source and
    // minute, the percentiles from one ordered-set aggregate; a minute rolled again (late samples)
    // replaces its row, so rolling is idempotent and every replica may run it.
    private static final String ROLL = """
            INSERT INTO telemetry.rollups (feature, source, minute, count, errors, p50_ms, p95_ms, p99_ms, max_ms)
            SELECT feature, source, minute, count, errors, p[1], p[2], p[3], max_ms
            FROM (SELECT feature, source, date_trunc('minute', at) AS minute, count(*) AS count,
                         count(*) FILTER (WHERE outcome = 'error') AS errors,
                         percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY duration_ms) AS p,
                         max(duration_ms) AS max_ms
                  FROM telemetry.samples WHERE at >= $1 AND at < $2
                  GROUP BY 1, 2, 3) AS m
            ON CONFLICT (feature, source, minute) DO UPDATE SET count = excluded.count, errors = excluded.errors,
                p50_ms = excluded.p50_ms, p95_ms = excluded.p95_ms, p99_ms = excluded.p99_ms, max_ms = excluded.max_ms""";

    private static final String LIST = """
            SELECT feature, source, minute, count, errors, p50_ms, p95_ms, p99_ms, max_ms FROM telemetry.rollups""";

    // A long window's summary: per feature, counts summed and each percentile the count-weighted mean
    // of the minutes' (an approximation: percentiles do not add up), max the largest; from the
    // minute that holds $1.
    private static final String SUMMARY = """
            SELECT feature, sum(count)::bigint AS count, sum(errors)::bigint AS errors,
                   sum(p50_ms * count) / sum(count) AS p50, sum(p95_ms * count) / sum(count) AS p95,
                   sum(p99_ms * count) / sum(count) AS p99, max(max_ms) AS max
            FROM telemetry.rollups WHERE minute >= date_trunc('minute', $1::timestamptz)""";

    private static final String DELETE_BEFORE = """
            DELETE FROM telemetry.rollups WHERE ctid IN (
                SELECT ctid FROM telemetry.rollups WHERE minute < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)""";

    private final Pool pool;

    RollupQueries(Pool pool) {
        this.pool = pool;
    }

    /** Rolls up the samples of the minutes in [from, until); @return rows written. */
    Uni<Integer> rollUp(Instant from, Instant until) {
        return pool.preparedQuery(ROLL).execute(Tuple.of(Timestamps.param(from), Timestamps.param(until)))
                .map(rows -> rows.rowCount());
    }

    /** Rollups in [since, until) that match, oldest minute first, at most {@code limit}. */
    Uni<List<RollupView>> list(String feature, String source, Instant since, Instant until, int limit) {
        List<Object> args = new ArrayList<>();
        StringBuilder sql = new StringBuilder(LIST).append(" WHERE minute >= $1 AND minute < $2");
        args.add(Timestamps.param(since));
        args.add(Timestamps.param(until));
        matching(sql, args, feature, source);
        args.add(limit);
        sql.append(" ORDER BY minute, feature, source LIMIT $").append(args.size());
        return pool.preparedQuery(sql.toString()).execute(Tuple.from(args))
                .map(rows -> rows.stream().map(RollupQueries::view).toList());
    }

    /** Per feature, the rollups of the minutes from the one holding {@code since}, by feature name. */
    Uni<List<RollupSummary>> summarize(String feature, String source, Instant since) {
        List<Object> args = new ArrayList<>();
        StringBuilder sql = new StringBuilder(SUMMARY);
        args.add(Timestamps.param(since));
        matching(sql, args, feature, source);
        sql.append(" GROUP BY feature HAVING sum(count) > 0 ORDER BY feature");
        return pool.preparedQuery(sql.toString()).execute(Tuple.from(args))
                .map(rows -> rows.stream().map(r -> new RollupSummary(r.getString("feature"), r.getLong("count"),
                        r.getLong("errors"), r.getDouble("p50"), r.getDouble("p95"), r.getDouble("p99"),
                        r.getDouble("max"))).toList());
    }

    /** Deletes at most {@code batch} rollups of minutes before {@code cutoff}; @return how many. */
    Uni<Integer> deleteBefore(Instant cutoff, int batch) {
        return pool.preparedQuery(DELETE_BEFORE).execute(Tuple.of(Timestamps.param(cutoff), batch))
                .map(rows -> rows.rowCount());
    }

    private static RollupView view(Row row) {
        return new RollupView(row.getString("feature"), row.getString("source"), Timestamps.column(row, "minute"),
                row.getLong("count"), row.getLong("errors"), row.getDouble("p50_ms"), row.getDouble("p95_ms"),
                row.getDouble("p99_ms"), row.getDouble("max_ms"));
    }

    /** Adds the optional feature and source conditions (null: any) as the next parameters. */
    private static void matching(StringBuilder sql, List<Object> args, String feature, String source) {
        if (feature != null) {
            args.add(feature);
            sql.append(" AND feature = $").append(args.size());
        }
        if (source != null) {
            args.add(source);
            sql.append(" AND source = $").append(args.size());
        }
    }
}
