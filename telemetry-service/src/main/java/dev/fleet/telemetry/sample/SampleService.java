package dev.fleet.telemetry.sample;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.inject.Singleton;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.telemetry.config.TelemetryConfig;
import dev.fleet.telemetry.metrics.TelemetryMetrics;
import dev.fleet.telemetry.param.InstantParam;
import dev.fleet.telemetry.rollup.RollupService;
import dev.fleet.telemetry.sampling.SourceMinuteCap;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;

/** Ingesting batches of samples (all or nothing), listing them, and summarizing them per feature. */
@Startup // its configuration check stops a misconfigured service at start
@Singleton
public class SampleService {

    static final int LIMIT_DEFAULT = 100;
    static final Duration SUMMARY_WINDOW_DEFAULT = Duration.ofMinutes(15);

    private final SampleQueries queries;
    private final TelemetryMetrics metrics;
    private final TelemetryConfig config;
    private final Clock clock;
    private final SourceMinuteCap cap;
    private final RollupService rollups;

    SampleService(SampleQueries queries, TelemetryMetrics metrics, TelemetryConfig config, Clock clock,
            SourceMinuteCap cap, RollupService rollups) {
        this.cap = cap;
        this.rollups = rollups;
        // a window between the retention and this length would read raw samples that are gone
        if (config.summaryFromRollupsAfter().compareTo(config.retention()) > 0) {
            throw new IllegalArgumentException("fleet.telemetry.summary-from-rollups-after ("
                    + config.summaryFromRollupsAfter() + ") is at most fleet.telemetry.retention (" + config.retention()
                    + ")");
        }
        this.queries = queries;
        this.metrics = metrics;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Checks every sample, drops those over their source's per-minute cap, then stores the rest with one
     * statement; @return how many were stored and dropped.
     */
    public Uni<IngestedSamples> ingestSamples(IngestSamplesRequest request) {
        List<IngestSamplesRequest.NewSample> samples = request == null || request.samples() == null
                ? List.of() : request.samples();
        SampleBatch batch;
        try {
            batch = SampleBatch.of(samples, config, clock.instant());
        } catch (ProblemException e) {
            metrics.rejected(samples.size());
            throw e;
        }
        SampleBatch admitted = batch.capped(cap::admit);
        int dropped = batch.size() - admitted.size();
        metrics.dropped(dropped);
        if (admitted.size() == 0) {
            return Uni.createFrom().item(new IngestedSamples(0, dropped));
        }
        return queries.insert(admitted).invoke(metrics::accepted).map(stored -> new IngestedSamples(stored, dropped));
    }

    /** The newest samples that match, at most {@code limit} (default {@value #LIMIT_DEFAULT}). */
    public Uni<List<SampleView>> listSamples(String source, String feature, String since, Integer limit) {
        int max = config.maxPerQuery();
        int size = limit == null ? LIMIT_DEFAULT : limit;
        if (size < 1) {
            throw ProblemException.invalidField("limit", "limit is at least 1.");
        }
        if (size > max) {
            throw ProblemException.overLimit("limit", max,
                    "At most " + max + " samples per query (fleet.telemetry.max-per-query).");
        }
        return queries.list(new SampleFilter(source, feature, InstantParam.parse("since", since)), size);
    }

    /**
     * Count, errors and duration percentiles per feature since {@code since} (default: the last 15
     * minutes): from the raw samples, or from the rollups when the window is longer than
     * {@code summary-from-rollups-after} (raw samples that old may be gone, and are many).
     */
    public Uni<SampleSummary> summarizeSamples(String source, String feature, String since) {
        Instant now = clock.instant();
        Instant from = InstantParam.parse("since", since);
        if (from == null) {
            from = now.minus(SUMMARY_WINDOW_DEFAULT);
        }
        if (Duration.between(from, now).compareTo(config.summaryFromRollupsAfter()) > 0) {
            return rollups.summarizeRollups(feature, source, from).map(lines -> new SampleSummary("rollups",
                    lines.stream().map(r -> new FeatureSummary(r.feature(), r.count(), r.errors(), r.p50Ms(),
                            r.p95Ms(), r.p99Ms(), r.maxMs())).toList()));
        }
        return queries.summarize(new SampleFilter(source, feature, from)).map(lines -> new SampleSummary("samples", lines));
    }
}
