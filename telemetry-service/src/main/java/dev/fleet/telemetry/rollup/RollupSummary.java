package dev.fleet.telemetry.rollup;

/**
 * One feature over many minutes, from their rollups: counts summed, percentiles the count-weighted
 * mean of the minutes' (an approximation), max the largest.
 */
public record RollupSummary(String feature, long count, long errors, double p50Ms, double p95Ms, double p99Ms,
        double maxMs) {
}
