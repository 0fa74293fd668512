package dev.fleet.client;

import java.time.Instant;

/**
 * One item's answer to a batch lease action: {@code outcome} is {@code ok}, {@code lease-lost}
 * (the job is no longer held by this lease: expired, cancelled, finished) or {@code not-found}.
 */
public record LeaseResult(long jobId, String outcome, String state, Instant leaseExpiresAt) {

    public boolean ok() {
        return "ok".equals(outcome);
    }
}
