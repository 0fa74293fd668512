package dev.fleet.queue.maintenance;

import jakarta.inject.Singleton;

import dev.fleet.queue.notify.QueuePublisher;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Makes delayed jobs and retries available when they fall due, and announces them on
 * {@code fleet_queue} in the same transaction so waiting claimers wake at once.
 */
@Singleton
public class JobScheduler {

    static final int BATCH = 1000;

    private final Pool pool;
    private final QueuePublisher publisher;

    JobScheduler(Pool pool, QueuePublisher publisher) {
        this.pool = pool;
        this.publisher = publisher;
    }

    /** @return how many jobs became available (at most one batch) */
    public Uni<Integer> runOnce() {
        return pool.withTransaction(tx -> tx.preparedQuery(MaintenanceQueries.PROMOTE).execute(Tuple.of(BATCH))
                .call(rows -> publisher.jobsAvailable(tx, QueueCounts.perQueue(rows)))
                .map(rows -> rows.rowCount()));
    }

    @Scheduled(every = "${fleet.queue.schedule-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return runOnce().replaceWithVoid();
    }
}
