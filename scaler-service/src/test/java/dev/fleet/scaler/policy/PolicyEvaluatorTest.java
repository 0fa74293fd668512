package dev.fleet.scaler.policy;

import static dev.fleet.scaler.policy.Fixtures.POOL;
import static dev.fleet.scaler.policy.Fixtures.at;
import static dev.fleet.scaler.policy.Fixtures.evaluate;
import static dev.fleet.scaler.policy.Fixtures.past;
import static dev.fleet.scaler.policy.Fixtures.policy;
import static dev.fleet.scaler.policy.Fixtures.steady;
import static dev.fleet.scaler.policy.Fixtures.undamped;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import dev.fleet.scaler.policy.Decision.Kind;

/** The evaluator's steps after the rules: limits, damping, the queue and tracking formulas, wake-up, emergency. */
class PolicyEvaluatorTest {

    @Nested
    class Limits {

        @Test
        void neverGoesAboveMax() {
            MetricHistory h = steady("cpu", 90, 0, 600);
            Decision d = evaluate(policy(1, 10).build(), 9, h, at(60));
            assertThat(d.to()).isEqualTo(10);
            assertThat(d.recommended()).isEqualTo(10);
            assertThat(d.reason()).contains("kept within 1–10");
            Decision atMax = evaluate(policy(1, 10).build(), 10, h, at(60));
            assertThat(atMax.kind()).isEqualTo(Kind.NONE);
            assertThat(atMax.rule()).isEqualTo("cpu-surge");
        }

        @Test
        void neverGoesBelowMin() {
            MetricHistory h = steady("cpu", 10, 0, 1200);
            assertThat(evaluate(policy(2, 10).build(), 3, h, at(900)).to()).isEqualTo(2);
            assertThat(evaluate(policy(2, 10).build(), 2, h, at(900)).kind()).isEqualTo(Kind.NONE);
        }

        @Test
        void scalesToZeroWhenMinIsZero() {
            MetricHistory h = steady("cpu", 10, 0, 1200);
            Decision d = evaluate(policy(0, 10).build(), 1, h, at(900));
            assertThat(d.kind()).isEqualTo(Kind.SCALE_IN);
            assertThat(d.to()).isZero();
        }

        @Test
        void aSizeOutsideTheLimitsIsCorrectedAtOnceWhateverTheCooldown() {
            List<Decision> justChanged = List.of(past(at(99), 10, 12, "cpu-surge"));
            Decision down = evaluate(policy(1, 8).build(), PoolState.of(12), new MetricHistory(), justChanged, at(100));
            assertThat(down.kind()).isEqualTo(Kind.SCALE_IN);
            assertThat(down.to()).isEqualTo(8);
            assertThat(down.rule()).isEqualTo(PolicyEvaluator.LIMITS);
            Decision up = evaluate(policy(3, 8).build(), PoolState.of(1), new MetricHistory(), justChanged, at(100));
            assertThat(up.to()).isEqualTo(3);
        }
    }

    @Nested
    class Cooldowns {

        @Test
        void scaleOutWaitsItsCooldownAfterTheLastChangeThenGoes() {
            MetricHistory h = steady("cpu", 90, 0, 900);
            List<Decision> past = List.of(past(at(200), 3, 4, "cpu-high"));
            Decision blocked = evaluate(policy(1, 20).build(), PoolState.of(4), h, past, at(259));
            assertThat(blocked.kind()).isEqualTo(Kind.NONE);
            assertThat(blocked.rule()).isEqualTo("cpu-surge");
            assertThat(blocked.recommended()).isEqualTo(7);
            assertThat(blocked.reason()).contains("waits for the cooldown (1 min after the last change, 1 s left)");
            Decision allowed = evaluate(policy(1, 20).build(), PoolState.of(4), h, past, at(260));
            assertThat(allowed.to()).isEqualTo(7);
        }

