package dev.fleet.scaler.policy;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the evaluator decided for a pool at {@code at}: go from {@code from} to {@code to}
 * instances ({@code kind}), because of {@code rule}, with the inputs it read and a sentence a
 * person can check.
 *
 * <p>{@code recommended} is the size the winning rule asked for (within min/max) before
 * cooldowns, stabilisation and rate limits; a decision that changes nothing still carries it,
 * because the scale-in stabilisation window is made of these recommendations. {@code rule} is
 * {@link #NO_RULE} when no rule had an opinion; such decisions carry no recommendation.
 * {@code emergency} decisions ignored cooldowns (replace-all, wake-up from zero); {@code alert}
 * asks for a person's attention. {@code dryRun} is the policy's flag, passed through: the caller
 * records the decision but does not act on it.
 */
public record Decision(String pool, Instant at, int from, int to, Kind kind, String rule, int recommended,
        Map<String, Double> inputs, String reason, boolean emergency, boolean alert, boolean dryRun) {

    /** The rule of a decision no rule had an opinion about. */
    public static final String NO_RULE = "none";

    /** What the backend is asked to do. */
    public enum Kind {
        NONE("none"), SCALE_OUT("scale-out"), SCALE_IN("scale-in"), REPLACE_ALL("replace-all");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** The wire name: {@code none}, {@code scale-out}, {@code scale-in}, {@code replace-all}. */
        @Override
        public String toString() {
            return label;
        }
    }

    public Decision {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(reason, "reason");
        inputs = Collections.unmodifiableMap(new TreeMap<>(inputs)); // sorted: stable to log and compare
    }

    /** Whether the backend has something to do. */
    public boolean changes() {
        return kind != Kind.NONE;
    }

    /** Whether a rule had an opinion (and so {@link #recommended} counts for stabilisation). */
    public boolean recommends() {
        return !NO_RULE.equals(rule);
    }
}
