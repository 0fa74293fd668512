package dev.fleet.scaler.policy;

import java.time.Instant;
import java.util.Objects;

/** One observation of a metric: its value at an instant. */
public record Sample(Instant at, double value) {

    public Sample {
        Objects.requireNonNull(at, "at");
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("value: must be a finite number, was " + value);
        }
    }
}