        @Test
        void scaleOutCooldownAlsoRunsFromAScaleIn() {
            MetricHistory h = steady("cpu", 90, 0, 900);
            List<Decision> past = List.of(past(at(200), 5, 4, "cpu-low"));
            assertThat(evaluate(policy(1, 20).build(), PoolState.of(4), h, past, at(230)).kind()).isEqualTo(Kind.NONE);
            assertThat(evaluate(policy(1, 20).build(), PoolState.of(4), h, past, at(260)).kind()).isEqualTo(Kind.SCALE_OUT);
        }

        @Test
        void scaleInWaitsItsLongerCooldownThenGoes() {
            MetricHistory h = steady("cpu", 25, 0, 2000);
            PoolPolicy p = policy(1, 20).scaleInStabilisation(Duration.ZERO).build(); // the cooldown alone
            List<Decision> past = List.of(past(at(1000), 5, 6, "queue-deep"));
            Decision blocked = evaluate(p, PoolState.of(6), h, past, at(1299));
            assertThat(blocked.kind()).isEqualTo(Kind.NONE);
            assertThat(blocked.reason()).contains("scale-in to 5 waits for the cooldown (5 min after the last change, 1 s left)");
            assertThat(evaluate(p, PoolState.of(6), h, past, at(1300)).to()).isEqualTo(5);
        }

        @Test
        void zeroCooldownsAreOff() {
            MetricHistory h = steady("cpu", 90, 0, 900);
            PoolPolicy p = policy(1, 20).cooldowns(Duration.ZERO, Duration.ZERO).build();
            List<Decision> past = List.of(past(at(200), 3, 4, "cpu-high"));
            assertThat(evaluate(p, PoolState.of(4), h, past, at(200)).to()).isEqualTo(7);
        }

        @Test
        void decisionsOfOtherPoolsAndFromTheFutureDoNotCount() {
            MetricHistory h = steady("cpu", 90, 0, 900);
            Decision other = new Decision("other", at(200), 3, 4, Kind.SCALE_OUT, "cpu-high", 4, java.util.Map.of(), "",
                    false, false, false);
            List<Decision> past = List.of(other, past(at(300), 3, 4, "cpu-high"));
            assertThat(evaluate(policy(1, 20).build(), PoolState.of(4), h, past, at(230)).to()).isEqualTo(7);
        }
    }

    @Nested
    class Stabilisation {

        static final PoolPolicy NO_COOLDOWNS = policy(1, 20).cooldowns(Duration.ZERO, Duration.ZERO).build();

        @Test
        void aScaleInGoesNoLowerThanTheHighestRecommendationOfTheWindow() {
            MetricHistory h = steady("cpu", 25, 0, 2000);
            List<Decision> past = List.of(past(at(700), 6, 6, TargetTracking.RULE)); // someone said "keep 6"
            Decision held = evaluate(NO_COOLDOWNS, PoolState.of(6), h, past, at(999));
            assertThat(held.kind()).isEqualTo(Kind.NONE);
            assertThat(held.recommended()).isEqualTo(5);
            assertThat(held.reason()).contains("no scale-in: the highest recommendation of the last 5 min was 6");
            assertThat(evaluate(NO_COOLDOWNS, PoolState.of(6), h, past, at(1000)).to()).isEqualTo(5);
        }

        @Test
        void aLowerRecommendationInTheWindowLimitsHowFarTheScaleInGoes() {
            MetricHistory h = steady("cpu", 10, 0, 2000);
            List<Decision> past = List.of(past(at(800), 8, 7, "cpu-low"));
            Decision d = evaluate(NO_COOLDOWNS, PoolState.of(7), h, past, at(900)); // cpu-idle says 5
            assertThat(d.kind()).isEqualTo(Kind.NONE);
            Decision partial = evaluate(NO_COOLDOWNS, PoolState.of(8), h, past, at(900));
            assertThat(partial.to()).isEqualTo(7);
            assertThat(partial.recommended()).isEqualTo(6);
            assertThat(partial.reason()).contains("only to 7");
        }

