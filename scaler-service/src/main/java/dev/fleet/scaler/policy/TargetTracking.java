package dev.fleet.scaler.policy;

import static dev.fleet.scaler.policy.InvalidPolicyException.check;
import static dev.fleet.scaler.policy.InvalidPolicyException.checkNotBlank;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Keep a per-instance metric (utilisation %, say) near {@code target}: while it stays inside
 * {@code [low, high]} the pool keeps its size; outside, the pool goes to
 * {@code ceil(current × value / target)}, the size at which the same load would sit at the
 * target. The band is what stops the formula chasing noise around the target.
 *
 * <p>With no instances there is nothing to measure, so the rule has no opinion at zero (the
 * wake-up on waiting work, or the minimum, brings the pool up).
 */
public record TargetTracking(String metric, double target, double low, double high) {

    public static final String RULE = "target-tracking";

    /** The band {@code target ± tolerance}, e.g. {@code around("utilisation", 70, 10)} is 60–80. */
    public static TargetTracking around(String metric, double target, double tolerance) {
        return new TargetTracking(metric, target, target - tolerance, target + tolerance);
    }

    Optional<Recommendation> recommend(int current, MetricHistory history, Instant now) {
        OptionalDouble latest = history.latest(metric, now);
        if (latest.isEmpty() || current == 0) {
            return Optional.empty();
        }
        double value = latest.getAsDouble();
        String band = Text.number(low) + "–" + Text.number(high);
        if (value >= low && value <= high) {
            return Optional.of(new Recommendation(RULE, current,
                    metric + " " + Text.number(value) + " inside " + band));
        }
        int desired = Capacity.instancesFor(current * value, target);
        return Optional.of(new Recommendation(RULE, desired, metric + " " + Text.number(value) + " outside " + band
                + ": " + current + " × " + Text.number(value) + " / " + Text.number(target) + " = " + desired));
    }

    /** The size needed for {@code value} of this metric at the current size (used by the forecast). */
    int instancesFor(int current, double value) {
        return Capacity.instancesFor(current * value, target);
    }

    void validate(String path) {
        checkNotBlank(metric, path + ".metric");
        check(Double.isFinite(target) && target > 0, path + ".target", "must be a positive number, was " + target);
        check(Double.isFinite(low) && low < target, path + ".low",
                "must be below the target (" + Text.number(target) + "), was " + low);
        check(Double.isFinite(high) && high > target, path + ".high",
                "must be above the target (" + Text.number(target) + "), was " + high);
    }
}
