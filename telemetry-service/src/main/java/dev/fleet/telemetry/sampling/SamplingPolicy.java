package dev.fleet.telemetry.sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.inject.Singleton;

import dev.fleet.telemetry.sampling.SamplingView.FeatureSetView;

/**
 * The sampling rules as one checked value, and the order they apply in: a feature's own rate, then
 * the first feature set (by name) with a matching pattern, then the event's capability, then the
 * default. Reporters apply the same order (fleet-client's {@code SamplingRules}); ingest does not
 * re-sample (that would sample twice) but enforces the per-source cap.
 */
@Singleton
public class SamplingPolicy {

    private final SamplingView view;

    SamplingPolicy(SamplingConfig config) {
        check("default-rate", config.defaultRate());
        Map<String, Double> features = new TreeMap<>(config.features());
        features.forEach((feature, rate) -> check("features." + feature, rate));
        Map<String, Double> capabilities = new TreeMap<>(config.capabilities());
        capabilities.forEach((capability, rate) -> check("capabilities." + capability, rate));
        List<FeatureSetView> sets = new ArrayList<>();
        new TreeMap<>(config.featureSets()).forEach((name, set) -> {
            check("feature-sets." + name + ".rate", set.rate());
            sets.add(new FeatureSetView(name, List.copyOf(set.features()), set.rate()));
        });
        if (config.perSourcePerMinute() < 0) {
            throw new IllegalArgumentException("fleet.telemetry.sampling.per-source-per-minute must be >= 0");
        }
        this.view = new SamplingView(config.defaultRate(), features, List.copyOf(sets), capabilities,
                config.perSourcePerMinute());
    }

    /** What {@code GET /sampling} answers. */
    public SamplingView view() {
        return view;
    }

    /** The share of events of {@code feature} (with {@code capability}, may be null) a reporter sends. */
    public double rateFor(String feature, String capability) {
        Double own = view.features().get(feature);
        if (own != null) {
            return own;
        }
        for (FeatureSetView set : view.featureSets()) {
            if (set.matches(feature)) {
                return set.rate();
            }
        }
        if (capability != null && view.capabilities().containsKey(capability)) {
            return view.capabilities().get(capability);
        }
        return view.defaultRate();
    }

    private static void check(String key, double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("fleet.telemetry.sampling." + key + " is a rate from 0 to 1, not " + rate);
        }
    }
}
