package dev.fleet.queue.maintenance;

import jakarta.inject.Singleton;

import dev.fleet.queue.claim.ClaimWaiters;
import io.quarkus.scheduler.Scheduled;

/**
 * The safety net for a lost notification: every {@code fleet.queue.sweep-interval} all waiting
 * claims look again. Notifications do the real waking; this only bounds how late a claim can be
 * if one went missing.
 */
@Singleton
public class ClaimSweeper {

    private final ClaimWaiters waiters;

    ClaimSweeper(ClaimWaiters waiters) {
        this.waiters = waiters;
    }

    @Scheduled(every = "${fleet.queue.sweep-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void runOnce() {
        waiters.wakeAll();
    }
}
