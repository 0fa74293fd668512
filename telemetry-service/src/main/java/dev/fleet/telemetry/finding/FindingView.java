package dev.fleet.telemetry.finding;

import java.time.Instant;

/** A finding as {@code GET /findings} shows it; {@code state} is open or resolved. */
public record FindingView(long id, String kind, String name, String subject, String severity, double value,
        double threshold, String remediation, String state, Instant openedAt, Instant lastSeenAt, Instant resolvedAt) {
}
