package dev.fleet.scaler.input;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Singleton;

import dev.fleet.platform.time.Timestamps;
import dev.fleet.scaler.policy.Sample;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/** The {@code scaler.samples} table: one value per pool, metric and sample interval, for forecasts. */
@Singleton
public class SampleStore {

    /** One sample to store. */
    public record Row(String pool, String metric, Instant at, double value) {
    }

    private final Pool db;

    SampleStore(Pool db) {
        this.db = db;
    }

    /** Stores a round's samples in one statement. */
    public Uni<Void> add(List<Row> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return db.preparedQuery("""
                INSERT INTO scaler.samples (pool, metric, at, value)
                SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::float8[])
                ON CONFLICT DO NOTHING""")
                .execute(Tuple.of(rows.stream().map(Row::pool).toArray(String[]::new),
                        rows.stream().map(Row::metric).toArray(String[]::new),
                        rows.stream().map(r -> Timestamps.param(r.at())).toArray(java.time.OffsetDateTime[]::new),
                        rows.stream().map(Row::value).toArray(Double[]::new)))
                .replaceWithVoid();
    }

    /** A pool's samples of one metric since {@code since}, oldest first. */
    public Uni<List<Sample>> history(String pool, String metric, Instant since) {
        return db.preparedQuery("SELECT at, value FROM scaler.samples WHERE pool = $1 AND metric = $2 AND at >= $3"
                        + " ORDER BY at")
                .execute(Tuple.of(pool, metric, Timestamps.param(since)))
                .map(rows -> {
                    List<Sample> samples = new ArrayList<>();
                    rows.forEach(row -> samples.add(new Sample(Timestamps.column(row, "at"), row.getDouble("value"))));
                    return samples;
                });
    }

    /** Deletes samples older than {@code before}, at most {@code batch}; returns how many. */
    public Uni<Integer> prune(Instant before, int batch) {
        return db.preparedQuery("DELETE FROM scaler.samples WHERE ctid IN (SELECT ctid FROM scaler.samples"
                + " WHERE at < $1 LIMIT $2)").execute(Tuple.of(Timestamps.param(before), batch)).map(RowSet::rowCount);
    }
}
