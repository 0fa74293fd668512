package dev.fleet.telemetry.maintenance;

import jakarta.inject.Singleton;

import dev.fleet.telemetry.finding.FindingService;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/** Evaluates the findings every {@code fleet.telemetry.findings.interval}. */
@Singleton
public class FindingEvaluator {

    private final FindingService findings;

    FindingEvaluator(FindingService findings) {
        this.findings = findings;
    }

    /** @return how many findings are open after this evaluation */
    public Uni<Integer> runOnce() {
        return findings.evaluate().map(open -> open.size());
    }

    @Scheduled(every = "${fleet.telemetry.findings.interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return runOnce().replaceWithVoid();
    }
}
