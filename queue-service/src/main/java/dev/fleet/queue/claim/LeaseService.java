package dev.fleet.queue.claim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.queue.config.QueueConfig;
import dev.fleet.queue.job.JobState;
import dev.fleet.queue.job.JobService;
import dev.fleet.queue.metrics.QueueMetrics;
import dev.fleet.queue.notify.JobFinishedListener;
import dev.fleet.queue.notify.QueuePublisher;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Heartbeat, complete, fail and release of claimed jobs, one or many per request. A batch is one
 * statement over parallel arrays (heartbeat, complete and fail run it alone, without a
 * transaction around it; release adds its NOTIFY in one transaction); each item gets its own
 * outcome, and an item whose lease is not current changes nothing.
 */
@Singleton
public class LeaseService {

    private static final Logger LOG = Logger.getLogger(LeaseService.class);

    private final Pool pool;
    private final JobClaims claims;
    private final QueuePublisher publisher;
    private final QueueMetrics metrics;
    private final QueueConfig config;
    private final JobFinishedListener finished;

    LeaseService(Pool pool, JobClaims claims, QueuePublisher publisher, QueueMetrics metrics, QueueConfig config,
            JobFinishedListener finished) {
        this.pool = pool;
        this.finished = finished;
        this.claims = claims;
        this.publisher = publisher;
        this.metrics = metrics;
        this.config = config;
    }

    public Uni<List<LeaseOutcome>> heartbeat(List<LeaseRequests.Lease> items) {
        List<Long> ids = jobIds(items, LeaseRequests.Lease::jobId);
        return apply(JobClaims.LeaseAction.HEARTBEAT, ids, Tuple.of(ids.toArray(Long[]::new), tokens(items,
                LeaseRequests.Lease::leaseToken)));
    }

    public Uni<List<LeaseOutcome>> complete(List<LeaseRequests.Complete> items) {
        List<Long> ids = jobIds(items, LeaseRequests.Complete::jobId);
        String[] results = new String[items.size()];
        for (int i = 0; i < items.size(); i++) {
            LeaseRequests.Complete item = items.get(i);
            results[i] = item.result() == null || item.result().isNull() ? null : item.result().toString();
            if (results[i] != null && results[i].getBytes(StandardCharsets.UTF_8).length > config.maxPayloadBytes()) {
                throw ProblemException.tooLarge(field(items, i, "result"), config.maxPayloadBytes(),
                        "A job result may have at most " + config.maxPayloadBytes() + " bytes.");
            }
        }
        return apply(JobClaims.LeaseAction.COMPLETE, ids, Tuple.of(ids.toArray(Long[]::new),
                tokens(items, LeaseRequests.Complete::leaseToken), results));
    }

    public Uni<List<LeaseOutcome>> fail(List<LeaseRequests.Fail> items) {
        List<Long> ids = jobIds(items, LeaseRequests.Fail::jobId);
        Boolean[] retryable = items.stream().map(i -> !Boolean.FALSE.equals(i.retryable())).toArray(Boolean[]::new);
        String[] errors = items.stream().map(LeaseRequests.Fail::error).toArray(String[]::new);
        return apply(JobClaims.LeaseAction.FAIL, ids, Tuple.of(ids.toArray(Long[]::new),
                tokens(items, LeaseRequests.Fail::leaseToken), retryable, errors));
    }

    public Uni<List<LeaseOutcome>> release(List<LeaseRequests.Lease> items) {
        List<Long> ids = jobIds(items, LeaseRequests.Lease::jobId);
        return apply(JobClaims.LeaseAction.RELEASE, ids, Tuple.of(ids.toArray(Long[]::new),
                tokens(items, LeaseRequests.Lease::leaseToken)));
    }

    /** The single form's answer: the outcome, or the problem that explains why nothing changed. */
    public static LeaseOutcome requireOk(LeaseOutcome outcome) {
        return switch (outcome.outcome()) {
            case LeaseOutcome.OK -> outcome;
            case LeaseOutcome.NOT_FOUND -> throw JobService.unknownJob(outcome.jobId());
            default -> throw ProblemException.conflict("lease-lost", "Job " + outcome.jobId()
                    + " is not held by this lease token (it is " + outcome.state()
                    + "); the lease expired, or the job was cancelled, rescued or already finished.")
                    .with("state", outcome.state().name());
        };
    }

