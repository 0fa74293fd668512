package dev.fleet.telemetry.rollup;

import java.time.Instant;

/** One feature's samples from one source in one minute: count, errors, duration percentiles and max (ms). */
public record RollupView(String feature, String source, Instant minute, long count, long errors, double p50Ms,
        double p95Ms, double p99Ms, double maxMs) {
}
