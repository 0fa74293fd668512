package dev.fleet.scaler.policy;

import static dev.fleet.scaler.policy.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import dev.fleet.scaler.policy.Predictive.Formula;

/** A policy validates itself on construction, naming the field at fault. */
class PoolPolicyTest {

    static final Duration MIN = Duration.ofMinutes(1);

    static void rejects(ThrowingCallable build, String field, String message) {
        assertThatThrownBy(build).isInstanceOfSatisfying(InvalidPolicyException.class, e -> {
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.getMessage()).isEqualTo(field + ": " + message);
        });
    }

    @Test
    void theDefaultsAreValidAndDocumented() {
        PoolPolicy p = policy(0, 10).build();
        assertThat(p.rules()).isEqualTo(ThresholdRule.DEFAULTS);
        assertThat(p.scaleOutCooldown()).isEqualTo(Duration.ofSeconds(60));
        assertThat(p.scaleInCooldown()).isEqualTo(Duration.ofSeconds(300));
        assertThat(p.scaleInStabilisation()).isEqualTo(Duration.ofSeconds(300));
        assertThat(p.maxScaleOut()).isEqualTo(new RateLimit(10, MIN));
        assertThat(p.maxScaleIn()).isEqualTo(new RateLimit(5, Duration.ofMinutes(5)));
        assertThat(p.decisionsLookBack()).isEqualTo(Duration.ofMinutes(5));
        assertThat(p.dryRun()).isFalse();
    }

    @Test
    void limits() {
        rejects(() -> policy(-1, 10).build(), "minInstances", "must be 0 or more, was -1");
        rejects(() -> policy(5, 3).build(), "maxInstances", "must be at least minInstances (5), was 3");
        rejects(() -> PoolPolicy.builder(" ", 1, 3).build(), "pool", "must not be blank");
    }

    @Test
    void ruleFields() {
        rejects(() -> policy(1, 3).rules(List.of(ThresholdRule.above("up", "cpu", 70, Duration.ZERO, 1))).build(),
                "rules[0].holdFor", "must be a positive duration, was PT0S");
        rejects(() -> policy(1, 3).rules(List.of(ThresholdRule.above("up", "cpu", 70, MIN, 0))).build(),
                "rules[0].step", "must not be 0");
        rejects(() -> policy(1, 3).rules(List.of(ThresholdRule.above("up", "cpu", 70, MIN, -1))).build(),
                "rules[0].step", "an 'above' rule scales out, so its step must be positive, was -1");
        rejects(() -> policy(1, 3).rules(List.of(ThresholdRule.below("down", "cpu", 30, MIN, 1))).build(),
                "rules[0].step", "a 'below' rule scales in, so its step must be negative, was 1");
        rejects(() -> policy(1, 3).rules(List.of(ThresholdRule.below("down", " ", 30, MIN, -1))).build(),
                "rules[0].metric", "must not be blank");
        rejects(() -> policy(1, 3).rules(List.of(
                ThresholdRule.above("up", "cpu", 70, MIN, 1).limitedTo(new RateLimit(0, MIN)))).build(),
                "rules[0].limit.maxInstances", "must be at least 1, was 0");
    }

    @Test
    void ruleNames() {
        ThresholdRule a = ThresholdRule.above("up", "cpu", 70, MIN, 1);
        rejects(() -> policy(1, 3).rules(List.of(a, a)).build(), "rules[1].name", "'up' is used by an earlier rule");
        rejects(() -> policy(1, 3).rules(List.of(ThresholdRule.above("forecast", "cpu", 70, MIN, 1))).build(),
                "rules[0].name", "'forecast' is reserved for the evaluator's own decisions "
                        + "[emergency, forecast, limits, none, queue-target, target-tracking, wake-up]");
    }

    @Test
    void thresholdsOfEachDirectionAreOrdered() {
        rejects(() -> policy(1, 3).rules(List.of(
                ThresholdRule.above("up", "cpu", 70, MIN, 1),
                ThresholdRule.below("down", "cpu", 75, MIN, -1))).build(),
                "rules[1].threshold", "scale-in threshold 75 on cpu must be below every scale-out threshold on it, "
                        + "but rules[0] (up) scales out above 70");
        rejects(() -> policy(1, 3).rules(List.of(
                ThresholdRule.above("high", "cpu", 70, MIN, 3),
                ThresholdRule.above("higher", "cpu", 85, MIN, 1))).build(),
                "rules[1].step", "rule higher (cpu > 85 for 1 min) is more extreme than rules[0] (cpu > 70 for 1 min) "
                        + "and so must not take a smaller step: +1 vs +3");
        rejects(() -> policy(1, 3).rules(List.of(
                ThresholdRule.below("low", "cpu", 30, MIN, -2),
                ThresholdRule.below("lower", "cpu", 20, MIN, -1))).build(),
                "rules[1].step", "rule lower (cpu < 20 for 1 min) is more extreme than rules[0] (cpu < 30 for 1 min) "
                        + "and so must not take a smaller step: -1 vs -2");
        // Different metrics do not constrain each other.
        policy(1, 3).rules(List.of(ThresholdRule.above("up", "cpu", 70, MIN, 1),
                ThresholdRule.below("down", "queueDepth", 75, MIN, -1))).build();
    }

    @Test
    void families() {
        rejects(() -> policy(1, 3).queueTarget(QueueTarget.of(0)).build(),
                "queueTarget.jobsPerInstance", "must be a positive number, was 0.0");
        rejects(() -> policy(1, 3).queueTarget(new QueueTarget(4, 0, 2)).build(),
                "queueTarget.scaleOutAbove", "must be at least scaleInAtOrBelow (2), was 0");
        rejects(() -> policy(1, 3).targetTracking(new TargetTracking("utilisation", 70, 75, 80)).build(),
                "targetTracking.low", "must be below the target (70), was 75.0");
        rejects(() -> policy(1, 3).predictive(Predictive.of(Formula.JOBS_PER_INSTANCE)).build(),
                "predictive.formula", "JOBS_PER_INSTANCE uses the queue target's jobs per instance, but the policy has no queueTarget");
        rejects(() -> policy(1, 3).queueTarget(QueueTarget.of(4))
                .predictive(new Predictive(Duration.ZERO, Formula.JOBS_PER_INSTANCE)).build(),
                "predictive.leadTime", "must be a positive duration, was PT0S");
    }

    @Test
    void damping() {
        rejects(() -> policy(1, 3).cooldowns(Duration.ofSeconds(-1), Duration.ZERO).build(),
                "scaleOutCooldown", "must be zero (off) or a positive duration, was PT-1S");
        rejects(() -> policy(1, 3).scaleInStabilisation(null).build(),
                "scaleInStabilisation", "must be zero (off) or a positive duration, was null");
        rejects(() -> policy(1, 3).maxScaleIn(new RateLimit(1, Duration.ZERO)).build(),
                "maxScaleIn.per", "must be a positive duration, was PT0S");
    }
}
