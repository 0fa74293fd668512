package dev.fleet.client;

import java.time.Instant;
import java.util.Map;

/** One performance sample for telemetry-service: how long {@code feature} took, and whether it went well. */
public record TelemetrySample(String source, String feature, double durationMs, String outcome, Instant at,
        Map<String, Object> attributes) {
}
