package dev.fleet.session.maintenance;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Singleton;

import dev.fleet.platform.time.Timestamps;
import dev.fleet.session.operation.OperationKind;
import dev.fleet.session.session.IdlePolicy;
import dev.fleet.session.session.SessionService;
import dev.fleet.session.session.SessionTransactions;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Idle auto-pause: finds sessions {@link IdlePolicy} may pause or resume (a coarse SQL filter),
 * then lets the policy decide for each under its row lock and starts the operation.
 */
@Singleton
public class IdlePauser {

    /** What one run did. */
    public record IdleResult(int paused, int resumed) {
    }

    static final int BATCH = 500;

    private static final String CANDIDATES = """
            SELECT s.id FROM session.sessions s
            WHERE s.auto_pause
              AND ((s.state = 'running'
                    AND s.last_human_activity_at <= $1::timestamptz - s.idle_human_ms * interval '1 millisecond'
                    AND s.last_agent_activity_at <= $1::timestamptz - s.idle_agent_ms * interval '1 millisecond')
                   OR (s.state = 'paused' AND s.auto_paused AND s.activity_since IS NOT NULL))
              AND NOT EXISTS (SELECT 1 FROM session.operations o WHERE o.target = s.id AND NOT o.done)
            LIMIT $2""";

    private final SessionTransactions transactions;
    private final SessionService sessions;

    IdlePauser(SessionTransactions transactions, SessionService sessions) {
        this.transactions = transactions;
        this.sessions = sessions;
    }

    public Uni<IdleResult> runOnce() {
        Tuple args = Tuple.of(Timestamps.param(transactions.clock().instant()), BATCH);
        return transactions.pool().preparedQuery(CANDIDATES).execute(args).chain(rows -> {
            List<UUID> ids = new ArrayList<>();
            rows.forEach(row -> ids.add(row.getUUID("id")));
            int[] counts = new int[2];
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (UUID id : ids) {
                chain = chain.chain(() -> sessions.applyIdlePolicy(id)
                        .onFailure().recoverWithItem(Optional.empty()) // ended meanwhile: nothing to do
                        .invoke(op -> op.ifPresent(o -> counts[o.kind() == OperationKind.pause ? 0 : 1]++))
                        .replaceWithVoid());
            }
            return chain.map(ignored -> new IdleResult(counts[0], counts[1]));
        });
    }

    @Scheduled(every = "${fleet.session.idle.interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return runOnce().replaceWithVoid();
    }
}
