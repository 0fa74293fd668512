package dev.fleet.telemetry.finding;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.telemetry.input.FleetInputs;
import dev.fleet.telemetry.input.InputReadings;
import dev.fleet.telemetry.input.InputsConfig;
import dev.fleet.telemetry.input.QueueReading;
import io.smallrye.mutiny.Uni;

/**
 * One evaluation of the findings, and listing them. An evaluation reads the window's samples (three
 * grouped queries) and the other services' figures ({@link FleetInputs}) at the same time, judges the
 * capacity thresholds ({@link CapacityThresholds}) and the bottleneck signatures
 * ({@link BottleneckSignatures}), caps what it found per kind, and records it in one transaction:
 * what it saw opens or updates, what it no longer sees resolves, unless its input was unread or it
 * is pending a hold. Every replica may evaluate: the statements are idempotent (at most one open
 * finding per name and subject).
 */
@Singleton
public class FindingService {

    private static final Logger LOG = Logger.getLogger(FindingService.class);
    static final int MAX_LIST = 1000;

    private final FindingQueries queries;
    private final FindingsConfig config;
    private final FindingMetrics metrics;
    private final FleetInputs inputs;
    private final Map<String, String> poolQueues;
    private final CapacityThresholds capacity;
    private final BottleneckSignatures signatures;
    private final QueueTrend trend;
    private final Clock clock;

    FindingService(FindingQueries queries, FindingsConfig config, FindingMetrics metrics, FleetInputs inputs,
            InputsConfig inputsConfig, CapacityThresholds capacity, BottleneckSignatures signatures, QueueTrend trend,
            Clock clock) {
        this.queries = queries;
        this.config = config;
        this.metrics = metrics;
        this.inputs = inputs;
        this.poolQueues = Map.copyOf(inputsConfig.poolQueues());
        this.capacity = capacity;
        this.signatures = signatures;
        this.trend = trend;
        this.clock = clock;
    }

    /** One evaluation at the clock's now; @return the findings open after it. */
    public Uni<List<FindingView>> evaluate() {
        Instant now = clock.instant();
        Instant from = now.minus(config.window());
        return Uni.combine().all().unis(queries.featureIndicators(from, now, config.minSamples()),
                queries.sourceCounts(from, now), queries.jobWaits(from, now, config.minSamples()), inputs.read())
                .asTuple()
                .map(t -> judge(t.getItem1(), t.getItem2(), t.getItem3(), t.getItem4(), now))
                .chain(evaluation -> queries.record(evaluation, now))
                .chain(() -> queries.list(true, null, MAX_LIST))
                .invoke(metrics::update);
    }

    private Evaluation judge(List<FindingQueries.FeatureIndicators> features,
            Map<String, FindingQueries.SourceCounts> bySource, Map<String, Double> jobWaits, InputReadings read,
            Instant now) {
        Map<String, Boolean> grew = new HashMap<>();
        if (read.queuesRead()) {
            Set<String> names = new HashSet<>();
            for (QueueReading q : read.queues()) {
                names.add(q.name());
                grew.put(q.name(), trend.grew(q.name(), q.available()));
            }
            trend.retain(names);
        }
        List<PoolFigures> pools = PoolFigures.of(read, poolQueues, grew, bySource, jobWaits, config.minSamples());
        Evaluation evaluation = new Evaluation();
        capacity.judge(features, read, pools, now, evaluation);
        signatures.judge(pools, read, evaluation);
        evaluation.cap(config.maxPerKind());
        if (evaluation.capped() > 0) {
            LOG.warnf("findings: %d findings over max-per-kind (%d) neither open nor resolve this evaluation",
                    evaluation.capped(), config.maxPerKind());
        }
        return evaluation;
    }

    /** Open or resolved findings, of one kind or both, newest first. */
    public Uni<List<FindingView>> listFindings(String state, String kind, Integer limit) {
        int size = limit == null ? 100 : limit;
        if (size < 1 || size > MAX_LIST) {
            throw ProblemException.invalidField("limit", "limit is 1 to " + MAX_LIST + ".");
        }
        String s = state == null ? "open" : state;
        if (!s.equals("open") && !s.equals("resolved")) {
            throw ProblemException.invalidField("state", "state is 'open' or 'resolved', not '" + s + "'.");
        }
        if (kind != null && !kind.equals(Finding.CAPACITY) && !kind.equals(Finding.BOTTLENECK)) {
            throw ProblemException.invalidField("kind", "kind is 'capacity' or 'bottleneck', not '" + kind + "'.");
        }
        return queries.list(s.equals("open"), kind, size);
    }
}
