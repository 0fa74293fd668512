package dev.fleet.gateway.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.Pool;
import dev.fleet.gateway.testing.TestPools;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The ejection rules on a real {@link Pool}, without Quarkus (no timers: sweeps are called directly). */
class OutlierEjectionRulesTest {

    private static final long MS = 1_000_000;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final OutlierEjection ejection = new OutlierEjection(null, null, null, meters);

    private static Pool pool(int instances) {
        Pool pool = TestPools.pool("p", Map.of(
                "ejection.consecutive-failures", "3",
                "ejection.base-time", "1s",
                "ejection.max-time", "10s",
                "ejection.max-percent", "50",
                "ejection.latency-checks", "3",
                "ejection.latency-factor", "3",
                "ejection.latency-floor", "50ms",
                "slow-start", "20s"));
        List<Instance> members = new java.util.ArrayList<>();
        for (int i = 0; i < instances; i++) {
            members.add(TestPools.instance("p", "i" + i, 9000 + i));
        }
        pool.replaceMembers("config", members, System.nanoTime());
        return pool;
    }

    private double ejections(String reason) {
        var counter = meters.find("fleet.gateway.ejections").tags("pool", "p", "reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    @Nested
    class Failures {

        @Test
        void ejectsOnlyOnceTheConsecutiveFailuresReachTheLimit() {
            Pool pool = pool(4);
            Instance failing = pool.member("i0");
            ejection.afterFailure(pool, failing, 2, "status 502");
            assertThat(failing.ejected()).isFalse();

            long before = System.nanoTime();
            ejection.afterFailure(pool, failing, 3, "status 502");
            long after = System.nanoTime();

            assertThat(failing.ejected()).isTrue();
            assertThat(failing.ejectionReason()).contains("3 consecutive failures").contains("status 502");
            assertThat(failing.ejectedUntilNanos()).isBetween(before + 1000 * MS, after + 1000 * MS);
            assertThat(pool.snapshot().byId("i0")).as("out of the pick table at once").isNull();
            assertThat(ejections(OutlierEjection.FAILURES)).isEqualTo(1);
        }

        @Test
        void aRepeatedEjectionLastsLonger() {
            Pool pool = pool(4);
            Instance failing = pool.member("i0");
            ejection.afterFailure(pool, failing, 3, "connect refused");
            pool.refresh(failing.ejectedUntilNanos()); // the first ejection's time is up
            assertThat(failing.ejected()).isFalse();

            long before = System.nanoTime();
            ejection.afterFailure(pool, failing, 3, "connect refused");
            long after = System.nanoTime();

            assertThat(failing.ejectedUntilNanos()).isBetween(before + 2000 * MS, after + 2000 * MS);
            assertThat(ejections(OutlierEjection.FAILURES)).isEqualTo(2);
        }

        @Test
        void neverEjectsMoreThanTheMaximumShare() {
            Pool pool = pool(2);
            ejection.afterFailure(pool, pool.member("i0"), 5, "status 500");
            ejection.afterFailure(pool, pool.member("i1"), 5, "status 500");

            assertThat(pool.member("i0").ejected()).isTrue();
            assertThat(pool.member("i1").ejected()).as("50% of 2 is one").isFalse();
            assertThat(ejections(OutlierEjection.FAILURES)).isEqualTo(1);
        }

        @Test
        void endedEjectionBringsTheInstanceBackInSlowStart() {
            Pool pool = pool(4);
            Instance failing = pool.member("i0");
            failing.recordOutcome(40, true);
            ejection.afterFailure(pool, failing, 3, "status 500");

            long end = failing.ejectedUntilNanos();
            pool.refresh(end);

            assertThat(failing.ejected()).isFalse();
            assertThat(failing.usable()).isTrue();
            assertThat(pool.snapshot().byId("i0")).isSameAs(failing);
            assertThat(failing.inSlowStart(end + MS, 20_000 * MS)).isTrue();
            assertThat(failing.latencyEwmaMs()).as("old latency forgotten").isZero();
            assertThat(failing.consecutiveFailures()).isZero();
        }

        @Test
        void ignoresAnInstanceThatLeftThePool() {
            Pool pool = pool(4);
            Instance gone = pool.member("i0");
            pool.remove("i0", System.nanoTime());
            ejection.afterFailure(pool, gone, 10, "status 500");
            assertThat(gone.ejected()).isFalse();
        }
    }

    @Nested
    class Latency {

        private static void feed(Instance instance, double ms) {
            for (int i = 0; i < 20; i++) {
                instance.recordOutcome(ms, false);
            }
        }

        @Test
        void ejectsAnOutlierAfterTheConfiguredSweepsAndNotTheOthers() {
            Pool pool = pool(4);
            feed(pool.member("i0"), 20);
            feed(pool.member("i1"), 25);
            feed(pool.member("i2"), 30);
            feed(pool.member("i3"), 400);

            assertThat(ejection.sweepLatency(pool)).isZero();
            assertThat(ejection.sweepLatency(pool)).isZero();
            assertThat(pool.member("i3").ejected()).isFalse();
            assertThat(ejection.sweepLatency(pool)).isEqualTo(1);

            assertThat(pool.member("i3").ejected()).isTrue();
            assertThat(pool.member("i3").ejectionReason()).startsWith("latency");
            assertThat(List.of("i0", "i1", "i2")).allSatisfy(id -> assertThat(pool.member(id).ejected()).isFalse());
            assertThat(ejections(OutlierEjection.LATENCY)).isEqualTo(1);
        }

        @Test
        void aFastSweepInBetweenRestartsTheCount() {
            Pool pool = pool(4);
            feed(pool.member("i0"), 20);
            feed(pool.member("i1"), 20);
            feed(pool.member("i2"), 20);
            Instance flapping = pool.member("i3");
            feed(flapping, 400);
            ejection.sweepLatency(pool);
            ejection.sweepLatency(pool);
            feed(flapping, 1); // 20 fast answers pull the average well below the limit
            ejection.sweepLatency(pool);
            feed(flapping, 5000);
            ejection.sweepLatency(pool);
            ejection.sweepLatency(pool);
            assertThat(flapping.ejected()).isFalse();
            ejection.sweepLatency(pool);
            assertThat(flapping.ejected()).isTrue();
        }

        @Test
        void slowButBelowTheFloorIsNoOutlier() {
            Pool pool = pool(4);
            feed(pool.member("i0"), 2);
            feed(pool.member("i1"), 2);
            feed(pool.member("i2"), 2);
            feed(pool.member("i3"), 40); // 20 × the median, but under the 50 ms floor
            for (int i = 0; i < 5; i++) {
                ejection.sweepLatency(pool);
            }
            assertThat(pool.member("i3").ejected()).isFalse();
        }

        @Test
        void needsThreeMeasuredInstances() {
            Pool pool = pool(4);
            feed(pool.member("i0"), 20);
            feed(pool.member("i1"), 900);
            for (int i = 0; i < 5; i++) {
                ejection.sweepLatency(pool);
            }
            assertThat(pool.member("i1").ejected()).isFalse();
        }
    }

    @Test
    void medianOfEvenAndOddCounts() {
        assertThat(OutlierEjection.median(new double[] { 5, 1, 3 })).isEqualTo(3);
        assertThat(OutlierEjection.median(new double[] { 4, 1, 3, 100 })).isCloseTo(3.5, within(1e-9));
    }
}
