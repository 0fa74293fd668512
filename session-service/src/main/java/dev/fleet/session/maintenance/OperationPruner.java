package dev.fleet.session.maintenance;

import java.time.Instant;

import jakarta.inject.Singleton;

import dev.fleet.platform.time.Timestamps;
import dev.fleet.session.config.SessionConfig;
import dev.fleet.session.session.SessionTransactions;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Keeps operation records bounded: finished ones are deleted {@code operations.ttl} after they
 * ended, and beyond the newest {@code operations.max-kept} per session. Open operations are
 * never pruned.
 */
@Singleton
public class OperationPruner {

    /** What one run deleted. */
    public record PruneResult(int expired, int overCap) {
    }

    private static final String EXPIRED = "DELETE FROM session.operations WHERE done AND updated_at <= $1";

    private static final String OVER_CAP = """
            DELETE FROM session.operations WHERE id IN (
                SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY target ORDER BY created_at DESC, id DESC) AS n
                                FROM session.operations WHERE done) ranked
                WHERE n > $1)""";

    private final SessionTransactions transactions;
    private final SessionConfig.Operations rules;

    OperationPruner(SessionTransactions transactions, SessionConfig config) {
        this.transactions = transactions;
        this.rules = config.operations();
    }

    public Uni<PruneResult> runOnce() {
        Instant cutoff = transactions.clock().instant().minus(rules.ttl());
        return transactions.pool().preparedQuery(EXPIRED).execute(Tuple.of(Timestamps.param(cutoff)))
                .chain(expired -> transactions.pool().preparedQuery(OVER_CAP).execute(Tuple.of(rules.maxKept()))
                        .map(capped -> new PruneResult(expired.rowCount(), capped.rowCount())));
    }

    @Scheduled(every = "${fleet.session.prune-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return runOnce().replaceWithVoid();
    }
}
