package dev.fleet.telemetry.finding;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

    // Per source (a runner's samples carry its id as source): counts, summed per pool in Java.
    private static final String SOURCE_COUNTS = """
            SELECT source, count(*) AS n, count(*) FILTER (WHERE outcome = 'error') AS errors
            FROM telemetry.samples WHERE at > $1 AND at <= $2 GROUP BY source""";

    // Per queue: p95 of the job samples' waitMs (fleet-runner's attribute). Attributes are free JSON:
    // only numbers count, clamped before the cast so no value can overflow float8.
    private static final String JOB_WAITS = """
            SELECT attributes->>'queue' AS queue,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY least((attributes->>'waitMs')::numeric, 1e15)::float8) AS p95
            FROM telemetry.samples WHERE at > $1 AND at <= $2 AND feature LIKE 'job.%'
              AND jsonb_typeof(attributes->'waitMs') = 'number' AND jsonb_typeof(attributes->'queue') = 'string'
            GROUP BY 1 HAVING count(*) >= $3""";

    // What this evaluation sees: new ones open, open ones take the new severity, value and detail.
    private static final String UPSERT = """
            INSERT INTO telemetry.findings (kind, name, subject, severity, value, threshold, remediation, detail,
                                            opened_at, last_seen_at)
            SELECT f.kind, f.name, f.subject, f.severity, f.value, f.threshold, f.remediation, f.detail, $9, $9
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::text[], $8::text[])
                     AS f(kind, name, subject, severity, value, threshold, remediation, detail)
            ON CONFLICT (name, subject) WHERE resolved_at IS NULL DO UPDATE SET severity = excluded.severity,
                value = excluded.value, threshold = excluded.threshold, detail = excluded.detail,
                last_seen_at = excluded.last_seen_at""";

    // Open findings this evaluation did not see again are resolved, except those of an input it could
    // not read ($2: names) and those it must leave as they are ($3, $4: pending a hold, over the cap).
    private static final String RESOLVE = """
            UPDATE telemetry.findings f SET resolved_at = $1
            WHERE f.resolved_at IS NULL AND f.last_seen_at < $1 AND f.name <> ALL($2::text[])
              AND NOT EXISTS (SELECT 1 FROM unnest($3::text[], $4::text[]) AS k(name, subject)
                              WHERE k.name = f.name AND k.subject = f.subject)""";

    private static final String COLUMNS = "id, kind, name, subject, severity, value, threshold, remediation, detail,"
            + " opened_at, last_seen_at, resolved_at FROM telemetry.findings";
    private static final String OPEN = "SELECT " + COLUMNS + " WHERE resolved_at IS NULL AND ($2::text IS NULL OR kind = $2)"
            + " ORDER BY opened_at DESC, id DESC LIMIT $1";
    private static final String RESOLVED = "SELECT " + COLUMNS
            + " WHERE resolved_at IS NOT NULL AND ($2::text IS NULL OR kind = $2) ORDER BY resolved_at DESC, id DESC LIMIT $1";

    /** One feature's indicators over the window. */
    record FeatureIndicators(String feature, long samples, double errorRate, double p95Ms) {
    }

    /** One source's samples in the window. */
    record SourceCounts(long samples, long errors) {
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

    Uni<Map<String, SourceCounts>> sourceCounts(Instant from, Instant to) {
        return pool.preparedQuery(SOURCE_COUNTS).execute(Tuple.of(Timestamps.param(from), Timestamps.param(to)))
                .map(rows -> {
                    Map<String, SourceCounts> counts = new HashMap<>();
                    rows.forEach(r -> counts.put(r.getString("source"),
                            new SourceCounts(r.getLong("n"), r.getLong("errors"))));
                    return counts;
                });
    }

    /** p95 job wait (ms) per queue with at least {@code minSamples} job samples in the window. */
    Uni<Map<String, Double>> jobWaits(Instant from, Instant to, int minSamples) {
        return pool.preparedQuery(JOB_WAITS)
                .execute(Tuple.of(Timestamps.param(from), Timestamps.param(to), minSamples))
                .map(rows -> {
                    Map<String, Double> waits = new HashMap<>();
                    rows.forEach(r -> waits.put(r.getString("queue"), r.getDouble("p95")));
                    return waits;
                });
    }

    /** Records what one evaluation at {@code now} found, in one transaction; @return findings resolved. */
    Uni<Integer> record(Evaluation evaluation, Instant now) {
        List<Finding> found = evaluation.found();
        int n = found.size();
        String[] kinds = new String[n], names = new String[n], subjects = new String[n], severities = new String[n],
                remediations = new String[n], details = new String[n];
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
            details[i] = f.detail();
        }
        Tuple upsert = Tuple.from(new Object[] { kinds, names, subjects, severities, values, thresholds, remediations,
                details, Timestamps.param(now) });
        List<Evaluation.Key> kept = evaluation.kept();
        Tuple resolve = Tuple.from(new Object[] { Timestamps.param(now), evaluation.unread().toArray(String[]::new),
                kept.stream().map(Evaluation.Key::name).toArray(String[]::new),
                kept.stream().map(Evaluation.Key::subject).toArray(String[]::new) });
        return pool.withTransaction(c -> c.preparedQuery(UPSERT).execute(upsert)
                .chain(() -> c.preparedQuery(RESOLVE).execute(resolve))
                .map(rows -> rows.rowCount()));
    }

    /** Open or resolved findings, of one kind or all ({@code kind} null), newest first. */
    Uni<List<FindingView>> list(boolean open, String kind, int limit) {
        return pool.preparedQuery(open ? OPEN : RESOLVED).execute(Tuple.tuple().addInteger(limit).addString(kind))
                .map(rows -> rows.stream().map(FindingQueries::view).toList());
    }

    private static FindingView view(Row r) {
        Instant resolved = Timestamps.column(r, "resolved_at");
        return new FindingView(r.getLong("id"), r.getString("kind"), r.getString("name"), r.getString("subject"),
                r.getString("severity"), r.getDouble("value"), r.getDouble("threshold"), r.getString("remediation"),
                r.getString("detail"), resolved == null ? "open" : "resolved", Timestamps.column(r, "opened_at"),
                Timestamps.column(r, "last_seen_at"), resolved);
    }
}
