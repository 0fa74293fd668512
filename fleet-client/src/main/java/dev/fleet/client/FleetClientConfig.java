package dev.fleet.client;

import java.net.URI;
import java.time.Duration;

/**
 * Where the Fleet services are and how to talk to them. {@code telemetryUrl} may be null (no
 * telemetry). {@code token} is a bearer token of the runner role (or admin).
 */
public record FleetClientConfig(URI queueUrl, URI sessionUrl, URI telemetryUrl, String token, Duration connectTimeout,
        Duration requestTimeout, RetryPolicy retry) {

    public FleetClientConfig {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("a bearer token is required");
        }
    }

    /** The local stack's addresses with default timeouts and retries. */
    public static FleetClientConfig local(String token) {
        return new FleetClientConfig(URI.create("http://127.0.0.1:8081"), URI.create("http://127.0.0.1:8082"),
                URI.create("http://127.0.0.1:8084"), token, Duration.ofSeconds(2), Duration.ofSeconds(10),
                RetryPolicy.DEFAULT);
    }
}
