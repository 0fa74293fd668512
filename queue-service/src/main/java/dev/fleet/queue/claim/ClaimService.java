package dev.fleet.queue.claim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import jakarta.inject.Singleton;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.queue.config.QueueConfig;
import dev.fleet.queue.metrics.QueueMetrics;
import dev.fleet.queue.queue.QueueNames;
import dev.fleet.queue.queue.QueueSettingsCache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Claims: hands a runner up to its free capacity of jobs, waiting (long-poll) up to its wait for
 * work to arrive. Queues without limits take the one-statement SKIP LOCKED claim; queues with a
 * rate, cost or fairness limit take a transaction that locks the queue row, so those limits hold
 * exactly however many replicas and claimers there are (their claims serialise per queue).
 */
@Singleton
public class ClaimService {

    private static final Duration FAIRNESS_RECHECK = Duration.ofMillis(100);
    /** Less than this left of a claim's wait is not worth another round: answer with what there is. */
    private static final long MIN_WAIT_NANOS = Duration.ofMillis(1).toNanos();

    private final Pool pool;
    private final JobClaims claims;
    private final QueueSettingsCache settings;
    private final ClaimWaiters waiters;
    private final QueueMetrics metrics;
    private final QueueConfig config;

    ClaimService(Pool pool, JobClaims claims, QueueSettingsCache settings, ClaimWaiters waiters, QueueMetrics metrics,
            QueueConfig config) {
        this.pool = pool;
        this.claims = claims;
        this.settings = settings;
        this.waiters = waiters;
        this.metrics = metrics;
        this.config = config;
    }

    public Uni<List<ClaimedJob>> claimJobs(String queue, ClaimRequest request) {
        QueueNames.require(queue);
        int max = request.max() == null ? 1 : request.max();
        if (max > config.maxClaim()) {
            throw ProblemException.invalidField("max", "A claim takes at most " + config.maxClaim() + " jobs.")
                    .with("limit", config.maxClaim());
        }
        long waitMs = request.waitMs() == null ? 0 : request.waitMs();
        if (waitMs > config.maxClaimWait().toMillis()) {
            throw ProblemException.invalidField("waitMs", "A claim waits at most " + config.maxClaimWait().toMillis()
                    + " ms.").with("limit", config.maxClaimWait().toMillis());
        }
        long deadline = System.nanoTime() + Duration.ofMillis(waitMs).toNanos();
        return claimUntil(queue, request.runnerId(), max, waitMs > 0 ? deadline : 0);
    }

    private Uni<List<ClaimedJob>> claimUntil(String queue, String runnerId, int max, long deadline) {
        ClaimWaiters.Waiter waiter = deadline == 0 ? null : waiters.register(queue);
        return attempt(queue, runnerId, max)
                .onFailure().invoke(() -> leave(waiter))
                .chain(result -> {
                    long remaining = deadline - System.nanoTime();
                    if (!result.jobs().isEmpty() || waiter == null || remaining < MIN_WAIT_NANOS) {
                        leave(waiter);
                        return Uni.createFrom().item(result.jobs());
                    }
                    Duration sleep = Duration.ofNanos(remaining);
                    if (result.retryIn() != null && result.retryIn().compareTo(sleep) < 0) {
                        sleep = result.retryIn();
                    }
                    return waiter.await(sleep).chain(() -> claimUntil(queue, runnerId, max, deadline));
                });
    }

    private static void leave(ClaimWaiters.Waiter waiter) {
        if (waiter != null) {
            waiter.leave();
        }
    }

    private Uni<ClaimResult> attempt(String queue, String runnerId, int max) {
        long started = System.nanoTime();
        // Cached, so a claim costs no query for them; a limited queue's claim re-reads its row under lock anyway.
        return settings.find(queue).chain(found -> {
            if (found.isEmpty() || found.get().paused()) {
                return Uni.createFrom().item(ClaimResult.none(null));
            }
            if (!found.get().hasClaimLimits()) {
                return claims.claim(queue, max, runnerId, found.get().leaseMs())
                        .map(jobs -> new ClaimResult(jobs, null));
            }
            return pool.withTransaction(tx -> claimLimited(tx, queue, runnerId, max));
        }).invoke(result -> {
            metrics.claimLatency(queue, Duration.ofNanos(System.nanoTime() - started));
            metrics.claimed(queue, result.jobs().size());
            Instant now = Instant.now();
            result.jobs().forEach(job -> metrics.timeInQueue(queue, Duration.between(job.runAt(), now)));
        });
    }

