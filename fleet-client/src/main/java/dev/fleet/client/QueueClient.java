package dev.fleet.client;

import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The runner side of queue-service: claim with long-poll, keep leases alive, and finish jobs.
 * Completions and failures are retried until queue-service answers (however long it is away),
 * so a result the caller handed over is never silently dropped: the answer says whether it was
 * recorded or the lease had been lost meanwhile.
 */
public final class QueueClient {

    private final Transport transport;
    private final URI base;
    private final RetryPolicy retry;
    private final RetryPolicy untilAnswered;

    QueueClient(Transport transport, URI base, RetryPolicy retry) {
        this.transport = transport;
        this.base = base;
        this.retry = retry;
        this.untilAnswered = retry.withGiveUpAfter(Duration.ofSeconds(Long.MAX_VALUE));
    }

    /** Enqueues one job → its id (a producer's call; needs a client, runner or admin token). */
    public long enqueue(String queue, String kind, Object payload) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", kind);
        body.put("payload", payload);
        return transport.call("POST", uri("/queues/" + queue + "/jobs"), body, Map.of(), JsonNode.class, retry,
                Duration.ZERO).get("id").asLong();
    }

    /** The queue's settings and stats, or empty if nothing was ever enqueued to it. */
    public Optional<JsonNode> describe(String queue, RetryPolicy retry) {
        try {
            return Optional.of(transport.call("GET", uri("/queues/" + queue), null, Map.of(), JsonNode.class, retry,
                    Duration.ZERO));
        } catch (FleetApiException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Claims up to {@code max} jobs, waiting up to {@code wait} for the first one to appear. */
    public List<ClaimedJob> claim(String queue, String runnerId, int max, Duration wait) {
        record Claim(String runnerId, int max, long waitMs) {
        }
        record Claimed(List<ClaimedJob> jobs) {
        }
        return transport.call("POST", uri("/queues/" + queue + "/claim"), new Claim(runnerId, max, wait.toMillis()),
                Map.of(), Claimed.class, retry, wait).jobs();
    }

    /** Extends the leases of running jobs, in one request; a result that is not ok means the job is no longer ours. */
    public List<LeaseResult> heartbeat(Collection<ClaimedJob> jobs) {
        return leases("/leases/heartbeat", jobs);
    }

    /** Gives jobs back to the queue without counting the attempt (graceful shutdown). */
    public List<LeaseResult> release(Collection<ClaimedJob> jobs) {
        return leases("/leases/release", jobs);
    }

    /** Records a success; retried until queue-service answers. */
    public Acknowledgement complete(ClaimedJob job, JsonNode result) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("leaseToken", job.leaseToken());
        body.put("result", result);
        return finish(job, "complete", body, "succeeded");
    }

    /** Records a failure (retried by the queue unless {@code retryable} is false); retried until queue-service answers. */
    public Acknowledgement fail(ClaimedJob job, String error, boolean retryable) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("leaseToken", job.leaseToken());
        body.put("error", error);
        body.put("retryable", retryable);
        return finish(job, "fail", body, "failed", "dead");
    }

    /**
     * Records many outcomes in one {@code /leases/complete} (or {@code /leases/fail}) request, retried
     * until queue-service answers; one answer per item, in order. A whole-batch refusal (one item
     * invalid) is a {@link FleetApiException}: send the items one by one then to find which.
     */
    public List<Acknowledgement> completeAll(List<Outcome> outcomes) {
        return finishAll("/leases/complete", outcomes, "succeeded");
    }

    /** As {@link #completeAll}, for failures. */
    public List<Acknowledgement> failAll(List<Outcome> outcomes) {
        return finishAll("/leases/fail", outcomes, "failed", "dead");
    }

    /** Sends one outcome through the single-job form (the per-item fallback of a refused batch). */
    public Acknowledgement finish(Outcome outcome) {
        return outcome.success() ? complete(outcome.job(), outcome.result())
                : fail(outcome.job(), outcome.error(), outcome.retryable());
    }

    private List<Acknowledgement> finishAll(String path, List<Outcome> outcomes, String... endStates) {
        record Batch(List<Map<String, Object>> items) {
        }
        record Results(List<LeaseResult> results) {
        }
        if (outcomes.isEmpty()) {
            return List.of();
        }
        List<Map<String, Object>> items = outcomes.stream().map(Outcome::body).toList();
        List<LeaseResult> results = transport.call("POST", uri(path), new Batch(items), Map.of(), Results.class,
                untilAnswered, Duration.ZERO).results();
        List<Acknowledgement> acks = new java.util.ArrayList<>(results.size());
        for (int i = 0; i < results.size(); i++) {
            LeaseResult result = results.get(i);
            if (result.ok()) {
                acks.add(Acknowledgement.ACKNOWLEDGED);
            } else if (List.of(endStates).contains(result.state())) {
                // Ended in our end state: perhaps by an earlier try of this batch whose answer was lost.
                acks.add(recordedEarlier(outcomes.get(i).job(), endStates) ? Acknowledgement.ACKNOWLEDGED
                        : Acknowledgement.LEASE_LOST);
            } else {
                acks.add(Acknowledgement.LEASE_LOST);
            }
        }
        return acks;
    }

    private Acknowledgement finish(ClaimedJob job, String action, Map<String, Object> body, String... endStates) {
        try {
            transport.call("POST", uri("/jobs/" + job.id() + "/" + action), body, Map.of(), Void.class, untilAnswered,
                    Duration.ZERO);
            return Acknowledgement.ACKNOWLEDGED;
        } catch (FleetApiException e) {
            if (e.status() == 404) {
                return Acknowledgement.LEASE_LOST;
            }
            if (e.status() != 409) {
                throw e;
            }
            // An earlier try may have been recorded with its answer lost on the way back: then the
            // job ended in that state, at our attempt, held by us.
            return recordedEarlier(job, endStates) ? Acknowledgement.ACKNOWLEDGED : Acknowledgement.LEASE_LOST;
        }
    }

    private boolean recordedEarlier(ClaimedJob job, String... endStates) {
        JsonNode current = transport.call("GET", uri("/jobs/" + job.id()), null, Map.of(), JsonNode.class,
                untilAnswered, Duration.ZERO);
        return current.path("attempt").asInt() == job.attempt()
                && List.of(endStates).contains(current.path("state").asText());
    }

    private List<LeaseResult> leases(String path, Collection<ClaimedJob> jobs) {
        record Lease(long jobId, Object leaseToken) {
        }
        record Batch(List<Lease> items) {
        }
        record Results(List<LeaseResult> results) {
        }
        if (jobs.isEmpty()) {
            return List.of();
        }
        List<Lease> items = jobs.stream().map(job -> new Lease(job.id(), job.leaseToken())).toList();
        return transport.call("POST", uri(path), new Batch(items), Map.of(), Results.class, retry, Duration.ZERO)
                .results();
    }

    private URI uri(String path) {
        return base.resolve(path);
    }
}
