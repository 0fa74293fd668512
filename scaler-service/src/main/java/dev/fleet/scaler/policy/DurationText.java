package dev.fleet.scaler.policy;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;


/** Durations in pool specs and backend settings: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 1d} or ISO-8601 ({@code PT2M}). */
public final class DurationText {

    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private DurationText() {
    }

    /** {@code fallback} when {@code text} is null. */
    public static Duration parse(String field, String text, Duration fallback) {
        if (text == null) {
            return fallback;
        }
        Matcher m = SHORT.matcher(text.trim());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new InvalidPolicyException(field, "must be a duration like 500ms, 30s, 2m, 1h or PT2M, was '"
                    + text + "'");
        }
    }
}
