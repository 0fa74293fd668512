package dev.fleet.queue.periodic;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a periodic job does about a tick the enqueuer did not see on time (the service was down,
 * the definition's queue-service replicas were all stopped, a pass was very late). "On time" is
 * defined by {@link PeriodicJobEnqueuer}. Either way at most one job is enqueued per pass: a
 * schedule never bursts to catch up on every tick it missed.
 *
 * <p>The JSON and config spelling is {@code skip} / {@code run-once}; it is also what the
 * {@code missed_policy} column stores.
 */
public enum MissedPolicy {

    /** Missed ticks are dropped; the schedule resumes with its next tick. The default. */
    @JsonProperty("skip")
    SKIP("skip"),

    /** The latest missed tick is run once, as soon as the enqueuer sees it; older ones are dropped. */
    @JsonProperty("run-once")
    RUN_ONCE("run-once");

    private final String value;

    MissedPolicy(String value) {
        this.value = value;
    }

    /** The spelling used in JSON, config and the database. */
    public String value() {
        return value;
    }

    static MissedPolicy fromValue(String value) {
        for (MissedPolicy policy : values()) {
            if (policy.value.equals(value)) {
                return policy;
            }
        }
        throw new IllegalArgumentException("Unknown missed policy '" + value + "'");
    }
}
