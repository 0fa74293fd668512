package dev.fleet.session.maintenance;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Singleton;

import dev.fleet.platform.time.Timestamps;
import dev.fleet.session.config.SessionConfig;
import dev.fleet.session.notify.RunnerPublisher;
import dev.fleet.session.notify.RunnerPublisher.RunnerChange;
import dev.fleet.session.session.SessionTransactions;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Makes silent runners' health worse as their silence grows (degraded → unhealthy → gone), and
 * forgets gone runners that hold no sessions after {@code forget-after}. Each change is announced
 * on {@code fleet_runner}. Idempotent and cheap, so every replica may run it.
 */
@Singleton
public class RunnerHealthSweeper {

    /** What one run did. */
    public record SweepResult(int changed, int forgotten) {
    }

    // Lateness only escalates: an on-time heartbeat is what makes a runner healthy again.
    private static final String ESCALATE = """
            WITH late AS (
                SELECT id, health AS previous,
                       CASE WHEN last_heartbeat_at <= $3 THEN 'gone'
                            WHEN last_heartbeat_at <= $2 THEN 'unhealthy' ELSE 'degraded' END AS health
                FROM session.runners WHERE last_heartbeat_at <= $1 AND health <> 'gone'
                FOR UPDATE SKIP LOCKED)
            UPDATE session.runners r SET health = late.health FROM late
            WHERE r.id = late.id
              AND array_position(ARRAY['healthy', 'degraded', 'unhealthy', 'gone'], late.health)
                  > array_position(ARRAY['healthy', 'degraded', 'unhealthy', 'gone'], late.previous)
            RETURNING r.id, r.pool, r.health""";

    private static final String FORGET = "DELETE FROM session.runners WHERE health = 'gone' AND last_heartbeat_at <= $1"
            + " AND live_sessions = 0 RETURNING id, pool, health";

    private final SessionTransactions transactions;
    private final RunnerPublisher publisher;
    private final SessionConfig.Runners rules;

    RunnerHealthSweeper(SessionTransactions transactions, RunnerPublisher publisher, SessionConfig config) {
        this.transactions = transactions;
        this.publisher = publisher;
        this.rules = config.runners();
    }

    public Uni<SweepResult> runOnce() {
        Instant now = transactions.clock().instant();
        Tuple windows = Tuple.of(Timestamps.param(now.minus(rules.degradedAfter())),
                Timestamps.param(now.minus(rules.unhealthyAfter())), Timestamps.param(now.minus(rules.goneAfter())));
        return transactions.pool().withTransaction(tx -> tx.preparedQuery(ESCALATE).execute(windows)
                .chain(changed -> tx.preparedQuery(FORGET).execute(Tuple.of(Timestamps.param(now.minus(rules.forgetAfter()))))
                        .chain(forgotten -> {
                            List<RunnerChange> changes = changes("health", changed);
                            changes.addAll(changes("deregistered", forgotten));
                            return publisher.publish(tx, changes)
                                    .replaceWith(new SweepResult(changed.rowCount(), forgotten.rowCount()));
                        })));
    }

    @Scheduled(every = "${fleet.session.runners.health-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return runOnce().replaceWithVoid();
    }

    private static List<RunnerChange> changes(String event, RowSet<Row> rows) {
        List<RunnerChange> changes = new ArrayList<>();
        rows.forEach(row -> changes.add(new RunnerChange(event, row.getUUID("id"), row.getString("pool"), row.getString("health"))));
        return changes;
    }
}
