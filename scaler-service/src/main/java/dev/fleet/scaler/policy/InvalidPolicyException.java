package dev.fleet.scaler.policy;

import java.time.Duration;

/**
 * A pool policy that cannot work, naming the field at fault ({@code rules[1].step},
 * {@code queueTarget.jobsPerInstance}); the API layer answers it with a 422 problem whose
 * {@code field} member is {@link #field()} and whose detail is the message.
 */
public final class InvalidPolicyException extends IllegalArgumentException {

    private final String field;

    public InvalidPolicyException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }

    static void check(boolean ok, String field, String problem) {
        if (!ok) {
            throw new InvalidPolicyException(field, problem);
        }
    }

    static void checkPositive(Duration d, String field) {
        check(d != null && !d.isNegative() && !d.isZero(), field, "must be a positive duration, was " + d);
    }

    static void checkNotNegative(Duration d, String field) {
        check(d != null && !d.isNegative(), field, "must be zero (off) or a positive duration, was " + d);
    }

    static void checkNotBlank(String s, String field) {
        check(s != null && !s.isBlank(), field, "must not be blank");
    }
}