    /**
     * Claim on a queue with limits, inside a transaction holding its row lock. Token buckets:
     * the rate allows {@code ratePerSecond} jobs a second (bursts of one second's worth), the cost
     * budget {@code costPerMinute} units a minute; fairness caps running jobs per key.
     */
    private Uni<ClaimResult> claimLimited(SqlConnection tx, String queue, String runnerId, int max) {
        return claims.lockQueue(tx, queue).chain(q -> {
            if (q == null || q.paused()) {
                return Uni.createFrom().item(ClaimResult.none(null));
            }
            double elapsed = Math.max(0, Duration.between(q.tokensAt(), q.now()).toNanos() / 1e9);
            double rateTokens = q.ratePerSecond() == null ? 0
                    : Math.min(Math.max(1, q.ratePerSecond()), q.rateTokens() + elapsed * q.ratePerSecond());
            double costTokens = q.costPerMinute() == null ? 0
                    : Math.min(q.costPerMinute(), q.costTokens() + elapsed * q.costPerMinute() / 60.0);
            int allowed = q.ratePerSecond() == null ? max : (int) Math.min(max, Math.floor(rateTokens));
            if (allowed == 0) {
                Duration retryIn = Duration.ofNanos((long) ((1 - rateTokens) / q.ratePerSecond() * 1e9) + 1);
                return claims.saveTokens(tx, queue, rateTokens, costTokens, q.now())
                        .replaceWith(ClaimResult.none(retryIn));
            }
            int window = q.fairnessLimit() == null ? allowed : allowed * 4 + 16;
            return claims.candidates(tx, queue, window, q.fairnessLimit()).chain(candidates -> {
                List<String> keys = candidates.stream().map(JobClaims.Candidate::fairnessKey)
                        .filter(Objects::nonNull).distinct().toList();
                return claims.runningByKey(tx, queue, keys).chain(running -> {
                    Pick pick = pick(candidates, running, q, allowed, costTokens);
                    double rateLeft = q.ratePerSecond() == null ? 0 : rateTokens - pick.ids().size();
                    return claims.claimIds(tx, pick.ids(), runnerId, q.leaseMs())
                            .call(() -> claims.saveTokens(tx, queue, rateLeft, costTokens - pick.cost(), q.now()))
                            .map(jobs -> new ClaimResult(jobs, jobs.isEmpty() ? pick.retryIn() : null));
                });
            });
        });
    }

    private record Pick(List<Long> ids, long cost, Duration retryIn) {
    }

    /** Takes candidates in queue order while the fairness and cost limits allow. */
    private static Pick pick(List<JobClaims.Candidate> candidates, Map<String, Long> running, JobClaims.LockedQueue q,
            int allowed, double costTokens) {
        List<Long> ids = new ArrayList<>();
        Map<String, Long> perKey = new HashMap<>(running);
        long cost = 0;
        for (JobClaims.Candidate c : candidates) {
            if (ids.size() == allowed) {
                break;
            }
            if (c.fairnessKey() != null && q.fairnessLimit() != null
                    && perKey.getOrDefault(c.fairnessKey(), 0L) >= q.fairnessLimit()) {
                continue;
            }
            double budget = costTokens - cost;
            // A job costing more than a whole minute's budget runs once the bucket is full.
            boolean fits = q.costPerMinute() == null || c.cost() <= budget || budget >= q.costPerMinute();
            if (!fits) {
                // Stop rather than skip: a costly job must not be starved by cheaper ones behind it.
                double missing = Math.min(c.cost(), q.costPerMinute()) - budget;
                return new Pick(ids, cost, Duration.ofMillis((long) Math.ceil(missing * 60_000.0 / q.costPerMinute()) + 1));
            }
            ids.add(c.id());
            cost += c.cost();
            if (c.fairnessKey() != null) {
                perKey.merge(c.fairnessKey(), 1L, Long::sum);
            }
        }
        // Nothing fit because every key was at its limit: look again soon (completions send no notification).
        return new Pick(ids, cost, ids.isEmpty() && q.fairnessLimit() != null ? FAIRNESS_RECHECK : null);
    }
}
