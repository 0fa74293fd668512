package dev.fleet.telemetry.sample;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.inject.Singleton;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.telemetry.config.TelemetryConfig;
import dev.fleet.telemetry.metrics.TelemetryMetrics;
import io.smallrye.mutiny.Uni;

/** Ingesting batches of samples (all or nothing), listing them, and summarizing them per feature. */
@Singleton
public class SampleService {

    static final int LIMIT_DEFAULT = 100;
    static final Duration SUMMARY_WINDOW_DEFAULT = Duration.ofMinutes(15);

    private final SampleQueries queries;
    private final TelemetryMetrics metrics;
    private final TelemetryConfig config;
    private final Clock clock;

    SampleService(SampleQueries queries, TelemetryMetrics metrics, TelemetryConfig config, Clock clock) {
        this.queries = queries;
        this.metrics = metrics;
        this.config = config;
        this.clock = clock;
    }

    /** Checks every sample, then stores the batch with one statement; @return how many were stored. */
    public Uni<Integer> ingestSamples(IngestSamplesRequest request) {
        List<IngestSamplesRequest.NewSample> samples = request == null || request.samples() == null
                ? List.of() : request.samples();
        SampleBatch batch;
        try {
            batch = SampleBatch.of(samples, config, clock.instant());
        } catch (ProblemException e) {
            metrics.rejected(samples.size());
            throw e;
        }
        return queries.insert(batch).invoke(metrics::accepted);
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

    /** Count, errors and duration percentiles per feature since {@code since} (default: the last 15 minutes). */
    public Uni<List<FeatureSummary>> summarizeSamples(String source, String feature, String since) {
        Instant from = InstantParam.parse("since", since);
        if (from == null) {
            from = clock.instant().minus(SUMMARY_WINDOW_DEFAULT);
        }
        return queries.summarize(new SampleFilter(source, feature, from));
    }
}
