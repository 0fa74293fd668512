package dev.fleet.scaler.policy;

import static dev.fleet.scaler.policy.InvalidPolicyException.check;
import static dev.fleet.scaler.policy.InvalidPolicyException.checkNotBlank;
import static dev.fleet.scaler.policy.InvalidPolicyException.checkPositive;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * "When {@code metric} has been above (below) {@code threshold} for {@code holdFor}, add
 * {@code step} instances" ({@code step} is negative for a below rule). An optional
 * {@code limit} caps what this rule alone may add (remove) within a period, e.g. the queue rule's
 * +10 per minute, so a rule with a short hold cannot run away between evaluations.
 *
 * <p>Holding for a duration is what keeps a spike from scaling the pool: one sample over the line
 * does nothing. The record checks nothing itself; {@link PoolPolicy} checks its rules so that the
 * error names the field within the policy ({@code rules[2].step}).
 */
public record ThresholdRule(String name, String metric, Comparison comparison, double threshold,
        Duration holdFor, int step, RateLimit limit) {

    /**
     * The default set: CPU over 70 % for 2 min → +1, over 85 % for 1 min → +3; queue depth over
     * 100 for 2 min → +5, at most +10 per minute; CPU under 30 % for 10 min → −1, under 20 % for
     * 15 min → −2. Scale-in holds are long because removing a runner interrupts nothing only if
     * the pool really is idle; scale-out holds are short because waiting costs users time.
     */
    public static final List<ThresholdRule> DEFAULTS = List.of(
            above("cpu-high", MetricNames.CPU, 70, Duration.ofMinutes(2), 1),
            above("cpu-surge", MetricNames.CPU, 85, Duration.ofMinutes(1), 3),
            above("queue-deep", MetricNames.QUEUE_DEPTH, 100, Duration.ofMinutes(2), 5)
                    .limitedTo(new RateLimit(10, Duration.ofMinutes(1))),
            below("cpu-low", MetricNames.CPU, 30, Duration.ofMinutes(10), -1),
            below("cpu-idle", MetricNames.CPU, 20, Duration.ofMinutes(15), -2));

    public static ThresholdRule above(String name, String metric, double threshold, Duration holdFor, int step) {
        return new ThresholdRule(name, metric, Comparison.ABOVE, threshold, holdFor, step, null);
    }

    public static ThresholdRule below(String name, String metric, double threshold, Duration holdFor, int step) {
        return new ThresholdRule(name, metric, Comparison.BELOW, threshold, holdFor, step, null);
    }

    public ThresholdRule limitedTo(RateLimit limit) {
        return new ThresholdRule(name, metric, comparison, threshold, holdFor, step, limit);
    }

    public boolean firesAt(MetricHistory history, Instant now) {
        return history.heldFor(metric, comparison, threshold, holdFor, now);
    }

    /** {@code cpu > 85 for 1 min}. */
    public String condition() {
        return metric + " " + comparison.symbol() + " " + Text.number(threshold) + " for " + Text.duration(holdFor);
    }

    void validate(String path) {
        checkNotBlank(name, path + ".name");
        checkNotBlank(metric, path + ".metric");
        check(comparison != null, path + ".comparison", "must be 'above' or 'below'");
        check(Double.isFinite(threshold), path + ".threshold", "must be a finite number");
        checkPositive(holdFor, path + ".holdFor");
        check(step != 0, path + ".step", "must not be 0");
        if (comparison == Comparison.ABOVE) {
            check(step > 0, path + ".step", "an 'above' rule scales out, so its step must be positive, was " + step);
        } else {
            check(step < 0, path + ".step", "a 'below' rule scales in, so its step must be negative, was " + step);
        }
        if (limit != null) {
            limit.validate(path + ".limit");
        }
    }
}
