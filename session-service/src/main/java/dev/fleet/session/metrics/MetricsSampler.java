package dev.fleet.session.metrics;

import jakarta.inject.Singleton;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/** Refreshes the runner and session gauges from two grouped counts. */
@Singleton
public class MetricsSampler {

    private static final String RUNNERS = "SELECT pool, health, count(*) AS n FROM session.runners GROUP BY pool, health";

    // Live states only: finished sessions are history, and counting them would scan the table.
    private static final String SESSIONS = "SELECT pool, state, count(*) AS n FROM session.sessions"
            + " WHERE state IN ('pending', 'starting', 'running', 'paused', 'stopping') GROUP BY pool, state";

    private final Pool pool;
    private final SessionMetrics metrics;

    MetricsSampler(Pool pool, SessionMetrics metrics) {
        this.pool = pool;
        this.metrics = metrics;
    }

    public Uni<Void> runOnce() {
        return pool.query(RUNNERS).execute().invoke(rows -> {
            metrics.resetGauges("fleet.session.runners");
            rows.forEach(row -> metrics.gauge("fleet.session.runners", "pool", row.getString("pool"), "health",
                    row.getString("health"), row.getLong("n")));
        }).chain(() -> pool.query(SESSIONS).execute()).invoke(rows -> {
            metrics.resetGauges("fleet.session.sessions");
            rows.forEach(row -> metrics.gauge("fleet.session.sessions", "pool", row.getString("pool"), "state",
                    row.getString("state"), row.getLong("n")));
        }).replaceWithVoid();
    }

    @Scheduled(every = "${fleet.session.metrics-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return runOnce();
    }
}
