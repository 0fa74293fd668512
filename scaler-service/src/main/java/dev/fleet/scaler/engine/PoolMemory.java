package dev.fleet.scaler.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.fleet.scaler.policy.Decision;
import dev.fleet.scaler.policy.MetricHistory;
import dev.fleet.scaler.policy.PoolPolicy;
import dev.fleet.scaler.policy.SeasonalForecast;

/**
 * What the leader keeps in memory about one pool between evaluations: the fine-grained metric
 * history duration rules read, the recommendations of decisions that changed nothing (the
 * scale-in stabilisation window; changes themselves are read from the events table), when each
 * metric was last stored, the learned forecast and the policy parsed from the spec. A new leader
 * starts these afresh: duration rules then wait a full hold before firing, which errs on the
 * side of doing nothing.
 */
final class PoolMemory {

    final MetricHistory history;
    final List<Decision> quietDecisions = new ArrayList<>();
    final Map<String, Instant> lastStored = new HashMap<>();
    SeasonalForecast forecast;
    Instant forecastLearnedAt;
    PoolPolicy policy;
    Instant policyOf;

    PoolMemory(Duration evaluationInterval) {
        this.history = MetricHistory.forEvaluationInterval(evaluationInterval);
    }

    /** Keeps a no-change decision that carried a recommendation; forgets what is older than the policy looks back. */
    void remember(Decision decision, Duration lookBack) {
        Instant cutoff = decision.at().minus(lookBack);
        quietDecisions.removeIf(d -> d.at().isBefore(cutoff));
        if (decision.recommends() && !decision.changes()) {
            quietDecisions.add(decision);
        }
    }

    /** Drops samples no rule can still need. */
    void forgetBefore(Instant cutoff) {
        history.forgetBefore(cutoff);
    }
}
