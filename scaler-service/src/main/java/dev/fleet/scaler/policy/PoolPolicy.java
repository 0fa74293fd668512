package dev.fleet.scaler.policy;

import static dev.fleet.scaler.policy.InvalidPolicyException.check;
import static dev.fleet.scaler.policy.InvalidPolicyException.checkNotBlank;
import static dev.fleet.scaler.policy.InvalidPolicyException.checkNotNegative;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * How one pool scales: its limits, its rules, and the damping between them. Valid by
 * construction: the constructor throws {@link InvalidPolicyException} naming the first field at
 * fault, so an evaluator never meets a policy that cannot work (min above max, a scale-in
 * threshold above a scale-out one, a zero step, …).
 *
 * <p>Rule families, each optional: threshold rules ({@link ThresholdRule#DEFAULTS} unless told
 * otherwise), a {@link QueueTarget}, a {@link TargetTracking} and {@link Predictive} pre-scaling
 * ({@code null}: not used). Damping: per-direction cooldowns, a scale-in stabilisation window,
 * and per-direction rate limits ({@code null}: unlimited); zero durations switch a cooldown or
 * the window off. Build one with {@link #builder(String, int, int)}, which starts from the
 * defaults below.
 */
public record PoolPolicy(String pool, int minInstances, int maxInstances,
        List<ThresholdRule> rules, QueueTarget queueTarget, TargetTracking targetTracking, Predictive predictive,
        Duration scaleOutCooldown, Duration scaleInCooldown, Duration scaleInStabilisation,
        RateLimit maxScaleOut, RateLimit maxScaleIn, boolean dryRun) {

    /** After any change, the next scale-out waits this long (new runners need a moment to show in the metrics). */
    public static final Duration SCALE_OUT_COOLDOWN_DEFAULT = Duration.ofSeconds(60);
    /** After any change, the next scale-in waits this long; longer than out, so out-then-in cannot flap. */
    public static final Duration SCALE_IN_COOLDOWN_DEFAULT = Duration.ofSeconds(300);
    /** A scale-in goes no lower than the highest recommendation of this window (as Kubernetes' HPA). */
    public static final Duration SCALE_IN_STABILISATION_DEFAULT = Duration.ofSeconds(300);
    public static final RateLimit MAX_SCALE_OUT_DEFAULT = new RateLimit(10, Duration.ofMinutes(1));
    public static final RateLimit MAX_SCALE_IN_DEFAULT = new RateLimit(5, Duration.ofMinutes(5));

    /** Rule names the evaluator itself uses in decisions; threshold rules may not take them. */
    public static final Set<String> RESERVED_RULE_NAMES = Set.of(Decision.NO_RULE, PolicyEvaluator.EMERGENCY,
            PolicyEvaluator.LIMITS, PolicyEvaluator.WAKE_UP, QueueTarget.RULE, TargetTracking.RULE, Predictive.RULE);

    public PoolPolicy {
        checkNotBlank(pool, "pool");
        check(minInstances >= 0, "minInstances", "must be 0 or more, was " + minInstances);
        check(maxInstances >= minInstances, "maxInstances",
                "must be at least minInstances (" + minInstances + "), was " + maxInstances);
        check(rules != null, "rules", "must be a list (empty for none)");
        for (int i = 0; i < rules.size(); i++) {
            check(rules.get(i) != null, "rules[" + i + "]", "must not be null");
            rules.get(i).validate("rules[" + i + "]");
        }
        checkRulesTogether(rules);
        if (queueTarget != null) {
            queueTarget.validate("queueTarget");
        }
        if (targetTracking != null) {
            targetTracking.validate("targetTracking");
        }
        if (predictive != null) {
            predictive.validate("predictive", queueTarget, targetTracking);
        }
        checkNotNegative(scaleOutCooldown, "scaleOutCooldown");
        checkNotNegative(scaleInCooldown, "scaleInCooldown");
        checkNotNegative(scaleInStabilisation, "scaleInStabilisation");
        if (maxScaleOut != null) {
            maxScaleOut.validate("maxScaleOut");
        }
        if (maxScaleIn != null) {
            maxScaleIn.validate("maxScaleIn");
        }
        rules = List.copyOf(rules);
    }

    public static Builder builder(String pool, int minInstances, int maxInstances) {
        return new Builder(pool, minInstances, maxInstances);
    }

    /** {@code n} brought within {@code [minInstances, maxInstances]}. */
    public int clamp(int n) {
        return Math.max(minInstances, Math.min(maxInstances, n));
    }

    /** The metrics the policy's rules read. */
    public Set<String> metrics() {
        Set<String> metrics = new HashSet<>();
        rules.forEach(r -> metrics.add(r.metric()));
        if (queueTarget != null) {
            metrics.add(MetricNames.QUEUE_DEPTH);
            metrics.add(MetricNames.IN_FLIGHT);
        }
        if (targetTracking != null) {
            metrics.add(targetTracking.metric());
        }
        return metrics;
    }

    /** How far back past decisions matter: keep (and pass) at least this much of the pool's decisions. */
    public Duration decisionsLookBack() {
        return Stream.concat(
                Stream.of(scaleOutCooldown, scaleInCooldown, scaleInStabilisation),
                Stream.concat(Stream.of(maxScaleOut, maxScaleIn), rules.stream().map(ThresholdRule::limit))
                        .filter(l -> l != null).map(RateLimit::per))
                .max(Duration::compareTo).orElse(Duration.ZERO);
    }

    /**
     * Checks that need the whole rule list: unique, unreserved names; per metric, every scale-in
     * threshold below every scale-out threshold (else one value could fire both ways and flap);
     * within a direction, a more extreme threshold never takes a smaller step (else a deeper
     * overload would get less help than a mild one).
     */
    private static void checkRulesTogether(List<ThresholdRule> rules) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < rules.size(); i++) {
            String name = rules.get(i).name();
            check(!RESERVED_RULE_NAMES.contains(name), "rules[" + i + "].name",
                    "'" + name + "' is reserved for the evaluator's own decisions " + new TreeSet<>(RESERVED_RULE_NAMES));
            check(names.add(name), "rules[" + i + "].name", "'" + name + "' is used by an earlier rule");
        }
        for (int i = 0; i < rules.size(); i++) {
            for (int j = 0; j < rules.size(); j++) {
                ThresholdRule a = rules.get(i);
                ThresholdRule b = rules.get(j);
                if (i == j || !a.metric().equals(b.metric())) {
                    continue;
                }
                if (a.comparison() == Comparison.BELOW && b.comparison() == Comparison.ABOVE) {
                    check(a.threshold() < b.threshold(), "rules[" + i + "].threshold",
                            "scale-in threshold " + Text.number(a.threshold()) + " on " + a.metric()
                                    + " must be below every scale-out threshold on it, but rules[" + j + "] ("
                                    + b.name() + ") scales out above " + Text.number(b.threshold()));
                }
                boolean moreExtreme = a.comparison() == b.comparison() && (a.comparison() == Comparison.ABOVE
                        ? a.threshold() > b.threshold() : a.threshold() < b.threshold());
                if (moreExtreme) {
                    check(Math.abs(a.step()) >= Math.abs(b.step()), "rules[" + i + "].step",
                            "rule " + a.name() + " (" + a.condition() + ") is more extreme than rules[" + j + "] ("
                                    + b.condition() + ") and so must not take a smaller step: "
                                    + Text.signed(a.step()) + " vs " + Text.signed(b.step()));
                }
            }
        }
    }

    /** Starts from the defaults: the default threshold rules, no other family, default damping, live (not dry run). */
    public static final class Builder {

        private final String pool;
        private final int minInstances;
        private final int maxInstances;
        private List<ThresholdRule> rules = ThresholdRule.DEFAULTS;
        private QueueTarget queueTarget;
        private TargetTracking targetTracking;
        private Predictive predictive;
        private Duration scaleOutCooldown = SCALE_OUT_COOLDOWN_DEFAULT;
        private Duration scaleInCooldown = SCALE_IN_COOLDOWN_DEFAULT;
        private Duration scaleInStabilisation = SCALE_IN_STABILISATION_DEFAULT;
        private RateLimit maxScaleOut = MAX_SCALE_OUT_DEFAULT;
        private RateLimit maxScaleIn = MAX_SCALE_IN_DEFAULT;
        private boolean dryRun;

        private Builder(String pool, int minInstances, int maxInstances) {
            this.pool = pool;
            this.minInstances = minInstances;
            this.maxInstances = maxInstances;
        }

        public Builder rules(List<ThresholdRule> rules) {
            this.rules = rules;
            return this;
        }

        public Builder queueTarget(QueueTarget queueTarget) {
            this.queueTarget = queueTarget;
            return this;
        }

        public Builder targetTracking(TargetTracking targetTracking) {
            this.targetTracking = targetTracking;
            return this;
        }

        public Builder predictive(Predictive predictive) {
            this.predictive = predictive;
            return this;
        }

        public Builder cooldowns(Duration scaleOut, Duration scaleIn) {
            this.scaleOutCooldown = scaleOut;
            this.scaleInCooldown = scaleIn;
            return this;
        }

        public Builder scaleInStabilisation(Duration window) {
            this.scaleInStabilisation = window;
            return this;
        }

        /** {@code null}: unlimited. */
        public Builder maxScaleOut(RateLimit limit) {
            this.maxScaleOut = limit;
            return this;
        }

        /** {@code null}: unlimited. */
        public Builder maxScaleIn(RateLimit limit) {
            this.maxScaleIn = limit;
            return this;
        }

        public Builder dryRun(boolean dryRun) {
            this.dryRun = dryRun;
            return this;
        }

        public PoolPolicy build() {
            return new PoolPolicy(pool, minInstances, maxInstances, rules, queueTarget, targetTracking, predictive,
                    scaleOutCooldown, scaleInCooldown, scaleInStabilisation, maxScaleOut, maxScaleIn, dryRun);
        }
    }
}
