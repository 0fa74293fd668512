package dev.fleet.scaler.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import dev.fleet.scaler.policy.Decision.Kind;

/**
 * Decides a pool's size, as a pure function of the policy, the pool's state, its metric history,
 * its recent decisions and the instant: no clock, no I/O, the same answer for the same inputs.
 * The order of the steps is in {@code package-info.java}.
 */
public final class PolicyEvaluator {

    /** Rule of a replace-all. */
    public static final String EMERGENCY = "emergency";
    /** Rule of a correction into {@code [min, max]} (the policy changed under the pool). */
    public static final String LIMITS = "limits";
    /** Rule of the first instance for work waiting at zero instances. */
    public static final String WAKE_UP = "wake-up";

    private PolicyEvaluator() {
    }

    /**
     * The decision for {@code policy.pool()} at {@code now}. {@code recentDecisions} are the pool's
     * decisions of at least {@link PoolPolicy#decisionsLookBack()}, including those that changed
     * nothing: their recommendations make up the scale-in stabilisation window.
     */
    public static Decision evaluate(PoolPolicy policy, PoolState state, MetricHistory history,
            List<Decision> recentDecisions, Instant now) {
        PastDecisions past = new PastDecisions(policy.pool(), recentDecisions, now);
        Outcome outcome = new Outcome(policy, state.instances(), now, inputs(policy, state, history, now));
        int current = state.instances();

        if (state.allUnhealthy()) {
            // Nothing serves the pool: replacing beats any size change, and waiting out a cooldown helps no one.
            int to = policy.clamp(current);
            return outcome.decide(Kind.REPLACE_ALL, to, EMERGENCY, to,
                    "all " + current + " instances are unhealthy: replace them all", true, true);
        }
        int bounded = policy.clamp(current);
        if (bounded != current) {
            // The limits are the operator's word and apply at once; rules resume from inside them.
            return outcome.change(bounded, LIMITS, bounded, current + " instances is outside the policy's "
                    + policy.minInstances() + "–" + policy.maxInstances(), false);
        }

        double waiting = history.latest(MetricNames.QUEUE_DEPTH, now).orElse(0);
        boolean wakeUp = current == 0 && waiting > 0;
        Optional<Recommendation> best = recommend(policy, state, history, past, now);
        if (best.isEmpty() && !wakeUp) {
            return outcome.none(Decision.NO_RULE, current, "no rule has an opinion");
        }
        Recommendation rec = best.orElse(new Recommendation(WAKE_UP, 0, ""));
        if (wakeUp && rec.desired() < 1) {
            rec = new Recommendation(WAKE_UP, 1, Text.number(waiting) + " job(s) waiting and no instance");
        }
        int target = policy.clamp(rec.desired());
        String why = rec.reason() + (target == rec.desired() ? ""
                : " (kept within " + policy.minInstances() + "–" + policy.maxInstances() + ")");
        if (target == current) {
            return outcome.none(rec.rule(), target, why);
        }
        if (target > current) {
            // At zero nobody can take the waiting work: the scale-out cooldown protects nothing.
            String note = wakeUp && !rec.rule().equals(WAKE_UP) ? "; wake-up from zero" : "";
            return scaleOut(outcome, policy, past, rec.rule(), target, why + note, wakeUp);
        }
        return scaleIn(outcome, policy, past, rec.rule(), target, why);
    }

    /**
     * Every family's opinion, then the largest size. Taking the largest is Kubernetes' rule for
     * several metrics: each family estimates the capacity its signal needs, and the pool needs
     * all of them, so a family that says "keep" blocks another's scale-in.
     */
    private static Optional<Recommendation> recommend(PoolPolicy policy, PoolState state, MetricHistory history,
            PastDecisions past, Instant now) {
        int current = state.instances();
        List<Optional<Recommendation>> opinions = new ArrayList<>();
        opinions.add(ThresholdRules.recommend(policy.rules(), current, history, past, now));
        if (policy.queueTarget() != null) {
            opinions.add(policy.queueTarget().recommend(current, history, now));
        }
        if (policy.targetTracking() != null) {
            opinions.add(policy.targetTracking().recommend(current, history, now));
        }
        if (policy.predictive() != null && state.forecast() != null) {
            opinions.add(policy.predictive().recommend(policy, current, state.forecast(), now));
        }
        Recommendation best = null;
        for (Optional<Recommendation> o : opinions) {
            if (o.isPresent() && (best == null || o.get().desired() > best.desired())) {
                best = o.get(); // ties keep the earlier family, so the outcome does not depend on luck
            }
        }
        return Optional.ofNullable(best);
    }

