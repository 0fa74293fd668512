package dev.fleet.queue.maintenance;

import jakarta.inject.Singleton;

import dev.fleet.queue.metrics.QueueMetrics;
import dev.fleet.queue.notify.QueuePublisher;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Returns the jobs of runners that stopped heartbeating: a lease that ran out counts the attempt
 * and puts the job back in line (or dead, with no attempts left). Runs every
 * {@code fleet.queue.rescue-interval}, so a dead runner's work is redelivered within about a
 * second of its lease ending. Also expires jobs not started within their TTL.
 */
@Singleton
public class JobRescuer {

    /** What one run did. */
    public record RescueResult(int retried, int discarded, int expired) {
    }

    private final Pool pool;
    private final QueuePublisher publisher;
    private final QueueMetrics metrics;

    JobRescuer(Pool pool, QueuePublisher publisher, QueueMetrics metrics) {
        this.pool = pool;
        this.publisher = publisher;
        this.metrics = metrics;
    }

    public Uni<RescueResult> runOnce() {
        return pool.withTransaction(tx -> tx.preparedQuery(MaintenanceQueries.RESCUE).execute(Tuple.of(JobScheduler.BATCH))
                .chain(rescued -> tx.preparedQuery(MaintenanceQueries.EXPIRE).execute(Tuple.of(JobScheduler.BATCH))
                        .chain(expired -> {
                            var retried = QueueCounts.perQueueInState(rescued, "available");
                            var discarded = QueueCounts.perQueueInState(rescued, "dead");
                            var expiredPerQueue = QueueCounts.perQueue(expired);
                            retried.forEach((queue, n) -> metrics.finished(queue, "rescued", n));
                            discarded.forEach((queue, n) -> metrics.finished(queue, "dead", n));
                            expiredPerQueue.forEach((queue, n) -> metrics.finished(queue, "expired", n));
                            return publisher.jobsAvailable(tx, retried).replaceWith(new RescueResult(
                                    sum(retried), sum(discarded), expired.rowCount()));
                        })));
    }

    @Scheduled(every = "${fleet.queue.rescue-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return runOnce().replaceWithVoid();
    }

    private static int sum(java.util.Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }
}
