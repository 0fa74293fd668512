package dev.fleet.queue.metrics;

import jakarta.inject.Singleton;

import dev.fleet.queue.queue.QueueService;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/** Refreshes the depth gauges from the queue stats every {@code fleet.queue.metrics-interval}. */
@Singleton
public class DepthSampler {

    private final QueueService queues;
    private final QueueMetrics metrics;

    DepthSampler(QueueService queues, QueueMetrics metrics) {
        this.queues = queues;
        this.metrics = metrics;
    }

    public Uni<Void> runOnce() {
        return queues.statsByQueue().invoke(metrics::updateDepth).replaceWithVoid();
    }

    @Scheduled(every = "${fleet.queue.metrics-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return runOnce();
    }
}
