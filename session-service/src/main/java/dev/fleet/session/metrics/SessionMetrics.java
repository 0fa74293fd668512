package dev.fleet.session.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * session-service's meters ({@code fleet_session_*} in Prometheus): heartbeats, session creates
 * by outcome, operation ends by kind and outcome, start latency, and gauges of runners per pool
 * and health and sessions per pool and state, refreshed by {@code MetricsSampler}.
 */
@Singleton
public class SessionMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();
    // Registered once: a heartbeat is the hot path and needs no registry lookup.
    private final Counter heartbeats;
    // Registered at start, so its buckets are scraped as 0 before the first session starts
    // (rate() over a histogram that appears already at 1 reads 0, and its quantile NaN).
    private final Timer startLatency;

    SessionMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.heartbeats = registry.counter("fleet.session.heartbeats");
        this.startLatency = Timer.builder("fleet.session.start.latency").publishPercentileHistogram().register(registry);
    }

    public void heartbeat() {
        heartbeats.increment();
    }

    /** A create request: placed, pending (waits for a runner) or refused (429/503). */
    public void sessionCreated(String pool, String outcome) {
        registry.counter("fleet.session.sessions.created", "pool", pool, "outcome", outcome).increment();
    }

    /** An operation ended: outcome {@code done} or its error code. */
    public void operationEnded(String kind, String outcome) {
        registry.counter("fleet.session.operations.ended", "kind", kind, "outcome", outcome).increment();
    }

    /** From a session's start operation to running. */
    public void started(Duration latency) {
        startLatency.record(latency.isNegative() ? Duration.ZERO : latency);
    }

    /** Sets a sampled gauge, e.g. {@code fleet.session.runners} for pool p and health h. */
    public void gauge(String name, String tag1, String value1, String tag2, String value2, long value) {
        String key = name + '|' + value1 + '|' + value2;
        gauges.computeIfAbsent(key, k -> {
            AtomicLong holder = new AtomicLong();
            Gauge.builder(name, holder, AtomicLong::get).tags(tag1, value1, tag2, value2).register(registry);
            return holder;
        }).set(value);
    }

    /** Zeroes every sampled gauge of {@code name} before a fresh sample (so vanished groups read 0). */
    public void resetGauges(String name) {
        gauges.forEach((key, holder) -> {
            if (key.startsWith(name + '|')) {
                holder.set(0);
            }
        });
    }
}
