package dev.fleet.scaler.policy;

import static dev.fleet.scaler.policy.Fixtures.at;
import static dev.fleet.scaler.policy.Fixtures.policy;
import static dev.fleet.scaler.policy.Fixtures.undamped;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;

import org.junit.jupiter.api.Test;

import dev.fleet.scaler.policy.Decision.Kind;

/**
 * A CPU signal that alternates every 90 s between 90 % and 10 %, sampled and evaluated every
 * 5 s, with the backend carrying out every change at once. The policy is the default threshold
 * rules plus target tracking on CPU (50 %, band 40–60), which on its own chases every swing;
 * the damping is what keeps the pool still.
 */
class OscillationTest {

    static final int TWO_HOURS = 2 * 3600;
    static final TargetTracking CPU_50 = TargetTracking.around("cpu", 50, 10);

    static double swinging(int second) {
        return (second / 90) % 2 == 0 ? 90 : 10;
    }

    /** Runs {@code seconds} of {@code cpu}; returns every decision that changed the pool. */
    static List<Decision> simulate(PoolPolicy policy, IntToDoubleFunction cpu, int seconds) {
        MetricHistory history = new MetricHistory();
        List<Decision> recent = new ArrayList<>();
        List<Decision> changes = new ArrayList<>();
        int instances = 2;
        for (int s = 0; s <= seconds; s += 5) {
            Instant now = at(s);
            history.record(MetricNames.CPU, now, cpu.applyAsDouble(s));
            Instant horizon = now.minus(policy.decisionsLookBack());
            recent.removeIf(d -> !d.at().isAfter(horizon)); // what a caller keeps
            Decision d = PolicyEvaluator.evaluate(policy, PoolState.of(instances), history, recent, now);
            recent.add(d);
            if (d.changes()) {
                changes.add(d);
                instances = d.to();
            }
            history.forgetBefore(now.minus(Duration.ofMinutes(20)));
        }
        return changes;
    }

    /** Consecutive changes respect the cooldowns: any two ≥ the out one, a scale-in ≥ the in one after anything. */
    static void assertPaced(List<Decision> changes, PoolPolicy policy) {
        for (int i = 1; i < changes.size(); i++) {
            Duration apart = Duration.between(changes.get(i - 1).at(), changes.get(i).at());
            assertThat(apart).isGreaterThanOrEqualTo(policy.scaleOutCooldown());
            if (changes.get(i).kind() == Kind.SCALE_IN) {
                assertThat(apart).as("scale-in %s after %s", changes.get(i), changes.get(i - 1))
                        .isGreaterThanOrEqualTo(policy.scaleInCooldown());
            }
        }
    }

    @Test
    void twoHoursOfSwingsMakeAFewScaleOutsAndNoFlapping() {
        PoolPolicy damped = policy(1, 20).targetTracking(CPU_50).build();
        List<Decision> changes = simulate(damped, OscillationTest::swinging, TWO_HOURS);

        // 2 → 4 → 8 → 15 → 20 within four minutes, then the peaks keep it there.
        assertThat(changes).hasSizeLessThanOrEqualTo(6);
        assertThat(changes).extracting(Decision::kind).containsOnly(Kind.SCALE_OUT);
        assertThat(changes.get(changes.size() - 1).to()).isEqualTo(20);
        assertPaced(changes, damped);
    }

    @Test
    void whenTheSwingsStopThePoolShrinksInPacedSteps() {
        PoolPolicy damped = policy(1, 20).targetTracking(CPU_50).build();
        int swingsEnd = 1800;
        List<Decision> changes = simulate(damped, s -> s < swingsEnd ? swinging(s) : 10, swingsEnd + 3600);

        List<Decision> ins = changes.stream().filter(d -> d.kind() == Kind.SCALE_IN).toList();
        assertThat(ins).hasSizeGreaterThanOrEqualTo(3);
        assertThat(ins.get(ins.size() - 1).to()).isLessThan(5);
        // The last swing up is 1620–1709 s; its last 90 % sample (at 1705 s) holds scale-in off for the window.
        Instant lastPeak = at(1705);
        assertThat(ins.get(0).at()).isEqualTo(lastPeak.plus(damped.scaleInStabilisation()));
        assertThat(ins).allSatisfy(d -> assertThat(d.from() - d.to()).isLessThanOrEqualTo(5));
        assertPaced(changes, damped);
    }

    @Test
    void withoutDampingTheSamePolicyFlaps() {
        PoolPolicy undamped = undamped(1, 20).targetTracking(CPU_50).build();
        List<Decision> changes = simulate(undamped, OscillationTest::swinging, TWO_HOURS);

        assertThat(changes).hasSizeGreaterThan(100);
        assertThat(changes).extracting(Decision::kind).contains(Kind.SCALE_IN);
    }
}