    private static Decision scaleOut(Outcome outcome, PoolPolicy policy, PastDecisions past, String rule, int target,
            String why, boolean emergency) {
        int current = outcome.from;
        if (!emergency) {
            Optional<Duration> left = past.cooldownLeft(policy.scaleOutCooldown());
            if (left.isPresent()) {
                return outcome.none(rule, target, why + "; scale-out to " + target + " waits for the cooldown ("
                        + Text.duration(policy.scaleOutCooldown()) + " after the last change, " + seconds(left.get()) + " left)");
            }
        }
        int to = target;
        RateLimit limit = policy.maxScaleOut();
        if (limit != null) {
            int used = past.changedWithin(limit.per(), Kind.SCALE_OUT, null);
            int allowed = limit.maxInstances() - used;
            if (allowed <= 0) {
                return outcome.none(rule, target, why + "; scale-out to " + target + " waits for the scale-out limit of "
                        + limit + " (" + used + " used)");
            }
            if (to > current + allowed) {
                to = current + allowed;
                why += "; limited to +" + allowed + " by the scale-out limit of " + limit + " (" + used + " used)";
            }
        }
        return outcome.change(to, rule, target, why, emergency);
    }

    /**
     * Scale-in waits for everything: the stabilisation window (no lower than any recommendation
     * of the last few minutes, so a dip between two peaks removes nothing), the scale-in cooldown
     * and the scale-in rate limit. Removing a runner is the expensive mistake: its work is
     * interrupted and a new one takes time to start.
     */
    private static Decision scaleIn(Outcome outcome, PoolPolicy policy, PastDecisions past, String rule, int target,
            String why) {
        int current = outcome.from;
        int to = target;
        OptionalInt highest = past.highestRecommendationWithin(policy.scaleInStabilisation());
        if (highest.isPresent() && highest.getAsInt() > to) {
            to = Math.min(highest.getAsInt(), current);
            String window = "the highest recommendation of the last " + Text.duration(policy.scaleInStabilisation())
                    + " was " + highest.getAsInt();
            if (to == current) {
                return outcome.none(rule, target, why + "; no scale-in: " + window);
            }
            why += "; only to " + to + ": " + window;
        }
        Optional<Duration> left = past.cooldownLeft(policy.scaleInCooldown());
        if (left.isPresent()) {
            return outcome.none(rule, target, why + "; scale-in to " + to + " waits for the cooldown ("
                    + Text.duration(policy.scaleInCooldown()) + " after the last change, " + seconds(left.get()) + " left)");
        }
        RateLimit limit = policy.maxScaleIn();
        if (limit != null) {
            int used = past.changedWithin(limit.per(), Kind.SCALE_IN, null);
            int allowed = limit.maxInstances() - used;
            if (allowed <= 0) {
                return outcome.none(rule, target, why + "; scale-in to " + to + " waits for the scale-in limit of "
                        + limit + " (" + used + " used)");
            }
            if (to < current - allowed) {
                to = current - allowed;
                why += "; limited to -" + allowed + " by the scale-in limit of " + limit + " (" + used + " used)";
            }
        }
        return outcome.change(to, rule, target, why, false);
    }

    /** Latest fresh value of every metric the policy reads, the queue depth (wake-up), health, and the forecast peak. */
    private static Map<String, Double> inputs(PoolPolicy policy, PoolState state, MetricHistory history, Instant now) {
        Map<String, Double> inputs = new HashMap<>();
        for (String metric : policy.metrics()) {
            history.latest(metric, now).ifPresent(v -> inputs.put(metric, v));
        }
        history.latest(MetricNames.QUEUE_DEPTH, now).ifPresent(v -> inputs.put(MetricNames.QUEUE_DEPTH, v));
        inputs.put("healthy", (double) state.healthy());
        inputs.put("unhealthy", (double) state.unhealthy());
        if (policy.predictive() != null && state.forecast() != null) {
            state.forecast().peak(now, now.plus(policy.predictive().leadTime()))
                    .ifPresent(v -> inputs.put("forecast:" + state.forecast().metric(), v));
        }
        return inputs;
    }

    private static String seconds(Duration d) {
        return Text.duration(Duration.ofSeconds((d.toMillis() + 999) / 1000));
    }

    /** The parts every decision of one evaluation shares. */
    private record Outcome(PoolPolicy policy, int from, Instant now, Map<String, Double> inputs) {

        Decision none(String rule, int recommended, String reason) {
            return decide(Kind.NONE, from, rule, recommended, reason + "; stay at " + from, false, false);
        }

        Decision change(int to, String rule, int recommended, String reason, boolean emergency) {
            Kind kind = to > from ? Kind.SCALE_OUT : Kind.SCALE_IN;
            return decide(kind, to, rule, recommended, reason + "; " + from + " → " + to, emergency, false);
        }

        Decision decide(Kind kind, int to, String rule, int recommended, String reason, boolean emergency,
                boolean alert) {
            return new Decision(policy.pool(), now, from, to, kind, rule, recommended, inputs, reason, emergency, alert,
                    policy.dryRun());
        }
    }
}
