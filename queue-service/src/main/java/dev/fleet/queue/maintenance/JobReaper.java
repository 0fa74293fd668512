package dev.fleet.queue.maintenance;

import jakarta.inject.Singleton;

import dev.fleet.queue.config.QueueConfig;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Deletes finished jobs past retention (succeeded and cancelled after {@code retention}, dead
 * after {@code dead-retention}) in small batches, each its own short transaction, so claims never
 * wait on it. One run deletes at most {@value #MAX_BATCHES_PER_RUN} batches.
 */
@Singleton
public class JobReaper {

    static final int MAX_BATCHES_PER_RUN = 20;

    private final Pool pool;
    private final QueueConfig config;

    JobReaper(Pool pool, QueueConfig config) {
        this.pool = pool;
        this.config = config;
    }

    /** @return how many jobs were deleted */
    public Uni<Long> runOnce() {
        Tuple args = Tuple.of(config.retention().toMillis(), config.deadRetention().toMillis(), config.retentionBatchSize());
        return Multi.createBy().repeating()
                .uni(() -> pool.preparedQuery(MaintenanceQueries.REAP).execute(args).map(rows -> rows.rowCount()))
                .whilst(deleted -> deleted == config.retentionBatchSize())
                .select().first(MAX_BATCHES_PER_RUN)
                .collect().with(java.util.stream.Collectors.summingLong(Integer::longValue));
    }

    @Scheduled(every = "${fleet.queue.retention-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return runOnce().replaceWithVoid();
    }
}
