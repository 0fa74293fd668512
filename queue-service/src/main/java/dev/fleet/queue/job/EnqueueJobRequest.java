package dev.fleet.queue.job;

import java.time.Instant;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One job to enqueue. Only {@code kind} is required: priority defaults to P3, payload to
 * {@code {}}, the job is due at once unless {@code runAt} or {@code delayMs} says later.
 * A {@code uniqueKey} makes the enqueue idempotent while a job with that key is live.
 */
public record EnqueueJobRequest(
        @NotBlank @Size(max = 200) String kind,
        JsonNode payload,
        Priority priority,
        Instant runAt,
        @Min(0) @Max(31_536_000_000L) Long delayMs,
        @Size(min = 1, max = 255) String uniqueKey,
        @Size(min = 1, max = 255) String fairnessKey,
        @Min(0) @Max(1_000_000_000) Integer cost,
        @Min(1) @Max(1000) Integer maxAttempts) {
}
