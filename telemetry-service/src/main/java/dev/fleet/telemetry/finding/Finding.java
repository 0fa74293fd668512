package dev.fleet.telemetry.finding;

/**
 * What one evaluation found for one indicator (kind {@code capacity}) or signature (kind
 * {@code bottleneck}) and subject: how bad, its value and the level passed; {@code detail} says which
 * indicators held (signatures) or how long (held capacity indicators), null when the value says it all.
 */
public record Finding(String kind, String name, String subject, String severity, double value, double threshold,
        String remediation, String detail) {

    static final String CAPACITY = "capacity";
    static final String BOTTLENECK = "bottleneck";

    /** Worst first: emergency 3, critical 2, warning 1. */
    int rank() {
        return switch (severity) {
            case "emergency" -> 3;
            case "critical" -> 2;
            default -> 1;
        };
    }
}
