package dev.fleet.queue.job;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.inject.Singleton;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.queue.config.QueueConfig;
import dev.fleet.queue.metrics.QueueMetrics;
import dev.fleet.queue.notify.JobAvailableListener;
import dev.fleet.queue.notify.QueuePublisher;
import dev.fleet.queue.queue.QueueNames;
import dev.fleet.queue.queue.QueueService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/** Enqueueing (single and batch, idempotent by unique key), reading, listing and cancelling jobs. */
@Singleton
public class JobService {

    /** A job and whether this request created it. */
    public record EnqueueOutcome(JobView job, boolean created) {
    }

    private final Pool pool;
    private final JobQueries queries;
    private final QueueService queues;
    private final QueueMetrics metrics;
    private final QueueConfig config;
    private final QueuePublisher publisher;
    private final ResultWaiters waiters;
    private final JobAvailableListener available;

    JobService(Pool pool, JobQueries queries, QueueService queues, QueueMetrics metrics,
            QueueConfig config, QueuePublisher publisher, ResultWaiters waiters, JobAvailableListener available) {
        this.pool = pool;
        this.queries = queries;
        this.queues = queues;
        this.metrics = metrics;
        this.config = config;
        this.publisher = publisher;
        this.waiters = waiters;
        this.available = available;
    }

    public Uni<EnqueueOutcome> enqueueJob(String queue, EnqueueJobRequest request) {
        return enqueueJobs(queue, List.of(request)).map(outcomes -> outcomes.get(0));
    }