        @Test
        void decisionsWithoutAnOpinionDoNotHoldAScaleIn() {
            MetricHistory h = steady("cpu", 25, 0, 2000);
            List<Decision> past = new ArrayList<>();
            for (int s = 400; s < 600; s += 5) {
                past.add(past(at(s), 6, 6, Decision.NO_RULE));
            }
            assertThat(evaluate(policy(1, 20).build(), PoolState.of(6), h, past, at(600)).to()).isEqualTo(5);
        }
    }

    @Nested
    class RateLimits {

        @Test
        void theQueueRuleAddsAtMostTenPerMinute() {
            MetricHistory h = steady("queueDepth", 500, 0, 600);
            PoolPolicy p = policy(1, 50).cooldowns(Duration.ZERO, Duration.ZERO).maxScaleOut(null).build();
            List<Decision> past = new ArrayList<>();
            int instances = 2;
            int added = 0;
            for (int s = 120; s < 180; s += 5) { // one minute from the first firing
                Decision d = evaluate(p, PoolState.of(instances), h, past, at(s));
                past.add(d);
                added += d.to() - d.from();
                instances = d.to();
            }
            assertThat(added).isEqualTo(10);
            assertThat(past.get(2).reason()).contains("cut to 0 by the rule's limit of 10 per 1 min (10 used)");
            Decision nextMinute = evaluate(p, PoolState.of(instances), h, past, at(180));
            assertThat(nextMinute.to() - nextMinute.from()).isEqualTo(5);
        }

        @Test
        void thePolicyWideScaleOutLimitShortensAStep() {
            MetricHistory h = steady("utilisation", 100, 0, 600);
            PoolPolicy p = policy(1, 100).rules(List.of()).cooldowns(Duration.ZERO, Duration.ZERO)
                    .targetTracking(TargetTracking.around("utilisation", 50, 10)).build(); // default +10 per minute
            Decision first = evaluate(p, PoolState.of(10), h, List.of(), at(100));
            assertThat(first.to()).isEqualTo(20);
            assertThat(first.recommended()).isEqualTo(20);
            Decision second = evaluate(p, PoolState.of(20), h, List.of(first), at(105));
            assertThat(second.kind()).isEqualTo(Kind.NONE);
            assertThat(second.reason()).contains("scale-out to 40 waits for the scale-out limit of 10 per 1 min (10 used)");
            Decision partial = evaluate(p, PoolState.of(20), h, List.of(past(at(50), 15, 20, "x")), at(105));
            assertThat(partial.to()).isEqualTo(25); // +5 left of the 10
            assertThat(partial.reason()).contains("limited to +5 by the scale-out limit of 10 per 1 min (5 used)");
        }

        @Test
        void theScaleInLimitShortensAStep() {
            MetricHistory h = steady("queueDepth", 0, 0, 600);
            steady(h, "inFlight", 0, 0, 600);
            PoolPolicy p = policy(0, 50).rules(List.of()).queueTarget(QueueTarget.of(4))
                    .scaleInStabilisation(Duration.ZERO).build(); // default -5 per 5 min
            Decision d = evaluate(p, 12, h, at(600));
            assertThat(d.to()).isEqualTo(7);
            assertThat(d.recommended()).isZero();
            assertThat(d.reason()).contains("limited to -5 by the scale-in limit of 5 per 5 min (0 used)");
        }
    }

    @Nested
    class QueueTargetFormula {

        static final PoolPolicy QUEUE = undamped(0, 50).rules(List.of()).queueTarget(QueueTarget.of(4)).build();

        static MetricHistory queue(double inFlight, double waiting) {
            return steady(steady("inFlight", inFlight, 0, 60), "queueDepth", waiting, 0, 60);
        }

