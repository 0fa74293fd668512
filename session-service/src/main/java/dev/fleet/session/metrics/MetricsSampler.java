package dev.fleet.session.metrics;

import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Singleton;

import dev.fleet.session.metrics.RunnerGauges.RunnerFigures;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/** Refreshes the runner and session gauges from two grouped counts and one read of every runner's figures. */
@Singleton
public class MetricsSampler {

    private static final String RUNNERS = "SELECT pool, health, count(*) AS n FROM session.runners GROUP BY pool, health";

    // Live states only: finished sessions are history, and counting them would scan the table.
    private static final String SESSIONS = "SELECT pool, state, count(*) AS n FROM session.sessions"
            + " WHERE state IN ('pending', 'starting', 'running', 'paused', 'stopping') GROUP BY pool, state";

    // Every registered runner (at most thousands of rows; gone ones are forgotten after forget-after).
    private static final String RUNNER_FIGURES = "SELECT pool, id::text AS id, health, cpu_percent, memory_percent,"
            + " live_sessions, max_sessions, extract(epoch FROM last_heartbeat_at)::float8 AS last_heartbeat"
            + " FROM session.runners";

    private final Pool pool;
    private final SessionMetrics metrics;
    private final RunnerGauges runnerGauges;

    MetricsSampler(Pool pool, SessionMetrics metrics, RunnerGauges runnerGauges) {
        this.pool = pool;
        this.metrics = metrics;
        this.runnerGauges = runnerGauges;
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
        }).chain(() -> pool.query(RUNNER_FIGURES).execute()).invoke(rows -> {
            List<RunnerFigures> figures = new ArrayList<>();
            rows.forEach(row -> figures.add(new RunnerFigures(row.getString("pool"), row.getString("id"),
                    row.getString("health"), row.getDouble("cpu_percent"), row.getDouble("memory_percent"),
                    row.getInteger("live_sessions"), row.getInteger("max_sessions"), row.getDouble("last_heartbeat"))));
            runnerGauges.update(figures);
        }).replaceWithVoid();
    }

    @Scheduled(every = "${fleet.session.metrics-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return runOnce();
    }
}
