package dev.fleet.queue.claim;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.fleet.queue.job.JobState;

/**
 * What a lease action did to one job: {@code ok}, {@code lease-lost} (the job exists but the
 * token is no longer its lease: expired and rescued, cancelled, already finished) or
 * {@code not-found}. {@code leaseExpiresAt} follows a heartbeat; {@code runAt} a retry.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LeaseOutcome(long jobId, String outcome, JobState state, Instant leaseExpiresAt, Instant runAt) {

    public static final String OK = "ok";
    public static final String LEASE_LOST = "lease-lost";
    public static final String NOT_FOUND = "not-found";
}
