package dev.fleet.session.maintenance;

import jakarta.inject.Singleton;

import dev.fleet.platform.lock.AdvisoryLock;
import dev.fleet.session.config.SessionConfig;
import dev.fleet.session.session.HalfPlacedSessions;
import dev.fleet.session.session.SessionEnder;
import dev.fleet.session.session.SessionTransactions;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Ends in {@code error} ("runner connection lost") the live sessions of runners silent for
 * {@code fleet.session.stale-after} (or deregistered meanwhile), giving back their slots and
 * resources, and takes back the sessions whose create died between its two steps
 * ({@link HalfPlacedSessions}). One replica at a time: the run holds an advisory lock, others skip.
 */
@Singleton
public class StaleSessionRecovery {

    static final String LOCK = "fleet-session-stale-recovery";
    static final int BATCH = 500;

    private final SessionTransactions transactions;
    private final SessionEnder ender;
    private final SessionConfig config;
    private final HalfPlacedSessions halfPlaced;

    StaleSessionRecovery(SessionTransactions transactions, SessionEnder ender, SessionConfig config,
            HalfPlacedSessions halfPlaced) {
        this.halfPlaced = halfPlaced;
        this.transactions = transactions;
        this.ender = ender;
        this.config = config;
    }

    /** Returns how many sessions it ended or took back; -1 when another replica holds the lock. */
    public Uni<Integer> runOnce() {
        return transactions.run(tx -> AdvisoryLock.tryInTransaction(tx.conn(), LOCK).chain(locked -> locked
                ? ender.endStaleSessions(tx, tx.now().minus(config.staleAfter()), BATCH)
                        .chain(ended -> halfPlaced.sweep(tx.conn(), tx.now()).map(taken -> ended + taken))
                : Uni.createFrom().item(-1)));
    }

    @Scheduled(every = "${fleet.session.recovery-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return runOnce().replaceWithVoid();
    }
}
