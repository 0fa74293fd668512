package dev.fleet.scaler.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.fleet.scaler.policy.Comparison;
import dev.fleet.scaler.policy.DurationText;
import dev.fleet.scaler.policy.InvalidPolicyException;
import dev.fleet.scaler.policy.PoolPolicy;
import dev.fleet.scaler.policy.Predictive;
import dev.fleet.scaler.policy.QueueTarget;
import dev.fleet.scaler.policy.RateLimit;
import dev.fleet.scaler.policy.TargetTracking;
import dev.fleet.scaler.policy.ThresholdRule;

/**
 * A pool as the API takes it ({@code PUT /pools/{pool}}) and stores it: limits, the queue its
 * runners work, the backend that runs them, and its policy. Only {@code maxInstances} and
 * {@code backend.kind} are required; everything else has the defaults of
 * {@link PoolPolicy#builder}. {@link #toPolicy} checks it all, naming the field at fault.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PoolSpec(Integer minInstances, Integer maxInstances, String queue, Backend backend, Boolean dryRun,
        Policy policy) {

    /** Which backend runs the pool, with its settings (see the backend's documentation). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Backend(String kind, Map<String, String> settings) {
    }

    /** Each member optional; {@code rules} null = the default threshold rules, [] = none. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Policy(List<Rule> rules, QueueTargetSpec queueTarget, TargetTrackingSpec targetTracking,
            PredictiveSpec predictive, String scaleOutCooldown, String scaleInCooldown, String scaleInStabilisation,
            Limit maxScaleOut, Limit maxScaleIn) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Rule(String name, String metric, String comparison, Double threshold, String holdFor, Integer step,
            Limit limit) {
    }

    public record Limit(Integer maxInstances, String per) {
    }

    public record QueueTargetSpec(Double jobsPerInstance, Integer scaleOutAbove, Integer scaleInAtOrBelow) {
    }

    public record TargetTrackingSpec(String metric, Double target, Double low, Double high) {
    }

    public record PredictiveSpec(String leadTime, String formula) {
    }

    public String queueOr(String pool) {
        return queue == null || queue.isBlank() ? pool : queue;
    }

    public boolean isDryRun() {
        return Boolean.TRUE.equals(dryRun);
    }

    /** The policy this spec describes, checked; errors name the spec's field ({@code policy.rules[1].step}). */
    public PoolPolicy toPolicy(String pool) {
        require(maxInstances != null, "maxInstances", "is required");
        require(backend != null && backend.kind() != null && !backend.kind().isBlank(), "backend.kind", "is required");
        require(queue == null || queue.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}"), "queue",
                "must be 1–100 letters, digits, '.', '_' or '-'");
        PoolPolicy.Builder builder = PoolPolicy.builder(pool, minInstances == null ? 0 : minInstances, maxInstances)
                .dryRun(isDryRun());
        Policy p = policy == null ? new Policy(null, null, null, null, null, null, null, null, null) : policy;
        try {
            if (p.rules() != null) {
                List<ThresholdRule> rules = new ArrayList<>();
                for (int i = 0; i < p.rules().size(); i++) {
                    rules.add(rule(p.rules().get(i), "rules[" + i + "]"));
                }
                builder.rules(rules);
            }
            if (p.queueTarget() != null) {
                QueueTargetSpec q = p.queueTarget();
                builder.queueTarget(new QueueTarget(
                        q.jobsPerInstance() == null ? QueueTarget.JOBS_PER_INSTANCE_DEFAULT : q.jobsPerInstance(),
                        q.scaleOutAbove() == null ? 0 : q.scaleOutAbove(),
                        q.scaleInAtOrBelow() == null ? 0 : q.scaleInAtOrBelow()));
            }
            if (p.targetTracking() != null) {
                TargetTrackingSpec t = p.targetTracking();
                require(t.metric() != null && t.target() != null, "targetTracking", "needs metric and target");
                double band = t.target() * 0.15;
                builder.targetTracking(new TargetTracking(t.metric(), t.target(),
                        t.low() == null ? t.target() - band : t.low(), t.high() == null ? t.target() + band : t.high()));
            }
            if (p.predictive() != null) {
                builder.predictive(new Predictive(
                        DurationText.parse("predictive.leadTime", p.predictive().leadTime(), Predictive.LEAD_TIME_DEFAULT),
                        formula(p.predictive().formula())));
            }
            builder.cooldowns(
                    DurationText.parse("scaleOutCooldown", p.scaleOutCooldown(), PoolPolicy.SCALE_OUT_COOLDOWN_DEFAULT),
                    DurationText.parse("scaleInCooldown", p.scaleInCooldown(), PoolPolicy.SCALE_IN_COOLDOWN_DEFAULT));
            builder.scaleInStabilisation(DurationText.parse("scaleInStabilisation", p.scaleInStabilisation(),
                    PoolPolicy.SCALE_IN_STABILISATION_DEFAULT));
            if (p.maxScaleOut() != null) {
                builder.maxScaleOut(limit(p.maxScaleOut(), "maxScaleOut"));
            }
            if (p.maxScaleIn() != null) {
                builder.maxScaleIn(limit(p.maxScaleIn(), "maxScaleIn"));
            }
            return builder.build();
        } catch (InvalidPolicyException e) {
            boolean topLevel = e.field().startsWith("minInstances") || e.field().startsWith("maxInstances");
            String field = topLevel || e.field().startsWith("policy.") ? e.field() : "policy." + e.field();
            throw new InvalidPolicyException(field, e.getMessage().substring(e.field().length() + 2));
        }
    }

    private static ThresholdRule rule(Rule r, String field) {
        require(r != null, field, "must be a rule object");
        require(r.name() != null && r.metric() != null && r.comparison() != null && r.threshold() != null
                && r.holdFor() != null && r.step() != null, field,
                "needs name, metric, comparison (above|below), threshold, holdFor and step");
        Comparison comparison = switch (r.comparison().toLowerCase(Locale.ROOT)) {
            case "above" -> Comparison.ABOVE;
            case "below" -> Comparison.BELOW;
            default -> throw new InvalidPolicyException(field + ".comparison", "must be above or below, was '"
                    + r.comparison() + "'");
        };
        return new ThresholdRule(r.name(), r.metric(), comparison, r.threshold(),
                DurationText.parse(field + ".holdFor", r.holdFor(), null), r.step(),
                r.limit() == null ? null : limit(r.limit(), field + ".limit"));
    }

    private static RateLimit limit(Limit limit, String field) {
        require(limit.maxInstances() != null && limit.per() != null, field, "needs maxInstances and per");
        return new RateLimit(limit.maxInstances(), DurationText.parse(field + ".per", limit.per(), Duration.ZERO));
    }

    private static Predictive.Formula formula(String text) {
        if (text == null || text.equals("jobs-per-instance")) {
            return Predictive.Formula.JOBS_PER_INSTANCE;
        }
        if (text.equals("target-tracking")) {
            return Predictive.Formula.TARGET_TRACKING;
        }
        throw new InvalidPolicyException("predictive.formula", "must be jobs-per-instance or target-tracking, was '"
                + text + "'");
    }

    private static void require(boolean ok, String field, String problem) {
        if (!ok) {
            throw new InvalidPolicyException(field, problem);
        }
    }
}
