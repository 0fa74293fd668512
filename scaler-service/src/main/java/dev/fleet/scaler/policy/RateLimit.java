package dev.fleet.scaler.policy;

import static dev.fleet.scaler.policy.InvalidPolicyException.check;
import static dev.fleet.scaler.policy.InvalidPolicyException.checkPositive;

import java.time.Duration;

/** At most {@code maxInstances} added (or removed) within any {@code per}, counted from past decisions. */
public record RateLimit(int maxInstances, Duration per) {

    void validate(String path) {
        check(maxInstances >= 1, path + ".maxInstances", "must be at least 1, was " + maxInstances);
        checkPositive(per, path + ".per");
    }

    @Override
    public String toString() {
        return maxInstances + " per " + Text.duration(per);
    }
}
