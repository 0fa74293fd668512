package dev.fleet.scaler.policy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.fleet.scaler.policy.Decision.Kind;

/**
 * The threshold rules' joint opinion: if any scale-out rule fires, the largest scale-out;
 * otherwise the largest scale-in; nothing if none fires. Scale-out wins because a pool that is
 * short of capacity on one signal is short, whatever another says; among rules of one direction
 * the largest step wins because the rules are tiers of one response (70 % → +1, 85 % → +3).
 *
 * <p>A rule with its own limit takes at most what is left of it (0 once used up); a rule capped
 * to 0 still states "keep", so the reason says why a firing rule did nothing.
 */
final class ThresholdRules {

    private ThresholdRules() {
    }

    static Optional<Recommendation> recommend(List<ThresholdRule> rules, int current, MetricHistory history,
            PastDecisions past, Instant now) {
        Recommendation out = null;
        Recommendation in = null;
        for (ThresholdRule rule : rules) {
            if (!rule.firesAt(history, now)) {
                continue;
            }
            Recommendation r = capped(rule, current, history, past, now);
            if (rule.step() > 0 && (out == null || r.desired() > out.desired())) {
                out = r;
            } else if (rule.step() < 0 && (in == null || r.desired() < in.desired())) {
                in = r;
            }
        }
        return Optional.ofNullable(out != null ? out : in);
    }

    private static Recommendation capped(ThresholdRule rule, int current, MetricHistory history, PastDecisions past,
            Instant now) {
        // A rule that fires has a fresh newest sample (that is part of holding), so there is a value.
        String seen = rule.condition() + " (now " + Text.number(history.latest(rule.metric(), now).orElseThrow()) + ")";
        int step = rule.step();
        if (rule.limit() == null) {
            return new Recommendation(rule.name(), current + step, seen + ": " + Text.signed(step));
        }
        Kind kind = step > 0 ? Kind.SCALE_OUT : Kind.SCALE_IN;
        int used = past.changedWithin(rule.limit().per(), kind, rule.name());
        int left = Math.max(0, rule.limit().maxInstances() - used);
        if (Math.abs(step) <= left) {
            return new Recommendation(rule.name(), current + step, seen + ": " + Text.signed(step));
        }
        int allowed = Integer.signum(step) * left;
        return new Recommendation(rule.name(), current + allowed, seen + ": " + Text.signed(step)
                + ", cut to " + Text.signed(allowed) + " by the rule's limit of " + rule.limit()
                + " (" + used + " used)");
    }
}
