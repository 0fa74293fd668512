package dev.fleet.telemetry.maintenance;

import jakarta.inject.Singleton;

import dev.fleet.telemetry.config.TelemetryConfig;
import dev.fleet.telemetry.rollup.RollupService;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Rolls the closed minutes up every {@code rollup-interval} and prunes rollups past
 * {@code rollup-retention} in bounded batches. Rolling a minute again replaces its rows, so every
 * replica runs this without coordination (the work is repeated, never double-counted).
 */
@Singleton
public class SampleRoller {

    static final int MAX_PRUNE_BATCHES_PER_RUN = 10;

    private final RollupService rollups;
    private final TelemetryConfig config;

    SampleRoller(RollupService rollups, TelemetryConfig config) {
        this.rollups = rollups;
        this.config = config;
    }

    /** @return rollup rows written */
    public Uni<Integer> runOnce() {
        int batch = config.retentionBatch();
        return rollups.rollUpClosedMinutes().call(written -> Multi.createBy().repeating()
                .uni(() -> rollups.pruneRollups(batch)).whilst(deleted -> deleted == batch)
                .select().first(MAX_PRUNE_BATCHES_PER_RUN).collect().last());
    }

    @Scheduled(every = "${fleet.telemetry.rollup-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return runOnce().replaceWithVoid();
    }
}
