package dev.fleet.telemetry.param;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

import dev.fleet.platform.problem.ProblemException;

/**
 * Reads an ISO-8601 instant from a body field or query parameter. Parsing it here rather than
 * through JAX-RS or Jackson makes a bad value a 422 that names the field.
 */
public final class InstantParam {

    // Java parses years up to a billion; PostgreSQL's timestamptz ends in 294276 and would fail
    // the statement. No sample was measured before 1970 or after 9999.
    static final Instant EARLIEST = Instant.EPOCH;
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private InstantParam() {
    }

    /** {@code text} as an instant ({@code Z} or an offset) between 1970 and 9999; null stays null. */
    public static Instant parse(String field, String text) {
        if (text == null) {
            return null;
        }
        Instant instant;
        try {
            // OffsetDateTime also takes the ISO forms without seconds (12:00Z, 12:00+02:00) that Instant refuses.
            instant = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw ProblemException.invalidField(field,
                    field + " must be an ISO-8601 instant such as 2025-01-31T12:00:00Z, not '" + text + "'.");
        }
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw ProblemException.invalidField(field, field + " (" + text + ") must lie between 1970 and 9999.");
        }
        return instant;
    }
}
