package dev.fleet.queue.claim;

import java.util.List;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Bodies of the lease actions. In the single forms ({@code /jobs/{id}/...}) the job id comes
 * from the path and {@code jobId} may be left out; in the batch forms ({@code /leases/...}) every
 * item names its job.
 */
public final class LeaseRequests {

    private LeaseRequests() {
    }

    /** Heartbeat or release. */
    public record Lease(Long jobId, @NotNull UUID leaseToken) {
    }

    public record Complete(Long jobId, @NotNull UUID leaseToken, JsonNode result) {
    }

    /** {@code retryable} defaults to true; false sends the job straight to the dead letters. */
    public record Fail(Long jobId, @NotNull UUID leaseToken, @NotBlank @Size(max = 4000) String error, Boolean retryable) {
    }

    public record LeaseBatch(@NotEmpty List<@Valid Lease> items) {
    }

    public record CompleteBatch(@NotEmpty List<@Valid Complete> items) {
    }

    public record FailBatch(@NotEmpty List<@Valid Fail> items) {
    }
}
