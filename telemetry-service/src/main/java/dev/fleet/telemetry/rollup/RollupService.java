package dev.fleet.telemetry.rollup;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import jakarta.inject.Singleton;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.telemetry.config.TelemetryConfig;
import dev.fleet.telemetry.param.InstantParam;
import io.smallrye.mutiny.Uni;

/** Rolling samples up per feature, source and minute, and reading the rollups. */
@Singleton
public class RollupService {

    static final Duration WINDOW_DEFAULT = Duration.ofHours(24);

    private final RollupQueries queries;
    private final TelemetryConfig config;
    private final Clock clock;

    RollupService(RollupQueries queries, TelemetryConfig config, Clock clock) {
        this.queries = queries;
        this.config = config;
        this.clock = clock;
    }

    /** Rolls up every closed minute within {@code rollup-lateness} of now; @return rollup rows written. */
    public Uni<Integer> rollUpClosedMinutes() {
        Instant now = clock.instant();
        Instant until = now.truncatedTo(ChronoUnit.MINUTES);
        Instant from = now.minus(config.rollupLateness()).truncatedTo(ChronoUnit.MINUTES);
        return from.isBefore(until) ? queries.rollUp(from, until) : Uni.createFrom().item(0);
    }

    /** Rollups of minutes in [since, until) (default: the last 24 hours), oldest first. */
    public Uni<List<RollupView>> listRollups(String feature, String source, String since, String until,
            Integer limit) {
        int max = config.maxPerQuery();
        int size = limit == null ? max : limit;
        if (size < 1) {
            throw ProblemException.invalidField("limit", "limit is at least 1.");
        }
        if (size > max) {
            throw ProblemException.overLimit("limit", max,
                    "At most " + max + " rollups per query (fleet.telemetry.max-per-query).");
        }
        Instant to = InstantParam.parse("until", until);
        to = to == null ? clock.instant() : to;
        Instant from = InstantParam.parse("since", since);
        from = from == null ? to.minus(WINDOW_DEFAULT) : from;
        return queries.list(feature, source, from, to, size);
    }

    /** Per feature, what the rollups from {@code since}'s minute on say (long windows, past the samples' retention). */
    public Uni<List<RollupSummary>> summarizeRollups(String feature, String source, Instant since) {
        return queries.summarize(feature, source, since);
    }

    /** Deletes at most {@code batch} rollups older than {@code rollup-retention}; @return how many. */
    public Uni<Integer> pruneRollups(int batch) {
        return queries.deleteBefore(clock.instant().minus(config.rollupRetention()), batch);
    }
}
