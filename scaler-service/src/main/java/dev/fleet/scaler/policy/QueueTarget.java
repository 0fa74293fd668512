package dev.fleet.scaler.policy;

import static dev.fleet.scaler.policy.InvalidPolicyException.check;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Size the pool to its queue: {@code ceil((inFlight + waiting) / jobsPerInstance)}, read from
 * the {@code inFlight} and {@code queueDepth} metrics. The formula moves the pool only past the
 * depth thresholds: out only while more than {@code scaleOutAbove} jobs wait, in only while at
 * most {@code scaleInAtOrBelow} wait. The defaults (0 and 0) mean "grow whenever work waits,
 * shrink only when the queue is empty", so a pool never sheds runners while it has a backlog.
 *
 * <p>Without a fresh {@code queueDepth} the rule has no opinion; a missing {@code inFlight}
 * counts as 0.
 */
public record QueueTarget(double jobsPerInstance, int scaleOutAbove, int scaleInAtOrBelow) {

    public static final String RULE = "queue-target";
    /** fleet-runner's default number of job slots. */
    public static final double JOBS_PER_INSTANCE_DEFAULT = 4;

    /** The formula with the default depth thresholds (0 and 0). */
    public static QueueTarget of(double jobsPerInstance) {
        return new QueueTarget(jobsPerInstance, 0, 0);
    }

    Optional<Recommendation> recommend(int current, MetricHistory history, Instant now) {
        OptionalDouble depth = history.latest(MetricNames.QUEUE_DEPTH, now);
        if (depth.isEmpty()) {
            return Optional.empty();
        }
        double waiting = depth.getAsDouble();
        double inFlight = history.latest(MetricNames.IN_FLIGHT, now).orElse(0);
        int needed = Capacity.instancesFor(inFlight + waiting, jobsPerInstance);
        String formula = "(inFlight " + Text.number(inFlight) + " + waiting " + Text.number(waiting) + ") / "
                + Text.number(jobsPerInstance) + " jobs per instance = " + needed;
        if (needed > current && waiting <= scaleOutAbove) {
            return Optional.of(new Recommendation(RULE, current,
                    formula + ", but only " + Text.number(waiting) + " waiting (scale out above " + scaleOutAbove + ")"));
        }
        if (needed < current && waiting > scaleInAtOrBelow) {
            return Optional.of(new Recommendation(RULE, current,
                    formula + ", but " + Text.number(waiting) + " still waiting (scale in at or below " + scaleInAtOrBelow + ")"));
        }
        return Optional.of(new Recommendation(RULE, needed, formula));
    }

    void validate(String path) {
        check(Double.isFinite(jobsPerInstance) && jobsPerInstance > 0, path + ".jobsPerInstance",
                "must be a positive number, was " + jobsPerInstance);
        check(scaleInAtOrBelow >= 0, path + ".scaleInAtOrBelow", "must be 0 or more, was " + scaleInAtOrBelow);
        check(scaleOutAbove >= scaleInAtOrBelow, path + ".scaleOutAbove",
                "must be at least scaleInAtOrBelow (" + scaleInAtOrBelow + "), was " + scaleOutAbove);
    }
}
