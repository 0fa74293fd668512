package dev.fleet.telemetry.slo;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.inject.Singleton;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.telemetry.config.TelemetryConfig;
import io.smallrye.mutiny.Uni;

/** SLO attainment per priority class over a window of samples ending now. */
@Singleton
public class SloService {

    static final List<String> CLASSES = List.of("P0", "P1", "P2", "P3", "P4", "P5", "P6");

    private final SloQueries queries;
    private final SloConfig config;
    private final TelemetryConfig telemetry;
    private final SloMetrics metrics;
    private final Clock clock;

    SloService(SloQueries queries, SloConfig config, TelemetryConfig telemetry, SloMetrics metrics, Clock clock) {
        this.queries = queries;
        this.metrics = metrics;
        this.config = config;
        this.telemetry = telemetry;
        this.clock = clock;
    }

    /** Over {@code window} (ISO-8601 duration such as {@code PT15M}, default the configured one). */
    public Uni<SloReport> report(String window) {
        Duration length = window == null ? config.window() : parse(window);
        Instant until = clock.instant();
        Instant since = until.minus(length);
        List<Double> targets = config.targets().stream().map(d -> (double) d.toNanos() / 1_000_000).toList();
        return queries.attainment(since, until, CLASSES, targets, config.goal())
                .map(slos -> new SloReport(since, until, slos));
    }

    /** Recomputes the gauges over the configured window. */
    public Uni<SloReport> evaluate() {
        return report(null).invoke(r -> metrics.update(r.slos()));
    }

    private Duration parse(String window) {
        Duration length;
        try {
            length = Duration.parse(window);
        } catch (RuntimeException e) {
            throw ProblemException.invalidField("window", "window is an ISO-8601 duration such as PT15M.");
        }
        // samples older than the retention are gone: a longer window would claim more than it measured
        if (length.isNegative() || length.isZero() || length.compareTo(telemetry.retention()) > 0) {
            throw ProblemException.invalidField("window",
                    "window is more than zero and at most the sample retention, " + telemetry.retention() + ".");
        }
        return length;
    }
}
