package dev.fleet.telemetry.finding;

import java.time.Instant;
import java.util.List;

import jakarta.inject.Singleton;

import dev.fleet.platform.time.Timestamps;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** SQL for {@code telemetry.findings}, and the indicators read from {@code telemetry.samples}. */
@Singleton
public class FindingQueries {

    // Per feature with enough samples in the window: p95 duration and error share.
    private static final String INDICATORS = """
            SELECT feature, count(*) AS n, (count(*) FILTER (WHERE outcome = 'error'))::float8 / count(*) AS error_rate,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95
            FROM telemetry.samples WHERE at > $1 AND at <= $2
            GROUP BY feature HAVING count(*) >= $3""";

    // What this evaluation sees: new ones open, open ones take the new severity and value.
    private static final String UPSERT = """
            INSERT INTO telemetry.findings (kind, name, subject, severity, value, threshold, remediation, opened_at, last_seen_at)
            SELECT f.kind, f.name, f.subject, f.severity, f.value, f.threshold, f.remediation, $8, $8
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::text[])
                     AS f(kind, name, subject, severity, value, threshold, remediation)
            ON CONFLICT (name, subject) WHERE resolved_at IS NULL DO UPDATE SET severity = excluded.severity,
                value = excluded.value, threshold = excluded.threshold, last_seen_at = excluded.last_seen_at""";

    // Open findings this evaluation did not see again are resolved.
    private static final String RESOLVE = """
            UPDATE telemetry.findings SET resolved_at = $1 WHERE resolved_at IS NULL AND last_seen_at < $1""";

    private static final String COLUMNS = "id, kind, name, subject, severity, value, threshold, remediation,"
            + " opened_at, last_seen_at, resolved_at FROM telemetry.findings";
    private static final String OPEN = "SELECT " + COLUMNS + " WHERE resolved_at IS NULL ORDER BY opened_at DESC, id DESC LIMIT $1";
    private static final String RESOLVED = "SELECT " + COLUMNS
            + " WHERE resolved_at IS NOT NULL ORDER BY resolved_at DESC, id DESC LIMIT $1";

    /** One feature's indicators over the window. */
    record FeatureIndicators(String feature, long samples, double errorRate, double p95Ms) {
    }

    private final Pool pool;

    FindingQueries(Pool pool) {
        this.pool = pool;
    }

    Uni<List<FeatureIndicators>> featureIndicators(Instant from, Instant to, int minSamples) {
        return pool.preparedQuery(INDICATORS)
                .execute(Tuple.of(Timestamps.param(from), Timestamps.param(to), minSamples))
                .map(rows -> rows.stream().map(r -> new FeatureIndicators(r.getString("feature"), r.getLong("n"),
                        r.getDouble("error_rate"), r.getDouble("p95"))).toList());
    }

    /** Records what one evaluation at {@code now} found, in one transaction; @return findings resolved. */
    Uni<Integer> record(List<Finding> found, Instant now) {
        int n = found.size();
        String[] kinds = new String[n], names = new String[n], subjects = new String[n], severities = new String[n],
                remediations = new String[n];
        Double[] values = new Double[n], thresholds = new Double[n];
        for (int i = 0; i < n; i++) {
            Finding f = found.get(i);
            kinds[i] = f.kind();
            names[i] = f.name();
            subjects[i] = f.subject();
            severities[i] = f.severity();
            values[i] = f.value();
            thresholds[i] = f.threshold();
            remediations[i] = f.remediation();
        }
        Tuple upsert = Tuple.from(new Object[] { kinds, names, subjects, severities, values, thresholds, remediations,
                Timestamps.param(now) });
        return pool.withTransaction(c -> c.preparedQuery(UPSERT).execute(upsert)
                .chain(() -> c.preparedQuery(RESOLVE).execute(Tuple.of(Timestamps.param(now))))
                .map(rows -> rows.rowCount()));
    }

    Uni<List<FindingView>> list(boolean open, int limit) {
        return pool.preparedQuery(open ? OPEN : RESOLVED).execute(Tuple.of(limit))
                .map(rows -> rows.stream().map(FindingQueries::view).toList());
    }

    private static FindingView view(Row r) {
        Instant resolved = Timestamps.column(r, "resolved_at");
        return new FindingView(r.getLong("id"), r.getString("kind"), r.getString("name"), r.getString("subject"),
                r.getString("severity"), r.getDouble("value"), r.getDouble("threshold"), r.getString("remediation"),
                resolved == null ? "open" : "resolved", Timestamps.column(r, "opened_at"),
                Timestamps.column(r, "last_seen_at"), resolved);
    }
}
