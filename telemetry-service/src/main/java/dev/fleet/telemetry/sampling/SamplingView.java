package dev.fleet.telemetry.sampling;

import java.util.List;
import java.util.Map;

/** Answer of {@code GET /sampling}: the rules reporters apply before sending, and the ingest cap. */
public record SamplingView(double defaultRate, Map<String, Double> features, List<FeatureSetView> featureSets,
        Map<String, Double> capabilities, int perSourcePerMinute) {

    /** A named group of feature patterns (exact names, or prefixes ending in {@code *}) with one rate. */
    public record FeatureSetView(String name, List<String> features, double rate) {

        boolean matches(String feature) {
            for (String pattern : features) {
                if (pattern.endsWith("*") ? feature.startsWith(pattern.substring(0, pattern.length() - 1))
                        : feature.equals(pattern)) {
                    return true;
                }
            }
            return false;
        }
    }
}
