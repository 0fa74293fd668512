package dev.fleet.session.maintenance;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Singleton;

import dev.fleet.platform.time.Timestamps;
import dev.fleet.session.config.SessionConfig;
import dev.fleet.session.session.SessionTransactions;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Deletes sessions that ended more than {@code fleet.session.retention} ago, with their event
 * logs and operations. A run deletes at most {@link #EVENT_BATCH} events, so a session with a
 * huge log is removed over several runs without one long statement; the session row goes last,
 * once its log is empty.
 */
@Singleton
public class SessionPruner {

    /** What one run deleted. */
    public record PruneResult(int events, int sessions) {
    }

    static final int SESSION_BATCH = 100;
    static final int EVENT_BATCH = 50_000;

    private static final String EXPIRED = "SELECT id FROM session.sessions WHERE state IN ('stopped', 'error', 'expired')"
            + " AND ended_at <= $1 ORDER BY ended_at LIMIT $2";

    private static final String DELETE_EVENTS = "DELETE FROM session.session_events WHERE (session_id, seq) IN"
            + " (SELECT session_id, seq FROM session.session_events WHERE session_id = ANY($1) LIMIT $2)";

    // Only sessions whose log is empty by now; the rest wait for the next run.
    private static final String DELETE_SESSIONS = """
            WITH gone AS (
                DELETE FROM session.sessions s WHERE s.id = ANY($1)
                  AND NOT EXISTS (SELECT 1 FROM session.session_events e WHERE e.session_id = s.id)
                RETURNING id),
            operations AS (DELETE FROM session.operations WHERE target IN (SELECT id FROM gone))
            SELECT count(*) AS sessions FROM gone""";

    private final SessionTransactions transactions;
    private final SessionConfig config;

    SessionPruner(SessionTransactions transactions, SessionConfig config) {
        this.transactions = transactions;
        this.config = config;
    }

    public Uni<PruneResult> runOnce() {
        var cutoff = Timestamps.param(transactions.clock().instant().minus(config.retention()));
        var pool = transactions.pool();
        return pool.preparedQuery(EXPIRED).execute(Tuple.of(cutoff, SESSION_BATCH)).chain(rows -> {
            List<UUID> ids = new ArrayList<>();
            rows.forEach(row -> ids.add(row.getUUID("id")));
            if (ids.isEmpty()) {
                return Uni.createFrom().item(new PruneResult(0, 0));
            }
            UUID[] batch = ids.toArray(UUID[]::new);
            return pool.preparedQuery(DELETE_EVENTS).execute(Tuple.of(batch, EVENT_BATCH))
                    .chain(events -> pool.preparedQuery(DELETE_SESSIONS).execute(Tuple.of((Object) batch))
                            .map(sessions -> new PruneResult(events.rowCount(),
                                    sessions.iterator().next().getLong("sessions").intValue())));
        });
    }

    @Scheduled(every = "${fleet.session.prune-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return runOnce().replaceWithVoid();
    }
}
