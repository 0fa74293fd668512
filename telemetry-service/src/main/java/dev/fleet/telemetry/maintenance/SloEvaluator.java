package dev.fleet.telemetry.maintenance;

import jakarta.inject.Singleton;

import dev.fleet.telemetry.slo.SloService;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/** Recomputes the SLO gauges every {@code fleet.telemetry.slo.interval}. */
@Singleton
public class SloEvaluator {

    private final SloService slos;

    SloEvaluator(SloService slos) {
        this.slos = slos;
    }

    @Scheduled(every = "${fleet.telemetry.slo.interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return slos.evaluate().replaceWithVoid();
    }
}
