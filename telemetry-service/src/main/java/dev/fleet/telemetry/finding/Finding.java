package dev.fleet.telemetry.finding;

/** What one evaluation found for one indicator and subject: how bad, its value and the level passed. */
public record Finding(String kind, String name, String subject, String severity, double value, double threshold,
        String remediation) {

    /** The severity {@code value} reaches on three ascending levels, or null below the first. */
    static Level level(double value, double warning, double critical, double emergency) {
        if (value >= emergency) {
            return new Level("emergency", emergency);
        }
        if (value >= critical) {
            return new Level("critical", critical);
        }
        return value >= warning ? new Level("warning", warning) : null;
    }

    record Level(String severity, double threshold) {
    }
}
