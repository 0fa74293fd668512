package dev.fleet.queue.periodic;

import java.util.List;

import jakarta.inject.Singleton;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.queue.config.QueueConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Periodic (cron) job definitions: create or replace, read, list, delete. Definitions only
 * describe a schedule; {@link PeriodicJobEnqueuer} turns their ticks into jobs. Definitions are
 * few and small, so listing is unpaginated.
 */
@Singleton
public class PeriodicJobService {

    private final Pool pool;
    private final PeriodicJobQueries queries;
    private final QueueConfig config;

    PeriodicJobService(Pool pool, PeriodicJobQueries queries, QueueConfig config) {
        this.pool = pool;
        this.queries = queries;
        this.config = config;
    }

    /** Replaces the whole definition (absent fields take their defaults); its schedule position is kept. */
    public Uni<PeriodicJobView> putPeriodicJob(String name, PeriodicJobRequest request) {
        String payload = request.payload() == null || request.payload().isNull() ? null : request.payload().toString();
        return store(PeriodicJob.validate(name, request.queue(), request.kind(), payload, request.priority(),
                request.cron(), request.timeZone(), request.missedPolicy(), request.enabled(), config.maxPayloadBytes()));
    }

    public Uni<PeriodicJobView> findPeriodicJob(String name) {
        PeriodicJob.requireName(name);
        return queries.find(pool, name).map(found -> found.orElseThrow(() -> unknownPeriodicJob(name)).view());
    }

    public Uni<List<PeriodicJobView>> listPeriodicJobs() {
        return queries.list().map(all -> all.stream().map(StoredPeriodicJob::view).toList());
    }

    public Uni<Void> deletePeriodicJob(String name) {
        PeriodicJob.requireName(name);
        return queries.delete(name).invoke(deleted -> {
            if (!deleted) {
                throw unknownPeriodicJob(name);
            }
        }).replaceWithVoid();
    }

    /** Upserts a validated definition; an identical one is left untouched and simply read back. */
    Uni<PeriodicJobView> store(PeriodicJob job) {
        return pool.withTransaction(connection -> queries.upsert(connection, job)
                .chain(stored -> stored.isPresent()
                        ? Uni.createFrom().item(stored.get())
                        : queries.find(connection, job.name()).map(found -> found.orElseThrow())))
                .map(StoredPeriodicJob::view);
    }

    public static ProblemException unknownPeriodicJob(String name) {
        return ProblemException.notFound("periodic-job", "There is no periodic job named '" + name + "'.");
    }
}
