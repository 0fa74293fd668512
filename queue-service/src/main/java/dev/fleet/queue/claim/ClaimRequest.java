package dev.fleet.queue.claim;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * Body of {@code POST /queues/{queue}/claim}: who claims, how many jobs it can take now (its free
 * capacity, default 1), and how long it will wait for work if none is available (default 0).
 */
public record ClaimRequest(
        @NotBlank @Size(max = 200) String runnerId,
        @Min(1) Integer max,
        @Min(0) Long waitMs) {
}
