package dev.fleet.client;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The producer's side of queue-service: wait for a job's outcome without polling. Each request is
 * a long-poll ({@code GET /jobs/{id}?waitMs=…}) that queue-service answers the moment the job
 * finishes, in whichever replica that happens; waits longer than one request may last
 * ({@link #MAX_WAIT_PER_REQUEST}) are chained.
 */
public final class JobResults {

    /** queue-service's default {@code fleet.queue.max-claim-wait}, which bounds one wait. */
    public static final Duration MAX_WAIT_PER_REQUEST = Duration.ofSeconds(30);

    private final Transport transport;
    private final URI base;
    private final RetryPolicy retry;

    JobResults(Transport transport, URI base, RetryPolicy retry) {
        this.transport = transport;
        this.base = base;
        this.retry = retry;
    }

    /**
     * Waits up to {@code timeout} for the job to finish and returns it; when the timeout passes
     * first, returns it as it is then ({@link JobOutcome#finished()} false).
     *
     * @throws FleetApiException 404 {@code job-not-found} for an unknown job
     */
    public JobOutcome awaitResult(long jobId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long leftMs = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
            long waitMs = Math.min(leftMs, MAX_WAIT_PER_REQUEST.toMillis());
            JobOutcome job = transport.call("GET", base.resolve("/jobs/" + jobId + "?waitMs=" + waitMs), null, Map.of(),
                    JobOutcome.class, retry, Duration.ofMillis(waitMs));
            if (job.finished() || leftMs == 0 || System.nanoTime() >= deadline) {
                return job;
            }
        }
    }
}
