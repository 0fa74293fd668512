package dev.fleet.telemetry.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/**
 * telemetry-service's meters ({@code fleet_telemetry_*} in Prometheus). Samples count by outcome:
 * {@code accepted} (stored), {@code rejected} (every sample of a batch refused as invalid or too
 * large; a body that is not JSON never becomes samples and is not counted) or {@code dropped} (over
 * its source's per-minute cap). The findings' reads of the other services count by input
 * ({@code runners}, {@code queues}) and outcome ({@code ok}, {@code failed}). Created at startup, so the counters are scraped as 0 before the
 * first sample (rate() needs the starting point).
 */
@Startup
@Singleton
public class TelemetryMetrics {

    // Registered once: ingest is the hot path and needs no registry lookup.
    private final Counter accepted;
    private final Counter rejected;
    private final Counter dropped;
    private final Map<String, Counter> inputReads = new HashMap<>();

    TelemetryMetrics(MeterRegistry registry) {
        this.accepted = registry.counter("fleet.telemetry.samples", "outcome", "accepted");
        this.rejected = registry.counter("fleet.telemetry.samples", "outcome", "rejected");
        this.dropped = registry.counter("fleet.telemetry.samples", "outcome", "dropped");
        for (String input : List.of("runners", "queues")) {
            for (String outcome : List.of("ok", "failed")) {
                inputReads.put(input + outcome, registry.counter("fleet.telemetry.input.reads", "input", input,
                        "outcome", outcome));
            }
        }
    }

    public void accepted(int samples) {
        accepted.increment(samples);
    }

    public void rejected(int samples) {
        rejected.increment(samples);
    }

    /** One read of a findings input ({@code runners} or {@code queues}). */
    public void inputRead(String input, boolean ok) {
        inputReads.get(input + (ok ? "ok" : "failed")).increment();
    }

    public void dropped(int samples) {
        if (samples > 0) {
            dropped.increment(samples);
        }
    }
}