        @Test
        void sizesThePoolToInFlightPlusWaitingOverJobsPerInstance() {
            Decision d = evaluate(QUEUE, 2, queue(8, 10), at(60));
            assertThat(d.to()).isEqualTo(5); // ceil(18 / 4)
            assertThat(d.rule()).isEqualTo(QueueTarget.RULE);
            assertThat(d.reason()).isEqualTo("(inFlight 8 + waiting 10) / 4 jobs per instance = 5; 2 → 5");
            assertThat(d.inputs()).containsEntry("inFlight", 8.0).containsEntry("queueDepth", 10.0);
        }

        @Test
        void scalesInOnlyOnceTheQueueIsEmpty() {
            Decision backlog = evaluate(QUEUE, 5, queue(4, 3), at(60));
            assertThat(backlog.kind()).isEqualTo(Kind.NONE);
            assertThat(backlog.reason()).contains("3 still waiting");
            assertThat(evaluate(QUEUE, 5, queue(4, 0), at(60)).to()).isEqualTo(1);
        }

        @Test
        void scalesOutOnlyAboveItsDepthThreshold() {
            PoolPolicy tolerant = undamped(0, 50).rules(List.of()).queueTarget(new QueueTarget(4, 3, 0)).build();
            assertThat(evaluate(tolerant, 2, queue(8, 3), at(60)).kind()).isEqualTo(Kind.NONE);
            assertThat(evaluate(tolerant, 2, queue(8, 4), at(60)).to()).isEqualTo(3);
        }
    }

    @Nested
    class TargetTrackingBand {

        static final PoolPolicy TRACKING = undamped(1, 50).rules(List.of())
                .targetTracking(TargetTracking.around("utilisation", 70, 10)).build();

        @Test
        void insideTheBandKeepsTheSize() {
            for (double u : new double[] {60, 70, 80}) {
                Decision d = evaluate(TRACKING, 5, steady("utilisation", u, 0, 60), at(60));
                assertThat(d.kind()).isEqualTo(Kind.NONE);
                assertThat(d.rule()).isEqualTo(TargetTracking.RULE);
                assertThat(d.recommended()).isEqualTo(5);
            }
        }

        @Test
        void aboveTheBandScalesToCurrentTimesValueOverTarget() {
            Decision d = evaluate(TRACKING, 5, steady("utilisation", 91, 0, 60), at(60));
            assertThat(d.to()).isEqualTo(7); // ceil(5 × 91 / 70) = ceil(6.5)
            assertThat(d.reason()).isEqualTo("utilisation 91 outside 60–80: 5 × 91 / 70 = 7; 5 → 7");
        }

        @Test
        void belowTheBandScalesInByTheSameFormula() {
            assertThat(evaluate(TRACKING, 10, steady("utilisation", 35, 0, 60), at(60)).to()).isEqualTo(5);
            assertThat(evaluate(TRACKING, 10, steady("utilisation", 56, 0, 60), at(60)).to()).isEqualTo(8);
        }

        @Test
        void aKeepFromOneFamilyBlocksAScaleInFromAnother() {
            PoolPolicy both = undamped(1, 50).targetTracking(TargetTracking.around("utilisation", 70, 10)).build();
            MetricHistory h = steady(steady("cpu", 25, 0, 700), "utilisation", 65, 0, 700);
            Decision d = evaluate(both, 5, h, at(600));
            assertThat(d.kind()).isEqualTo(Kind.NONE);
            assertThat(d.rule()).isEqualTo(TargetTracking.RULE);
        }
    }

    @Nested
    class WakeUp {

        @Test
        void theFirstWaitingJobBringsTheFirstInstanceEvenInACooldown() {
            PoolPolicy p = policy(0, 10).build();
            MetricHistory h = new MetricHistory().record("queueDepth", at(100), 1);
            List<Decision> justScaledToZero = List.of(past(at(95), 1, 0, "cpu-idle"));
            Decision d = evaluate(p, PoolState.of(0), h, justScaledToZero, at(100));
            assertThat(d.kind()).isEqualTo(Kind.SCALE_OUT);
            assertThat(d.to()).isEqualTo(1);
            assertThat(d.rule()).isEqualTo(PolicyEvaluator.WAKE_UP);
            assertThat(d.emergency()).isTrue();
            assertThat(d.alert()).isFalse();
            assertThat(d.reason()).isEqualTo("1 job(s) waiting and no instance; 0 → 1");
        }

