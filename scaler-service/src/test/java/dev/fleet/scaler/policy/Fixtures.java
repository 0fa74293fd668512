package dev.fleet.scaler.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.fleet.scaler.policy.Decision.Kind;

/** Instants, signals and past decisions for the policy tests; time is whatever the test says. */
final class Fixtures {

    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    static final String POOL = "agents";
    static final Duration EVERY = Duration.ofSeconds(5);

    private Fixtures() {
    }

    static Instant at(int seconds) {
        return T0.plusSeconds(seconds);
    }

    /** {@code metric} at {@code value} every 5 s over {@code [from, to]} seconds after T0. */
    static MetricHistory steady(MetricHistory h, String metric, double value, int from, int to) {
        for (int s = from; s <= to; s += 5) {
            h.record(metric, at(s), value);
        }
        return h;
    }

    static MetricHistory steady(String metric, double value, int from, int to) {
        return steady(new MetricHistory(), metric, value, from, to);
    }

    static PoolPolicy.Builder policy(int min, int max) {
        return PoolPolicy.builder(POOL, min, max);
    }

    /** A policy with damping switched off, to look at one rule at a time. */
    static PoolPolicy.Builder undamped(int min, int max) {
        return policy(min, max).cooldowns(Duration.ZERO, Duration.ZERO).scaleInStabilisation(Duration.ZERO)
                .maxScaleOut(null).maxScaleIn(null);
    }

    /** A past decision of {@link #POOL} at {@code at}: a change when {@code from != to}, recommending {@code to}. */
    static Decision past(Instant at, int from, int to, String rule) {
        Kind kind = to > from ? Kind.SCALE_OUT : to < from ? Kind.SCALE_IN : Kind.NONE;
        return new Decision(POOL, at, from, to, kind, rule, to, Map.of(), "test", false, false, false);
    }

    static Decision evaluate(PoolPolicy policy, PoolState state, MetricHistory history, List<Decision> past,
            Instant now) {
        return PolicyEvaluator.evaluate(policy, state, history, past, now);
    }

    static Decision evaluate(PoolPolicy policy, int instances, MetricHistory history, Instant now) {
        return PolicyEvaluator.evaluate(policy, PoolState.of(instances), history, List.of(), now);
    }
}
