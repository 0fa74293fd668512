package dev.fleet.queue.queue;

import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * Body of {@code PUT /queues/{name}}: every field is optional; an absent field keeps the queue's
 * current value (or the configured default for a new queue). A limit set to 0 is removed.
 */
public record QueueSettingsRequest(
        Boolean paused,
        @Min(1) @Max(1000) Integer maxAttempts,
        @Min(0) @Max(86_400_000) Long backoffBaseMs,
        @Min(0) @Max(86_400_000) Long backoffMaxMs,
        @Min(100) @Max(86_400_000) Long leaseMs,
        @Min(1000) @Max(2_592_000_000L) Long ttlUrgentMs,
        @Min(1000) @Max(2_592_000_000L) Long ttlNormalMs,
        @Min(1000) @Max(2_592_000_000L) Long ttlBackgroundMs,
        @DecimalMin("0") Double ratePerSecond,
        @Min(0) Long costPerMinute,
        @Min(0) @Max(1_000_000) Integer fairnessLimit) {
}