        @Test
        void withAQueueTargetTheWakeUpGoesStraightToTheFormula() {
            PoolPolicy p = policy(0, 10).queueTarget(QueueTarget.of(4)).build();
            MetricHistory h = new MetricHistory().record("queueDepth", at(100), 10);
            Decision d = evaluate(p, 0, h, at(100));
            assertThat(d.to()).isEqualTo(3);
            assertThat(d.rule()).isEqualTo(QueueTarget.RULE);
            assertThat(d.emergency()).isTrue();
            assertThat(d.reason()).endsWith("; wake-up from zero; 0 → 3");
        }

        @Test
        void anEmptyQueueLeavesAnEmptyPoolAlone() {
            PoolPolicy p = policy(0, 10).build();
            MetricHistory h = new MetricHistory().record("queueDepth", at(100), 0);
            assertThat(evaluate(p, 0, h, at(100)).kind()).isEqualTo(Kind.NONE);
        }
    }

    @Nested
    class Emergency {

        @Test
        void aPoolWithEveryInstanceUnhealthyIsReplacedWhateverTheCooldown() {
            List<Decision> justChanged = List.of(past(at(99), 2, 3, "cpu-surge"));
            Decision d = evaluate(policy(1, 10).build(), PoolState.of(3, 0, 3), new MetricHistory(), justChanged, at(100));
            assertThat(d.kind()).isEqualTo(Kind.REPLACE_ALL);
            assertThat(d.from()).isEqualTo(3);
            assertThat(d.to()).isEqualTo(3);
            assertThat(d.rule()).isEqualTo(PolicyEvaluator.EMERGENCY);
            assertThat(d.emergency()).isTrue();
            assertThat(d.alert()).isTrue();
            assertThat(d.inputs()).containsEntry("unhealthy", 3.0).containsEntry("healthy", 0.0);
            assertThat(d.reason()).isEqualTo("all 3 instances are unhealthy: replace them all");
        }

        @Test
        void oneHealthyOrStartingInstanceIsNoEmergency() {
            MetricHistory none = new MetricHistory();
            assertThat(evaluate(policy(1, 10).build(), PoolState.of(3, 1, 2), none, List.of(), at(100)).kind())
                    .isEqualTo(Kind.NONE);
            assertThat(evaluate(policy(1, 10).build(), PoolState.of(3, 0, 2), none, List.of(), at(100)).kind())
                    .isEqualTo(Kind.NONE);
            assertThat(evaluate(policy(0, 10).build(), PoolState.of(0), none, List.of(), at(100)).kind())
                    .isEqualTo(Kind.NONE);
        }
    }

    @Test
    void theDecisionCarriesThePoolTheInstantAndTheDryRunFlag() {
        PoolPolicy p = policy(1, 10).dryRun(true).build();
        Decision d = evaluate(p, 3, steady("cpu", 90, 0, 60), at(60));
        assertThat(d.pool()).isEqualTo(POOL);
        assertThat(d.at()).isEqualTo(at(60));
        assertThat(d.dryRun()).isTrue();
        assertThat(d.kind()).isEqualTo(Kind.SCALE_OUT);
        assertThat(d.kind()).hasToString("scale-out");
    }

    @Test
    void withNothingToGoOnTheDecisionIsNone() {
        Decision d = evaluate(policy(1, 10).build(), 3, new MetricHistory(), at(60));
        assertThat(d.kind()).isEqualTo(Kind.NONE);
        assertThat(d.rule()).isEqualTo(Decision.NO_RULE);
        assertThat(d.recommends()).isFalse();
        assertThat(d.reason()).isEqualTo("no rule has an opinion; stay at 3");
    }
}
