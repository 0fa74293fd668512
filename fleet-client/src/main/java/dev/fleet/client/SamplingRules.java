package dev.fleet.client;

import java.util.List;
import java.util.Map;

/**
 * The sampling rules telemetry-service serves at {@code GET /sampling}, as the reporter applies them
 * before sending: a feature's own rate, then the first feature set with a matching pattern, then the
 * event's capability ({@code attributes.capability}), then the default. The service enforces only
 * the per-source cap; sampling happens here, where the cost of an event is saved.
 */
public record SamplingRules(double defaultRate, Map<String, Double> features, List<FeatureSet> featureSets,
        Map<String, Double> capabilities, int perSourcePerMinute) {

    /** Send everything: what the reporter uses until it has read the service's rules. */
    public static final SamplingRules ALL = new SamplingRules(1, Map.of(), List.of(), Map.of(), 0);

    public SamplingRules {
        features = features == null ? Map.of() : Map.copyOf(features);
        featureSets = featureSets == null ? List.of() : List.copyOf(featureSets);
        capabilities = capabilities == null ? Map.of() : Map.copyOf(capabilities);
    }

    /** A named group of feature patterns (exact names, or prefixes ending in {@code *}) with one rate. */
    public record FeatureSet(String name, List<String> features, double rate) {

        boolean matches(String feature) {
            for (String pattern : features == null ? List.<String>of() : features) {
                if (pattern.endsWith("*") ? feature.startsWith(pattern.substring(0, pattern.length() - 1))
                        : feature.equals(pattern)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The share (0–1) of {@code feature}'s events to send; {@code capability} may be null. */
    public double rateFor(String feature, String capability) {
        Double own = features.get(feature);
        if (own != null) {
            return own;
        }
        for (FeatureSet set : featureSets) {
            if (set.matches(feature)) {
                return set.rate();
            }
        }
        Double byCapability = capability == null ? null : capabilities.get(capability);
        return byCapability != null ? byCapability : defaultRate;
    }
}
