package dev.fleet.scaler.engine;

import java.time.Clock;

import jakarta.inject.Singleton;

import dev.fleet.scaler.config.ScalerConfig;
import dev.fleet.scaler.event.EventStore;
import dev.fleet.scaler.input.SampleStore;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/** Deletes events and samples past their retention, in bounded batches; idempotent, so every replica may run it. */
@Singleton
public class Retention {

    static final int BATCH = 10_000;

    private final EventStore events;
    private final SampleStore samples;
    private final ScalerConfig config;
    private final Clock clock;

    Retention(EventStore events, SampleStore samples, ScalerConfig config, Clock clock) {
        this.events = events;
        this.samples = samples;
        this.config = config;
        this.clock = clock;
    }

    /** Returns how many rows went. */
    public Uni<Integer> runOnce() {
        return events.prune(clock.instant().minus(config.eventRetention()), BATCH)
                .chain(deletedEvents -> samples.prune(clock.instant().minus(config.sampleRetention()), BATCH)
                        .map(deletedSamples -> deletedEvents + deletedSamples));
    }

    @Scheduled(every = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return runOnce().replaceWithVoid();
    }
}
