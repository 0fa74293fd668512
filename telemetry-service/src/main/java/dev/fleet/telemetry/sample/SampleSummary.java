package dev.fleet.telemetry.sample;

import java.util.List;

/** Answer of {@code GET /samples/summary}: one line per feature, by feature name. */
public record SampleSummary(List<FeatureSummary> features) {
}
