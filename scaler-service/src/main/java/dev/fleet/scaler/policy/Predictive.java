package dev.fleet.scaler.policy;

import static dev.fleet.scaler.policy.InvalidPolicyException.check;
import static dev.fleet.scaler.policy.InvalidPolicyException.checkPositive;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Pre-scaling ahead of a predicted peak: the pool grows to the capacity the forecast needs
 * within the next {@code leadTime}, so runners are up when the load arrives rather than a
 * threshold's hold later. The capacity comes from the policy's own formula: jobs per instance
 * of its {@link QueueTarget} (forecast of inFlight + waiting) or the target of its
 * {@link TargetTracking} (forecast of the tracked metric). It only ever scales out: a quiet
 * forecast is no reason to remove runners that the live rules still want.
 *
 * <p>The forecast looks at the highest slot over {@code [now, now + leadTime]}, not only the
 * slot at {@code now + leadTime}, so it keeps holding the capacity through the peak instead of
 * letting it go a lead time before the peak ends.
 */
public record Predictive(Duration leadTime, Formula formula) {

    public static final String RULE = "forecast";
    public static final Duration LEAD_TIME_DEFAULT = Duration.ofMinutes(15);

    /** Which of the policy's formulas turns a forecast into instances. */
    public enum Formula {
        /** {@code ceil(forecast / queueTarget.jobsPerInstance)}; the forecast is of inFlight + waiting. */
        JOBS_PER_INSTANCE,
        /** {@code ceil(current × forecast / targetTracking.target)}; the forecast is of the tracked metric. */
        TARGET_TRACKING
    }

    /** Pre-scale {@link #LEAD_TIME_DEFAULT} ahead with {@code formula}. */
    public static Predictive of(Formula formula) {
        return new Predictive(LEAD_TIME_DEFAULT, formula);
    }

    Optional<Recommendation> recommend(PoolPolicy policy, int current, SeasonalForecast forecast, Instant now) {
        OptionalDouble peak = forecast.peak(now, now.plus(leadTime));
        if (peak.isEmpty()) {
            return Optional.empty();
        }
        double expected = peak.getAsDouble();
        int needed = formula == Formula.JOBS_PER_INSTANCE
                ? Capacity.instancesFor(expected, policy.queueTarget().jobsPerInstance())
                : policy.targetTracking().instancesFor(current, expected);
        if (needed <= current) {
            return Optional.empty(); // only upward
        }
        return Optional.of(new Recommendation(RULE, needed, "forecast " + forecast.metric() + " "
                + Text.number(expected) + " within " + Text.duration(leadTime) + " needs " + needed + " instances"));
    }

    void validate(String path, QueueTarget queueTarget, TargetTracking targetTracking) {
        checkPositive(leadTime, path + ".leadTime");
        check(formula != null, path + ".formula", "must be JOBS_PER_INSTANCE or TARGET_TRACKING");
        check(formula != Formula.JOBS_PER_INSTANCE || queueTarget != null, path + ".formula",
                "JOBS_PER_INSTANCE uses the queue target's jobs per instance, but the policy has no queueTarget");
        check(formula != Formula.TARGET_TRACKING || targetTracking != null, path + ".formula",
                "TARGET_TRACKING uses the target tracking's target, but the policy has no targetTracking");
    }
}
