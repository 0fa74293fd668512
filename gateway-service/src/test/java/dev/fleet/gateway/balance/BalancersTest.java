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
import dev.fleet.gateway.pool.ReportedLoad;
import dev.fleet.gateway.testing.TestPools;

/** The balancers on real pools and pick tables, without HTTP. */
class BalancersTest {

    private static Pool pool(int size, double... capacities) {
        Pool pool = TestPools.pool("b", Map.of("slow-start", "0s"));
        List<Instance> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            Instance instance = TestPools.instance("b", "i" + i, 9000 + i);
            instance.report(ReportedLoad.ofCapacity(capacities.length > i ? capacities[i] : 1));
            members.add(instance);
        }
        pool.replaceMembers("config", members, System.nanoTime());
        return pool;
    }

    private static Map<String, Integer> picks(Balancer balancer, Pool pool, int count) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < count; i++) {
            counts.merge(balancer.pick(pool.snapshot(), Pick.ANY).id(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void leastConnectionsSpreadsIdleTrafficByWeight() {
        Map<String, Integer> counts = picks(new LeastConnections(), pool(3, 1, 2, 3), 60_000);
        assertThat(counts.get("i0") / 60_000.0).isCloseTo(1 / 6.0, within(0.02));
        assertThat(counts.get("i1") / 60_000.0).isCloseTo(2 / 6.0, within(0.02));
        assertThat(counts.get("i2") / 60_000.0).isCloseTo(3 / 6.0, within(0.02));
    }

    @Test
    void leastConnectionsKeepsInFlightInProportionToWeight() {
        Pool pool = pool(2, 1, 3);
        // hold every request (fewer than max-concurrency): in-flight counts show where the picks went under load
        for (int i = 0; i < 200; i++) {
            pool.acquire(new LeastConnections(), Pick.ANY);
        }
        assertThat(pool.member("i1").inFlight() / (double) pool.member("i0").inFlight()).isCloseTo(3.0, within(0.35));
    }

    @Test
    void theWeightFollowsReportedLoad() {
        ReportedLoad idle = new ReportedLoad(2, 0, 0, 0, 0, 0);
        ReportedLoad busy = new ReportedLoad(2, 50, 20, 1000, 10, 5000);
        assertThat(idle.weight(0)).isEqualTo(2.0);
        // 2 × 0.5 × 0.8 × 1/2 × 1/2 × 1/2
        assertThat(busy.weight(0)).isCloseTo(0.1, within(1e-9));
        assertThat(new ReportedLoad(1, 100, 0, 0, 0, 0).weight(0)).isEqualTo(ReportedLoad.MIN_WEIGHT);
        // the gateway's own latency replaces the runner's response time when it has one
        assertThat(new ReportedLoad(1, 0, 0, 1000, 0, 0).weight(3000)).isCloseTo(0.25, within(1e-9));
    }

    @Test
    void weightedRoundRobinGivesEachItsShareOverAShortRun() {
        Map<String, Integer> counts = picks(new WeightedRoundRobin(), pool(3, 1, 2, 3), 600);
        assertThat(counts.get("i0")).isBetween(95, 105);
        assertThat(counts.get("i1")).isBetween(195, 205);
        assertThat(counts.get("i2")).isBetween(295, 305);
    }

    @Test
    void roundRobinTakesTurns() {
        Pool pool = pool(3);
        Balancer balancer = new RoundRobin();
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            order.add(balancer.pick(pool.snapshot(), Pick.ANY).id());
        }
        assertThat(order).containsExactly("i0", "i1", "i2", "i0", "i1", "i2");
    }

    @Test
    void leastResponseTimePrefersTheFasterInstance() {
        Pool pool = pool(2);
        pool.member("i0").recordOutcome(200, false);
        pool.member("i1").recordOutcome(5, false);
        Map<String, Integer> counts = picks(new LeastResponseTime(), pool, 1000);
        // the slower one is only picked when both draws fall on it (about a quarter)
        assertThat(counts.get("i1")).isGreaterThan(700);
    }

    @Test
    void consistentHashKeepsAKeyAndMovesOnlyTheLeaversKeys() {
        Pool pool = pool(5);
        Balancer balancer = new ConsistentHash(1.25);
        Map<String, String> before = new HashMap<>();
        for (int k = 0; k < 5000; k++) {
            String key = "user-" + k;
            before.put(key, balancer.pick(pool.snapshot(), new Pick(key, null)).id());
            assertThat(balancer.pick(pool.snapshot(), new Pick(key, null)).id()).isEqualTo(before.get(key));
        }
        pool.remove("i3", System.nanoTime());
        int moved = 0;
        for (var entry : before.entrySet()) {
            String now = balancer.pick(pool.snapshot(), new Pick(entry.getKey(), null)).id();
            if (!now.equals(entry.getValue())) {
                moved++;
                assertThat(entry.getValue()).as("only keys of the instance that left move").isEqualTo("i3");
            }
        }
        assertThat(moved / 5000.0).isCloseTo(1 / 5.0, within(0.05));
    }

    @Test
    void consistentHashBoundsTheLoadOfAHotKey() {
        Pool pool = pool(4);
        Balancer balancer = new ConsistentHash(1.25);
        Pick hot = new Pick("hot-user", null);
        Instance home = balancer.pick(pool.snapshot(), hot);
        for (int i = 0; i < 100; i++) {
            pool.acquire(balancer, hot);
        }
        // 100 requests of one key: its home takes at most ceil(1.25 × 100 / 4) of them, the rest spill over
        assertThat(home.inFlight()).isLessThanOrEqualTo(32);
        assertThat(pool.members().stream().filter(instance -> instance.inFlight() > 0).count()).isGreaterThan(1);
    }

    @Test
    void aRetryAvoidsTheInstanceThatFailed() {
        Pool pool = pool(2);
        Instance failed = pool.member("i0");
        for (Balancer balancer : List.of(new LeastConnections(), new RoundRobin(), new WeightedRoundRobin(),
                new LeastResponseTime(), new ConsistentHash(1.25))) {
            for (int i = 0; i < 50; i++) {
                assertThat(balancer.pick(pool.snapshot(), new Pick("k" + i, failed))).isSameAs(pool.member("i1"));
            }
        }
    }

    @Test
    void panicSpreadsOverAllWhenTooFewAreUsable() {
        Pool pool = pool(4);
        long now = System.nanoTime();
        pool.member("i0").markLayer(1, true, "down", now);
        pool.member("i1").markLayer(1, true, "down", now);
        pool.refresh(now);
        assertThat(pool.snapshot().panic()).isFalse();
        assertThat(pool.snapshot().size()).isEqualTo(2);

        pool.member("i2").markLayer(1, true, "down", now);
        pool.refresh(now);
        assertThat(pool.snapshot().panic()).isTrue();
        assertThat(pool.snapshot().size()).isEqualTo(4);
    }

    @Test
    void slowStartRampsANewInstancesWeight() {
        Pool pool = TestPools.pool("s", Map.of("slow-start", "10s"));
        long start = System.nanoTime();
        Instance instance = new Instance("n", "s", new dev.fleet.gateway.pool.Address("127.0.0.1", 1, false), "config",
                ReportedLoad.ofCapacity(2), start);
        assertThat(instance.effectiveWeight(start, 10_000_000_000L)).isCloseTo(0.2, within(1e-9));
        assertThat(instance.effectiveWeight(start + 5_000_000_000L, 10_000_000_000L)).isCloseTo(1.0, within(1e-9));
        assertThat(instance.effectiveWeight(start + 11_000_000_000L, 10_000_000_000L)).isEqualTo(2.0);
        assertThat(pool.settings().slowStart().toSeconds()).isEqualTo(10);
    }
}
