package dev.fleet.client;

import java.util.Map;

/** What a runner tells session-service when it registers; {@code host} and {@code weight} may be null. */
public record RunnerRegistration(String pool, String endpoint, String host, int maxSessions, Double weight,
        Map<String, String> labels, String version) {
}
