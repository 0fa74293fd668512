package dev.fleet.telemetry.slo;

import java.time.Instant;
import java.util.List;

import jakarta.inject.Singleton;

import dev.fleet.platform.time.Timestamps;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** Reads the samples that carry a priority class and measures them against the class's target. */
@Singleton
public class SloQueries {

    /*
     * Job samples (feature job.*) carry the job's wait in attributes.waitMs, gateway samples
     * (gateway.request) their own duration. Attributes are the reporter's free JSON, so every number
     * is type-checked and compared as numeric (no cast can fail or overflow); a sampleRate in (0, 1]
     * weighs its sample 1 / rate, anything else counts once.
     */
    private static final String ATTAINMENT = """
            WITH targets(priority, target_ms) AS (SELECT * FROM unnest($3::text[], $4::float8[])),
            events AS (
                SELECT CASE WHEN s.feature = 'gateway.request' THEN 'request-latency' ELSE 'job-wait' END AS objective,
                       coalesce(CASE WHEN s.feature = 'gateway.request' THEN s.attributes->>'route'
                                     ELSE s.attributes->>'queue' END, '') AS scope,
                       t.priority, t.target_ms,
                       CASE WHEN s.feature = 'gateway.request' THEN s.duration_ms::numeric
                            ELSE (s.attributes->>'waitMs')::numeric END <= t.target_ms::numeric AS met,
                       CASE WHEN jsonb_typeof(s.attributes->'sampleRate') = 'number'
                                 AND (s.attributes->>'sampleRate')::numeric > 0 AND (s.attributes->>'sampleRate')::numeric <= 1
                            THEN 1 / (s.attributes->>'sampleRate')::numeric ELSE 1 END AS weight
                FROM telemetry.samples s JOIN targets t ON t.priority = s.attributes->>'priority'
                WHERE s.at > $1 AND s.at <= $2 AND s.attributes ? 'priority'
                  AND (s.feature = 'gateway.request'
                       OR (s.feature LIKE 'job.%' AND jsonb_typeof(s.attributes->'waitMs') = 'number')))
            SELECT objective, scope, priority, target_ms, count(*) AS n,
                   (sum(weight) FILTER (WHERE met) / sum(weight))::float8 AS ratio
            FROM events GROUP BY objective, scope, priority, target_ms ORDER BY objective, scope, priority""";

    private final Pool pool;

    SloQueries(Pool pool) {
        this.pool = pool;
    }

    /** One line per objective, scope and class with events in (since, until]; ratio before the goal is applied. */
    Uni<List<SloView>> attainment(Instant since, Instant until, List<String> classes, List<Double> targetsMs,
            double goal) {
        Tuple params = Tuple.of(Timestamps.param(since), Timestamps.param(until), classes.toArray(String[]::new),
                targetsMs.toArray(Double[]::new));
        return pool.preparedQuery(ATTAINMENT).execute(params).map(rows -> rows.stream().map(r -> {
            Double ratio = r.getDouble("ratio");
            double share = ratio == null ? 0 : ratio;
            return new SloView(r.getString("objective"), r.getString("scope"), r.getString("priority"),
                    r.getDouble("target_ms"), goal, r.getLong("n"), share, share >= goal);
        }).toList());
    }
}
