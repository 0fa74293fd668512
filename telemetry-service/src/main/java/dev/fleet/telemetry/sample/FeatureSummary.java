package dev.fleet.telemetry.sample;

/**
 * One feature's samples in a window: how many, how many failed, and the duration percentiles
 * (continuous, so the p50 of 1..100 ms is 50.5) and maximum, in milliseconds.
 */
public record FeatureSummary(
        String feature,
        long count,
        long errors,
        double p50Ms,
        double p95Ms,
        double p99Ms,
        double maxMs) {
}
