package dev.fleet.client;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A job a claim handed to this runner; {@code leaseToken} is what every later action on it presents,
 * {@code runAt} when it became due (queue-service's clock), so a runner can tell how long it waited.
 */
public record ClaimedJob(long id, String queue, String kind, JsonNode payload, String priority, int attempt,
        int maxAttempts, UUID leaseToken, Instant leaseExpiresAt, Instant runAt) {
}
