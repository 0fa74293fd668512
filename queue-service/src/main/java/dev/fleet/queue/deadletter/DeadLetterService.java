package dev.fleet.queue.deadletter;

import java.util.HashMap;
import java.util.Map;

import jakarta.inject.Singleton;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.queue.config.QueueConfig;
import dev.fleet.queue.job.JobService;
import dev.fleet.queue.job.JobView;
import dev.fleet.queue.notify.QueuePublisher;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgException;

/**
 * Dead letters are jobs in state {@code dead} (attempts used up, non-retryable, expired). They stay
 * for {@code fleet.queue.dead-retention} to be inspected, replayed with fresh attempts, or purged.
 * Bulk replays and purges handle at most {@code fleet.queue.max-bulk} jobs per request and say
 * whether more match, so one call never holds a huge transaction.
 */
@Singleton
public class DeadLetterService {

    /** The answer of a bulk replay or purge. */
    public record BulkResult(int count, boolean more) {
    }

    private final Pool pool;
    private final DeadLetterQueries queries;
    private final JobService jobs;
    private final QueuePublisher publisher;
    private final QueueConfig config;

    DeadLetterService(Pool pool, DeadLetterQueries queries, JobService jobs, QueuePublisher publisher, QueueConfig config) {
        this.pool = pool;
        this.queries = queries;
        this.jobs = jobs;
        this.publisher = publisher;
        this.config = config;
    }

    public Uni<JobView> replayJob(long id) {
        return pool.withTransaction(tx -> queries.replayOne(tx, id)
                .call(replayed -> replayed.isPresent()
                        ? publisher.jobsAvailable(tx, Map.of(replayed.get().queue(), 1))
                        : Uni.createFrom().voidItem()))
                .onFailure(PgException.class).transform(e -> "23505".equals(((PgException) e).getSqlState())
                        ? ProblemException.conflict("unique-key-live",
                                "Job " + id + " cannot be replayed: a live job holds its unique key.")
                        : e)
                .chain(replayed -> replayed.isPresent()
                        ? Uni.createFrom().item(replayed.get())
                        : jobs.findJob(id).map(job -> {
                            throw ProblemException.conflict("not-dead",
                                    "Job " + id + " is " + job.state() + "; only dead jobs can be replayed.")
                                    .with("state", job.state().name());
                        }));
    }

    public Uni<BulkResult> replayMatching(DeadLetterFilter filter) {
        int limit = config.maxBulk();
        return pool.withTransaction(tx -> queries.replayMatching(tx, filter, limit).chain(rows -> {
            Map<String, Integer> perQueue = new HashMap<>();
            rows.forEach(row -> perQueue.merge(row.getString("queue"), 1, Integer::sum));
            return publisher.jobsAvailable(tx, perQueue).replaceWith(new BulkResult(rows.rowCount(), rows.rowCount() == limit));
        }));
    }

    public Uni<BulkResult> purgeMatching(DeadLetterFilter filter) {
        int limit = config.maxBulk();
        return queries.purgeMatching(pool, filter, limit).map(n -> new BulkResult(n, n == limit));
    }
}
