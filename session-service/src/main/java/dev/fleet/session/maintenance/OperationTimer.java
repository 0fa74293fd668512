package dev.fleet.session.maintenance;

import jakarta.inject.Singleton;

import dev.fleet.session.operation.OperationService;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Ends operations left open past their deadline with DEADLINE_EXCEEDED, so none hangs: a start
 * nobody confirmed errors its session, a pending session nobody took expires, a stuck handover
 * gives its reservation back. Any replica may run it; each end re-checks under the session lock.
 */
@Singleton
public class OperationTimer {

    static final int BATCH = 200;

    private final OperationService operations;

    OperationTimer(OperationService operations) {
        this.operations = operations;
    }

    /** Returns how many operations it ended. */
    public Uni<Integer> runOnce() {
        return operations.expireOverdue(BATCH);
    }

    @Scheduled(every = "${fleet.session.sweep-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return runOnce().replaceWithVoid();
    }
}
