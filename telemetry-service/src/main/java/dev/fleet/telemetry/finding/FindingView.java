package dev.fleet.telemetry.finding;

import java.time.Instant;

/**
 * A finding as {@code GET /findings} shows it; {@code state} is open or resolved, {@code detail}
 * says which indicators held (bottlenecks) or for how long (held capacity indicators), else null.
 */
public record FindingView(long id, String kind, String name, String subject, String severity, double value,
        double threshold, String remediation, String detail, String state, Instant openedAt, Instant lastSeenAt,
        Instant resolvedAt) {
}
