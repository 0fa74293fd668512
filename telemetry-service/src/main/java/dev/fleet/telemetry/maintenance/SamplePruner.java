package dev.fleet.telemetry.maintenance;

import java.time.Clock;
import java.time.Instant;
import java.util.stream.Collectors;

import jakarta.inject.Singleton;

import dev.fleet.telemetry.config.TelemetryConfig;
import dev.fleet.telemetry.sample.SampleQueries;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Deletes samples older than {@code fleet.telemetry.retention} (by their {@code at}), oldest
 * first, in batches of {@code retention-batch} rows, each its own short statement, so ingest never
 * waits on it. One run deletes at most {@value #MAX_BATCHES_PER_RUN} batches and leaves the rest
 * to the next run, so a backlog (after downtime, or a lowered retention) is worked off in bounded
 * steps. Every replica may run it: the batches skip each other's rows.
 */
@Singleton
public class SamplePruner {

    static final int MAX_BATCHES_PER_RUN = 10;

    private final SampleQueries queries;
    private final TelemetryConfig config;
    private final Clock clock;

    SamplePruner(SampleQueries queries, TelemetryConfig config, Clock clock) {
        this.queries = queries;
        this.config = config;
        this.clock = clock;
    }

    /** @return how many samples were deleted */
    public Uni<Long> runOnce() {
        Instant cutoff = clock.instant().minus(config.retention());
        int batch = config.retentionBatch();
        return Multi.createBy().repeating()
                .uni(() -> queries.deleteBefore(cutoff, batch))
                .whilst(deleted -> deleted == batch)
                .select().first(MAX_BATCHES_PER_RUN)
                .collect().with(Collectors.summingLong(Integer::longValue));
    }

    @Scheduled(every = "${fleet.telemetry.retention-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return runOnce().replaceWithVoid();
    }
}