    /** Enqueues all jobs into one queue atomically (one statement), with one NOTIFY for the lot. */
    public Uni<List<EnqueueOutcome>> enqueueJobs(String queue, List<EnqueueJobRequest> requests) {
        QueueNames.require(queue);
        if (requests.size() > config.maxBatchSize()) {
            throw ProblemException.tooLarge("jobs", config.maxBatchSize(),
                    "A batch holds at most " + config.maxBatchSize() + " jobs; this one has " + requests.size() + ".");
        }
        List<JobQueries.NewJob> jobs = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            jobs.add(toNewJob(requests.get(i), requests.size() == 1 ? "" : "jobs[" + i + "]."));
        }
        return queues.ensureQueue(pool, queue)
                // One statement inserts and announces the lot; only duplicates need more reads.
                .chain(() -> queries.insert(pool, queue, jobs))
                // Committed (one statement): this replica's claimers need not wait for the NOTIFY's round trip.
                .invoke(inserted -> available.availableHere(queue, (int) inserted.stream()
                        .filter(job -> job.isPresent() && job.get().state() == JobState.available).count()))
                .chain(inserted -> resolveDuplicates(queue, jobs, inserted))
                .invoke(outcomes -> metrics.enqueued(queue, (int) outcomes.stream().filter(EnqueueOutcome::created).count()));
    }

    public Uni<JobView> findJob(long id) {
        return queries.find(id).map(found -> found.orElseThrow(() -> unknownJob(id)));
    }

    /**
     * The job once it finished (succeeded, dead, cancelled), waiting up to {@code waitMs} for that
     * (a long-poll bounded like claims); after the wait, the job as it is. The waiter registers
     * before the read, so a job finishing between the read and the wait still wakes it.
     */
    public Uni<JobView> awaitJob(long id, long waitMs) {
        if (waitMs > config.maxClaimWait().toMillis()) {
            throw ProblemException.invalidField("waitMs", "A wait for a result lasts at most "
                    + config.maxClaimWait().toMillis() + " ms (fleet.queue.max-claim-wait).")
                    .with("limit", config.maxClaimWait().toMillis());
        }
        if (waitMs <= 0) {
            return findJob(id);
        }
        return awaitUntil(id, System.nanoTime() + Duration.ofMillis(waitMs).toNanos());
    }

    private Uni<JobView> awaitUntil(long id, long deadline) {
        ResultWaiters.Waiter waiter = waiters.forJob(id);
        return findJob(id).onFailure().invoke(waiter::leave).chain(job -> {
            long left = deadline - System.nanoTime();
            if (job.state().isFinal() || left <= 0) {
                waiter.leave();
                return Uni.createFrom().item(job);
            }
            Duration slice = Duration.ofNanos(Math.min(left, config.resultRecheck().toNanos()));
            return waiter.await(slice).chain(() -> awaitUntil(id, deadline));
        });
    }

    public Uni<JobPage> listJobs(JobFilter filter, Long cursor, Integer limit) {
        int pageSize = limit == null ? 100 : limit;
        if (pageSize < 1 || pageSize > config.maxPageSize()) {
            throw ProblemException.invalidField("limit", "limit must be between 1 and " + config.maxPageSize() + ".")
                    .with("limit", config.maxPageSize());
        }
        return queries.list(filter, cursor, pageSize).map(jobs -> new JobPage(jobs,
                jobs.size() == pageSize ? jobs.get(jobs.size() - 1).id() : null));
    }

    public Uni<JobView> cancelJob(long id) {
        return pool.withTransaction(connection -> queries.cancel(connection, id)
                        .call(cancelled -> cancelled.isEmpty() ? Uni.createFrom().voidItem()
                                : publisher.jobsFinished(connection, Map.of(cancelled.get().queue(), List.of(id)), false)))
                .chain(cancelled -> cancelled.isPresent()
                        ? Uni.createFrom().item(cancelled.get()).invoke(job -> metrics.finished(job.queue(), "cancelled"))
                        : findJob(id).map(job -> {
                            throw ProblemException.conflict("job-finished",
                                    "Job " + id + " is " + job.state() + " and can no longer be cancelled.")
                                    .with("state", job.state().name());
                        }));
    }

    public static ProblemException unknownJob(long id) {
        return ProblemException.notFound("job", "There is no job " + id + ".");
    }

    /**
     * Where the insert did nothing, a live job held the unique key: answer with that job. If it
     * finished in between, the key is free again and one more insert settles it. Only those
     * duplicates take more reads, one after another as a flat stream: a Uni chain with a stage per
     * job nests as deep as the batch and overflowed the event loop's stack on a cold JVM.
     */
    private Uni<List<EnqueueOutcome>> resolveDuplicates(String queue,
            List<JobQueries.NewJob> jobs, List<Optional<JobView>> inserted) {
        List<EnqueueOutcome> outcomes = new ArrayList<>(jobs.size());
        List<Integer> duplicates = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            Optional<JobView> row = inserted.get(i);
            outcomes.add(row.map(job -> new EnqueueOutcome(job, true)).orElse(null));
            if (row.isEmpty()) {
                duplicates.add(i);
            }
        }
        if (duplicates.isEmpty()) {
            return Uni.createFrom().item(outcomes);
        }
        return Multi.createFrom().iterable(duplicates)
                .onItem().transformToUniAndConcatenate(i -> resolveDuplicate(queue, jobs.get(i))
                        .invoke(outcome -> outcomes.set(i, outcome)))
                .collect().last()
                .replaceWith(outcomes);
    }

    private Uni<EnqueueOutcome> resolveDuplicate(String queue, JobQueries.NewJob job) {
        return queries.findLiveByUniqueKey(pool, queue, job.uniqueKey())
                .chain(live -> live.isPresent()
                        ? Uni.createFrom().item(new EnqueueOutcome(live.get(), false))
                        : queries.insert(pool, queue, List.of(job)).map(again -> new EnqueueOutcome(
                                again.get(0).orElseThrow(() -> ProblemException.conflict("unique-key-busy",
                                        "Another request is enqueueing a job with unique key '" + job.uniqueKey()
                                                + "'; retry.")), true)));
    }

    private JobQueries.NewJob toNewJob(EnqueueJobRequest request, String fieldPrefix) {
        String payload = request.payload() == null || request.payload().isNull() ? "{}" : request.payload().toString();
        int bytes = payload.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > config.maxPayloadBytes()) {
            throw ProblemException.tooLarge(fieldPrefix + "payload", config.maxPayloadBytes(),
                    "The payload is " + bytes + " bytes; a job payload may have at most " + config.maxPayloadBytes() + ".");
        }
        if (request.runAt() != null && request.delayMs() != null) {
            throw ProblemException.invalidField(fieldPrefix + "runAt", "Give runAt or delayMs, not both.");
        }
        return new JobQueries.NewJob(request.kind(), payload,
                request.priority() == null ? Priority.P3 : request.priority(), request.delayMs(),
                request.runAt() == null ? null : request.runAt().atOffset(ZoneOffset.UTC),
                request.uniqueKey(), request.fairnessKey(), request.cost() == null ? 1 : request.cost(),
                request.maxAttempts());
    }
}
