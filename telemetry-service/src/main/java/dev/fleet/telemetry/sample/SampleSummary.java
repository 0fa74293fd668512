package dev.fleet.telemetry.sample;

import java.util.List;

/**
 * Answer of {@code GET /samples/summary}: one line per feature, by feature name; {@code basis} says
 * what it was computed from, {@code samples} (exact) or {@code rollups} (a long window: per-minute
 * rollups, percentiles approximated).
 */
public record SampleSummary(String basis, List<FeatureSummary> features) {
}