    private Uni<List<LeaseOutcome>> apply(JobClaims.LeaseAction action, List<Long> ids, Tuple arrays) {
        List<JobClaims.LeaseRow> changed = new ArrayList<>();
        if (action != JobClaims.LeaseAction.RELEASE) {
            // One statement is atomic on its own: no BEGIN/COMMIT round trips. The state lookup
            // for items that changed nothing only explains them, so it needs no shared snapshot.
            return claims.apply(pool, action, ids, arrays)
                    .invoke(changed::addAll)
                    .invoke(() -> count(action, changed))
                    .call(this::announceFinished)
                    .chain(rows -> outcomes(pool, ids, rows));
        }
        // A release tells waiting claimers in the same transaction (NOTIFY is sent at commit).
        return pool.withTransaction(tx -> claims.apply(tx, action, ids, arrays)
                .invoke(changed::addAll)
                .chain(rows -> outcomes(tx, ids, rows)
                        .call(() -> publisher.jobsAvailable(tx, perQueue(rows)))))
                .invoke(() -> count(action, changed)); // counted once committed
    }

    private Uni<List<LeaseOutcome>> outcomes(SqlClient tx, List<Long> ids, List<JobClaims.LeaseRow> rows) {
        List<Long> missed = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i) == null) {
                missed.add(ids.get(i));
            }
        }
        Uni<Map<Long, String>> states = missed.isEmpty() ? Uni.createFrom().item(Map.of()) : claims.states(tx, missed);
        return states.map(current -> {
            List<LeaseOutcome> outcomes = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                JobClaims.LeaseRow row = rows.get(i);
                if (row != null) {
                    outcomes.add(new LeaseOutcome(row.id(), LeaseOutcome.OK, JobState.valueOf(row.state()),
                            row.leaseExpiresAt(), JobState.failed.name().equals(row.state()) ? row.runAt() : null));
                } else if (current.containsKey(ids.get(i))) {
                    outcomes.add(new LeaseOutcome(ids.get(i), LeaseOutcome.LEASE_LOST,
                            JobState.valueOf(current.get(ids.get(i))), null, null));
                } else {
                    outcomes.add(new LeaseOutcome(ids.get(i), LeaseOutcome.NOT_FOUND, null, null, null));
                }
            }
            return outcomes;
        });
    }

    private static Map<String, Integer> perQueue(List<JobClaims.LeaseRow> rows) {
        Map<String, Integer> counts = new HashMap<>();
        rows.stream().filter(Objects::nonNull).forEach(row -> counts.merge(row.queue(), 1, Integer::sum));
        return counts;
    }

    /**
     * Wakes the producers waiting for these jobs once their outcome is stored: this replica's at
     * once, the other replicas' by NOTIFY. A NOTIFY that fails only delays them to their periodic
     * re-read, so it does not fail the request.
     */
    private Uni<Void> announceFinished(List<JobClaims.LeaseRow> rows) {
        Map<String, List<Long>> ended = finishedPerQueue(rows);
        if (ended.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        finished.finishedHere(ended);
        return pool.withConnection(connection -> publisher.jobsFinished(connection, ended, true))
                .onFailure().invoke(e -> LOG.warnf("could not announce %d finished jobs: %s",
                        ended.values().stream().mapToInt(List::size).sum(), e.getMessage()))
                .onFailure().recoverWithNull();
    }

    private static Map<String, List<Long>> finishedPerQueue(List<JobClaims.LeaseRow> rows) {
        Map<String, List<Long>> ids = new HashMap<>();
        rows.stream().filter(row -> row != null && JobState.valueOf(row.state()).isFinal())
                .forEach(row -> ids.computeIfAbsent(row.queue(), q -> new ArrayList<>()).add(row.id()));
        return ids;
    }

    /** Counts finished jobs per queue and outcome (succeeded, failed = retry pending, dead, released). */
    private void count(JobClaims.LeaseAction action, List<JobClaims.LeaseRow> rows) {
        if (action == JobClaims.LeaseAction.HEARTBEAT) {
            return;
        }
        for (JobClaims.LeaseRow row : rows) {
            if (row != null) {
                metrics.finished(row.queue(), action == JobClaims.LeaseAction.RELEASE ? "released" : row.state());
            }
        }
    }

    /** The batch's job ids, checked: within the size limit, each item naming a job, no job twice. */
    private <T> List<Long> jobIds(List<T> items, Function<T, Long> jobId) {
        if (items.size() > config.maxBatchSize()) {
            throw ProblemException.tooLarge("items", config.maxBatchSize(),
                    "A batch holds at most " + config.maxBatchSize() + " items; this one has " + items.size() + ".");
        }
        List<Long> ids = new ArrayList<>(items.size());
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            Long id = jobId.apply(items.get(i));
            if (id == null) {
                throw ProblemException.invalidField(field(items, i, "jobId"), "Every item of a batch names its jobId.");
            }
            if (!seen.add(id)) {
                throw ProblemException.invalidField(field(items, i, "jobId"), "Job " + id + " appears twice in the batch.");
            }
            ids.add(id);
        }
        return ids;
    }

    private static <T> UUID[] tokens(List<T> items, Function<T, UUID> token) {
        return items.stream().map(token).toArray(UUID[]::new);
    }

    private static String field(List<?> items, int index, String name) {
        return items.size() == 1 ? name : "items[" + index + "]." + name;
    }
}
