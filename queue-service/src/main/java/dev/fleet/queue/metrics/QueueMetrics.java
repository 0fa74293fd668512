package dev.fleet.queue.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Singleton;

import dev.fleet.queue.queue.QueueStats;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * queue-service's meters ({@code fleet_queue_*} in Prometheus): enqueues, claims and one counter of
 * job outcomes per queue ({@code fleet_queue_jobs_total{queue,outcome}}), histograms of the wait
 * (due → claimed) and of claim latency, and depth gauges per queue, state and priority refreshed
 * from the stats query by {@code DepthSampler}. Names follow one style (dotted Micrometer names,
 * base units): the registry turns {@code fleet.queue.wait} into {@code fleet_queue_wait_seconds}.
 */
@Singleton
public class QueueMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();

    QueueMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void enqueued(String queue, int count) {
        if (count > 0) {
            registry.counter("fleet.queue.jobs.enqueued", "queue", queue).increment(count);
        }
    }

    public void claimed(String queue, int count) {
        if (count > 0) {
            registry.counter("fleet.queue.jobs.claimed", "queue", queue).increment(count);
        }
    }

    /** A job reached {@code outcome}: succeeded, failed (retry pending), dead, expired, cancelled, released, rescued. */
    public void finished(String queue, String outcome) {
        registry.counter("fleet.queue.jobs", "queue", queue, "outcome", outcome).increment();
    }

    public void finished(String queue, String outcome, int count) {
        if (count > 0) {
            registry.counter("fleet.queue.jobs", "queue", queue, "outcome", outcome).increment(count);
        }
    }

    /** A periodic definition's tick: enqueued, skipped (missed, policy skip) or duplicate. */
    public void periodicTick(String periodicJob, String outcome) {
        registry.counter("fleet.queue.periodic.ticks", "periodic_job", periodicJob, "outcome", outcome).increment();
    }

    public void timeInQueue(String queue, Duration waited) {
        Timer.builder("fleet.queue.wait").tag("queue", queue).publishPercentileHistogram()
                .register(registry).record(waited.isNegative() ? Duration.ZERO : waited);
    }

    public void claimLatency(String queue, Duration took) {
        Timer.builder("fleet.queue.claim.latency").tag("queue", queue).publishPercentileHistogram()
                .register(registry).record(took);
    }

    /** Sets every depth gauge from fresh stats; queues and states that vanished drop to zero. */
    public void updateDepth(Map<String, QueueStats> statsByQueue) {
        gauges.values().forEach(g -> g.set(0));
        statsByQueue.forEach((queue, stats) -> {
            stats.depth().forEach((state, n) -> gauge("fleet.queue.depth", queue, "state", state, 1).set(n));
            stats.availableByPriority().forEach((priority, n) ->
                    gauge("fleet.queue.available", queue, "priority", priority, 1).set(n));
            // kept in ms as the stats give it, published in seconds (base unit)
            gauge("fleet.queue.oldest.available.age", queue, null, null, 0.001).set(stats.oldestAvailableMs());
        });
    }

    private AtomicLong gauge(String name, String queue, String tag, String value, double scale) {
        String key = name + '|' + queue + '|' + tag + '|' + value;
        return gauges.computeIfAbsent(key, k -> {
            AtomicLong holder = new AtomicLong();
            Gauge.Builder<AtomicLong> builder = Gauge.builder(name, holder, h -> h.get() * scale).tag("queue", queue);
            if (scale != 1) {
                builder.baseUnit("seconds");
            }
            if (tag != null) {
                builder.tag(tag, value);
            }
            builder.register(registry);
            return holder;
        });
    }
}
