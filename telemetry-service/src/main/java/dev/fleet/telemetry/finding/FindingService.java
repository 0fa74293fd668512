package dev.fleet.telemetry.finding;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Singleton;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.telemetry.finding.FindingQueries.FeatureIndicators;
import io.smallrye.mutiny.Uni;

/**
 * Evaluates the capacity thresholds on the indicators measured from samples (p95 response time and
 * error rate per feature over {@code findings.window}), opens and resolves findings accordingly,
 * and lists them. Every replica may evaluate: they read the same samples and the statements are
 * idempotent (at most one open finding per indicator and subject).
 */
@Singleton
public class FindingService {

    static final String RESPONSE_TIME_REMEDIATION = "Scale the pool out, or find what slows the feature down"
            + " (queue wait, runner CPU/memory: see the sessions-and-runners dashboard).";
    static final String ERROR_RATE_REMEDIATION = "Read the feature's failing samples (GET /samples?feature=...);"
            + " drain or roll back the runners that fail.";
    static final int MAX_LIST = 1000;

    private final FindingQueries queries;
    private final FindingsConfig config;
    private final FindingMetrics metrics;
    private final Clock clock;

    FindingService(FindingQueries queries, FindingsConfig config, FindingMetrics metrics, Clock clock) {
        this.queries = queries;
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** One evaluation at the clock's now; @return the findings open after it. */
    public Uni<List<FindingView>> evaluate() {
        Instant now = clock.instant();
        return queries.featureIndicators(now.minus(config.window()), now, config.minSamples())
                .map(this::findings)
                .chain(found -> queries.record(found, now))
                .chain(() -> queries.list(true, MAX_LIST))
                .invoke(metrics::update);
    }

    /** Open or resolved findings, newest first. */
    public Uni<List<FindingView>> listFindings(String state, Integer limit) {
        int size = limit == null ? 100 : limit;
        if (size < 1 || size > MAX_LIST) {
            throw ProblemException.invalidField("limit", "limit is 1 to " + MAX_LIST + ".");
        }
        String s = state == null ? "open" : state;
        if (!s.equals("open") && !s.equals("resolved")) {
            throw ProblemException.invalidField("state", "state is 'open' or 'resolved', not '" + s + "'.");
        }
        return queries.list(s.equals("open"), size);
    }

    List<Finding> findings(List<FeatureIndicators> indicators) {
        List<Finding> found = new ArrayList<>();
        FindingsConfig.Levels rt = config.responseTimeMs();
        FindingsConfig.ErrorLevels er = config.errorRate();
        for (FeatureIndicators f : indicators) {
            Finding.Level slow = Finding.level(f.p95Ms(), rt.warning(), rt.critical(), rt.emergency());
            if (slow != null) {
                found.add(new Finding("capacity", "response-time", f.feature(), slow.severity(), f.p95Ms(),
                        slow.threshold(), RESPONSE_TIME_REMEDIATION));
            }
            Finding.Level failing = Finding.level(f.errorRate(), er.warning(), er.critical(), er.emergency());
            if (failing != null) {
                found.add(new Finding("capacity", "error-rate", f.feature(), failing.severity(), f.errorRate(),
                        failing.threshold(), ERROR_RATE_REMEDIATION));
            }
        }
        return found;
    }
}
