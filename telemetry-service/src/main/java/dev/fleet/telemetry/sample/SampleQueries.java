package dev.fleet.telemetry.sample;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Singleton;

import dev.fleet.platform.time.Timestamps;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** SQL for {@code telemetry.samples}: the batch insert, listings, summaries and retention. */
@Singleton
public class SampleQueries {

    // One statement for the whole batch: the samples arrive as parallel arrays and unnest into
    // rows, so an ingest is one round trip, and atomic without an explicit transaction.
    private static final String INSERT = """
            INSERT INTO telemetry.samples (source, feature, duration_ms, outcome, at, attributes)
            SELECT n.source, n.feature, n.duration_ms, n.outcome, n.at, n.attributes::jsonb
            FROM unnest($1::text[], $2::text[], $3::float8[], $4::text[], $5::timestamptz[], $6::text[])
                     AS n(source, feature, duration_ms, outcome, at, attributes)""";

    private static final String LIST = "SELECT " + SampleView.COLUMNS + " FROM telemetry.samples";

    // The three percentiles come from one ordered-set aggregate call, so PostgreSQL sorts each
    // feature's durations once.
    private static final String SUMMARY = """
            SELECT feature, count(*) AS count, count(*) FILTER (WHERE outcome = 'error') AS errors,
                   percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY duration_ms) AS percentiles,
                   max(duration_ms) AS max
            FROM telemetry.samples""";

    // The oldest first, a batch at a time; SKIP LOCKED lets replicas that run retention at the
    // same moment share the work instead of waiting on each other.
    private static final String DELETE_BEFORE = """
            DELETE FROM telemetry.samples WHERE id IN (
                SELECT id FROM telemetry.samples WHERE at < $1 ORDER BY at LIMIT $2 FOR UPDATE SKIP LOCKED)""";

    private final Pool pool;

    SampleQueries(Pool pool) {
        this.pool = pool;
    }

    /** @return how many samples were stored */
    Uni<Integer> insert(SampleBatch batch) {
        Tuple args = Tuple.from(new Object[] { batch.sources, batch.features, batch.durations, batch.outcomes,
                batch.ats, batch.attributes });
        return pool.preparedQuery(INSERT).execute(args).map(rows -> rows.rowCount());
    }

    /** The newest {@code limit} samples that match, newest first. */
    Uni<List<SampleView>> list(SampleFilter filter, int limit) {
        List<Object> args = new ArrayList<>();
        String sql = LIST + where(filter, args) + " ORDER BY at DESC, id DESC LIMIT $" + (args.size() + 1);
        args.add(limit);
        return pool.preparedQuery(sql).execute(Tuple.from(args))
                .map(rows -> rows.stream().map(SampleView::from).toList());
    }

    /** Per feature that has matching samples, by feature name. */
    Uni<List<FeatureSummary>> summarize(SampleFilter filter) {
        List<Object> args = new ArrayList<>();
        String sql = SUMMARY + where(filter, args) + " GROUP BY feature ORDER BY feature";
        return pool.preparedQuery(sql).execute(Tuple.from(args))
                .map(rows -> rows.stream().map(SampleQueries::summary).toList());
    }

    /** Deletes at most {@code batch} samples whose {@code at} is before {@code cutoff}; @return how many. */
    public Uni<Integer> deleteBefore(Instant cutoff, int batch) {
        return pool.preparedQuery(DELETE_BEFORE).execute(Tuple.of(Timestamps.param(cutoff), batch))
                .map(rows -> rows.rowCount());
    }

    /**
     * Only the filters that are set become conditions: each combination is then its own statement
     * that PostgreSQL plans for its own index ((source, at), (feature, at) or (at)), where one
     * statement with "$1 IS NULL OR source = $1" could end up with a generic plan that uses none.
     */
    private static String where(SampleFilter filter, List<Object> args) {
        StringBuilder sql = new StringBuilder(" WHERE true");
        if (filter.source() != null) {
            args.add(filter.source());
            sql.append(" AND source = $").append(args.size());
        }
        if (filter.feature() != null) {
            args.add(filter.feature());
            sql.append(" AND feature = $").append(args.size());
        }
        if (filter.since() != null) {
            args.add(Timestamps.param(filter.since()));
            sql.append(" AND at >= $").append(args.size());
        }
        return sql.toString();
    }

    private static FeatureSummary summary(Row row) {
        Double[] percentiles = row.getArrayOfDoubles("percentiles");
        return new FeatureSummary(row.getString("feature"), row.getLong("count"), row.getLong("errors"),
                percentiles[0], percentiles[1], percentiles[2], row.getDouble("max"));
    }
}
