package dev.fleet.client;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A job's outcome as handed to queue-service: a success with its {@code result}, or a failure with
 * its {@code error} (retried by the queue unless {@code retryable} is false).
 */
public record Outcome(ClaimedJob job, boolean success, JsonNode result, String error, boolean retryable) {

    public static Outcome completed(ClaimedJob job, JsonNode result) {
        return new Outcome(job, true, result, null, false);
    }

    public static Outcome failed(ClaimedJob job, String error, boolean retryable) {
        return new Outcome(job, false, null, error, retryable);
    }

    /** The item of a {@code /leases/complete} or {@code /leases/fail} batch. */
    Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jobId", job.id());
        body.put("leaseToken", job.leaseToken());
        if (success) {
            body.put("result", result);
        } else {
            body.put("error", error);
            body.put("retryable", retryable);
        }
        return body;
    }
}
