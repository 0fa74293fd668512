package dev.fleet.gateway.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.Pool;
import dev.fleet.gateway.pool.PoolSnapshot;
import dev.fleet.gateway.testing.TestPools;

/** The default balancer's latency term: a slow instance gets little traffic, and gets its share back when fast again. */
class LatencyAwareLeastConnectionsTest {

    private static final int PICKS = 20_000;

    private final Balancer balancer = new LeastConnections();

    /** A pool of {@code size} equal instances i0…, where each has answered once in {@code latenciesMs[i]} (1 ms if not given). */
    private static Pool pool(int size, double... latenciesMs) {
        Pool pool = TestPools.pool("l", Map.of("slow-start", "0s"));
        List<Instance> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            Instance instance = TestPools.instance("l", "i" + i, 9100 + i);
            instance.recordOutcome(latenciesMs.length > i ? latenciesMs[i] : 1, false);
            members.add(instance);
        }
        pool.replaceMembers("config", members, System.nanoTime());
        return pool;
    }

    private Map<String, Integer> picks(Pool pool) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < PICKS; i++) {
            counts.merge(balancer.pick(pool.snapshot(), Pick.ANY).id(), 1, Integer::sum);
        }
        return counts;
    }

    /** Every instance but {@code except} holds {@code count} requests. */
    private static void hold(Pool pool, int count, String except) {
        for (Instance instance : pool.members()) {
            if (!instance.id().equals(except)) {
                for (int i = 0; i < count; i++) {
                    instance.tryAcquire(Integer.MAX_VALUE);
                }
            }
        }
    }

    @Test
    void anIdleSlowInstanceIsNotPickedWhileTheFastOnesHaveRoomToSpare() {
        Pool pool = pool(4, 1, 1, 1, 20);
        hold(pool, 3, "i3");
        assertThat(picks(pool).getOrDefault("i3", 0)).as("20 ms beside 1 ms, the fast ones holding 3 each").isZero();
    }

    @Test
    void aSlowInstanceStillTakesWorkWhenTheFastOnesAreLoadedBeyondItsLatencyRatio() {
        Pool pool = pool(4, 1, 1, 1, 20);
        hold(pool, 30, "i3");
        // (30 + 1) × 1 ms waits longer than (0 + 1) × 20 ms: then the slow one is the better choice
        assertThat(picks(pool).getOrDefault("i3", 0)).isGreaterThan(PICKS / 4);
    }

    @Test
    void aQueueIsCountedOnceSoASlowerIdleInstanceStaysOutWhileTheQueuedOnesAreStillQuicker() {
        // Fast ones that serve one request at a time answer in 1.5 ms while holding 20 (0.075 ms per
        // request); beside them an idle instance that takes 2.9 ms. By raw latency they are alike
        // (under 2×), and least-connections would hand the idle one every draw it is in; by time per
        // request a new one waits (20 + 1) × 0.075 ≈ 1.6 ms at a fast one against 2.9 ms at the slow one.
        Pool pool = TestPools.pool("q", Map.of("slow-start", "0s"));
        List<Instance> members = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Instance instance = TestPools.instance("q", "i" + i, 9400 + i);
            if (i < 3) {
                instance.recordOutcome(1.5, 20, false);
            } else {
                instance.recordOutcome(2.9, 1, false);
            }
            members.add(instance);
        }
        pool.replaceMembers("config", members, System.nanoTime());
        hold(pool, 20, "i3");
        assertThat(picks(pool).getOrDefault("i3", 0)).isZero();

        // once the fast ones hold 40, their queue is the longer wait and the slow one takes work
        hold(pool, 20, "i3");
        assertThat(picks(pool).getOrDefault("i3", 0)).isGreaterThan(PICKS / 4);
    }

    @Test
    void latenciesWithinTheRatioCountAsAlikeAndTrafficSpreadsEvenly() {
        Pool pool = pool(4, 1, 1.5, 1.2, 1.9);
        Map<String, Integer> counts = picks(pool);
        for (int i = 0; i < 4; i++) {
            assertThat(counts.get("i" + i) / (double) PICKS).isCloseTo(0.25, within(0.02));
        }
    }

    @Test
    void anInstanceThatTurnsMuchSlowerLosesItsShareAtItsFirstSlowAnswer() {
        Pool pool = pool(3);
        hold(pool, 1, "none");
        assertThat(picks(pool).get("i2") / (double) PICKS).isCloseTo(1 / 3.0, within(0.02));

        pool.member("i2").recordOutcome(25, false);
        assertThat(picks(pool).getOrDefault("i2", 0)).isZero();
    }

    @Test
    void aSlowInstanceIsTriedAgainAsItsLatencyDecaysAndRegainsItsShareWhenFast() {
        Pool pool = pool(4, 1, 1, 1, 20);
        hold(pool, 2, "i3");
        Instance slow = pool.member("i3");
        long now = System.nanoTime();
        pool.refresh(now);
        assertThat(picks(pool).getOrDefault("i3", 0)).isZero();

        // no traffic for a few decay time constants: it looks like the others again and is tried
        pool.refresh(now + 5_000_000_000L);
        assertThat(slow.pickLatencyMs()).isLessThan(2 * pool.snapshot().fastestLatencyMs());
        Map<String, Integer> tried = picks(pool);
        assertThat(tried.getOrDefault("i3", 0)).isGreaterThan(PICKS / 10);

        // a probe that is still slow (40 ms) makes it slow again at once: 1 + (40 − 1) / 10 ≈ 4.9 ms
        slow.recordOutcome(40, false);
        assertThat(picks(pool).getOrDefault("i3", 0)).isZero();

        // once fast again, the next probe keeps it alike the others
        pool.refresh(now + 10_000_000_000L);
        slow.recordOutcome(1, false);
        assertThat(LeastConnections.slowness(slow, pool.snapshot().fastestLatencyMs())).isEqualTo(1.0);
        assertThat(picks(pool).get("i3") / (double) PICKS).isGreaterThan(0.2);
    }

    @Test
    void eachAnswerMovesThePickLatencyATenthPerRequestInFlightAndDecayPullsItTowardsTheFloor() {
        Instance instance = TestPools.instance("l", "x", 9200);
        instance.recordOutcome(10, false);
        instance.recordOutcome(30, false);
        assertThat(instance.pickLatencyMs()).isCloseTo(12.0, within(1e-9));
        instance.decayPickLatency(2, 0.5);
        assertThat(instance.pickLatencyMs()).isCloseTo(7.0, within(1e-9));
        instance.decayPickLatency(20, 0.5);
        assertThat(instance.pickLatencyMs()).as("never pulled up to the floor").isCloseTo(7.0, within(1e-9));
        instance.recordOutcome(80, 4, false);
        assertThat(instance.pickLatencyMs()).as("an answer counts per request in flight when it was sent: 7 + (80 / 4 − 7) / 10")
                .isCloseTo(8.3, within(1e-9));
    }

    @Test
    void waitsLessThanHalfAMillisecondApartAreNoiseAtAnyRatio() {
        // idle: a slow one would lose every draw against the others, (0 + 1) × 3 against (0 + 1) × 1
        Pool pool = pool(3, 0.2, 0.2, 0.6);
        assertThat(picks(pool).get("i2") / (double) PICKS).isCloseTo(1 / 3.0, within(0.02));
    }

    @Test
    void theSecondDrawIsWeightedAndNeverTheFirst() {
        Pool pool = TestPools.pool("w", Map.of("slow-start", "0s"));
        List<Instance> members = new ArrayList<>();
        double[] capacities = {1, 2, 3, 4};
        for (int i = 0; i < capacities.length; i++) {
            Instance instance = TestPools.instance("w", "i" + i, 9300 + i);
            instance.report(dev.fleet.gateway.pool.ReportedLoad.ofCapacity(capacities[i]));
            members.add(instance);
        }
        pool.replaceMembers("config", members, System.nanoTime());
        PoolSnapshot table = pool.snapshot();
        int[] counts = new int[4];
        for (int step = 0; step < 10_000; step++) {
            int index = table.indexAtExcluding(step / 10_000.0, 2);
            assertThat(index).isNotEqualTo(2);
            counts[index]++;
        }
        // without i2 (weight 3), the rest weigh 1 : 2 : 4 of 7
        assertThat(counts[0] / 10_000.0).isCloseTo(1 / 7.0, within(0.01));
        assertThat(counts[1] / 10_000.0).isCloseTo(2 / 7.0, within(0.01));
        assertThat(counts[3] / 10_000.0).isCloseTo(4 / 7.0, within(0.01));
    }
}
