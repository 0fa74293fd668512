package dev.fleet.queue.maintenance;

import jakarta.inject.Singleton;

import dev.fleet.queue.config.QueueConfig;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Starvation guard: an available job that has waited {@code fleet.queue.aging-after} moves up one
 * priority level, and again after each further wait, so a P6 job reaches P0 after six waits at
 * most, while fresh urgent work still goes first. Since claims are FIFO within a priority, an
 * aged job also goes ahead of newer jobs of the level it reached.
 */
@Singleton
public class JobAger {

    private final Pool pool;
    private final QueueConfig config;

    JobAger(Pool pool, QueueConfig config) {
        this.pool = pool;
        this.config = config;
    }

    /** @return how many jobs moved up a level */
    public Uni<Integer> runOnce() {
        return pool.preparedQuery(MaintenanceQueries.AGE)
                .execute(Tuple.of(config.agingAfter().toMillis(), JobScheduler.BATCH))
                .map(rows -> rows.rowCount());
    }

    @Scheduled(every = "${fleet.queue.schedule-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return runOnce().replaceWithVoid();
    }
}
