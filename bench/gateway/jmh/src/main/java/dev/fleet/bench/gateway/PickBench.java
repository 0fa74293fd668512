package dev.fleet.bench.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

import dev.fleet.gateway.balance.LeastConnections;
import dev.fleet.gateway.balance.Pick;
import dev.fleet.gateway.config.GatewayConfig;
import dev.fleet.gateway.config.GatewayConfig.PoolConfig;
import dev.fleet.gateway.pool.Address;
import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.Pool;
import dev.fleet.gateway.pool.PoolSnapshot;
import dev.fleet.gateway.pool.ReportedLoad;
import dev.fleet.gateway.pool.RetryBudget;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * The request path's instance choice: {@link LeastConnections#pick} (dynamic weighted
 * least-connections, power of two choices) on the pick table of a pool of {@code instances}
 * (default 100) upstreams with varied reported load (so varied weights) and varied in-flight
 * counts; and {@link Pool#acquire} + {@link Pool#release}, which wrap that pick with the slot
 * bookkeeping every proxied request pays (pick, CAS on the instance, pool counter, release).
 *
 * <p>The pool is a real {@link Pool} with default settings except {@code slow-start=0s} (weights
 * are then exactly the reported-load formula), built from a {@link PoolConfig} that SmallRye Config
 * maps from {@code fleet.gateway.pools.bench.*} (with Quarkus' duration converter) — the same
 * mapping the service gets.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PickBench {

    @Param("100")
    public int instances;

    private Pool pool;
    private PoolSnapshot snapshot;
    private LeastConnections balancer;
    private Pick avoidingOne;

    @Setup(Level.Trial)
    public void setUp() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(GatewayConfig.class)
                // "5s"-style durations, as Quarkus reads them (plain SmallRye Config wants ISO-8601)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withDefaultValue("fleet.gateway.pools.bench.slow-start", "0s")
                .build();
        PoolConfig settings = config.getConfigMapping(GatewayConfig.class).pools().get("bench");
        if (settings == null || !settings.slowStart().isZero()) {
            throw new IllegalStateException("pool settings not mapped as expected: " + settings);
        }
        pool = new Pool("bench", settings, new RetryBudget(0.2, 10));

        Random random = new Random(42);
        long now = System.nanoTime();
        List<Instance> members = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            ReportedLoad load = new ReportedLoad(
                    1 + random.nextInt(4),            // capacity 1–4
                    random.nextInt(60),               // cpu %
                    random.nextInt(50),               // memory %
                    random.nextInt(300),              // response ms
                    random.nextInt(20),               // active connections
                    random.nextInt(2_000));           // thinking ms
            members.add(new Instance(String.format("i-%03d", i), "bench",
                    new Address("127.0.0.1", 20_000 + i, false), "config", load, now));
        }
        pool.replaceMembers("config", members, now);
        snapshot = pool.snapshot();
        if (snapshot.size() != instances) {
            throw new IllegalStateException("pick table has " + snapshot.size() + " instances, expected " + instances);
        }
        // in flight 0–31 per instance, taken through the instances' own slots
        int max = settings.maxConcurrency();
        for (int i = 0; i < snapshot.size(); i++) {
            int n = random.nextInt(32);
            for (int k = 0; k < n; k++) {
                if (!snapshot.get(i).tryAcquire(max)) {
                    throw new IllegalStateException("no slot");
                }
            }
        }
        balancer = new LeastConnections();
        avoidingOne = Pick.ANY.avoiding(snapshot.get(snapshot.size() / 2));

        double min = Double.MAX_VALUE, maxWeight = 0;
        int floored = 0, busiest = 0;
        for (int i = 0; i < snapshot.size(); i++) {
            min = Math.min(min, snapshot.weight(i));
            maxWeight = Math.max(maxWeight, snapshot.weight(i));
            floored += snapshot.weight(i) <= ReportedLoad.MIN_WEIGHT ? 1 : 0;
            busiest = Math.max(busiest, snapshot.get(i).inFlight());
        }
        System.out.printf("# pool: %d instances, weights %.2f–%.2f (%d at the floor), in flight 0–%d, max concurrency %d%n",
                snapshot.size(), min, maxWeight, floored, busiest, max);
    }

    /** One pick: two weighted draws (binary searches over the cumulative weights) and a compare. */
    @Benchmark
    public Instance pick() {
        return balancer.pick(snapshot, Pick.ANY);
    }

    /** A retry's pick, which must avoid the instance it leaves. */
    @Benchmark
    public Instance pickAvoiding() {
        return balancer.pick(snapshot, avoidingOne);
    }

    /** What a request pays for its slot: acquire (pick + CAS) and release, one thread. */
    @Benchmark
    public Instance acquireRelease() {
        Instance instance = pool.acquire(balancer, Pick.ANY);
        pool.release(instance);
        return instance;
    }

    /** As {@link #acquireRelease}, two threads on the same pool (they share the pool's in-flight counter). */
    @Benchmark
    @Threads(2)
    public Instance acquireRelease2Threads() {
        Instance instance = pool.acquire(balancer, Pick.ANY);
        pool.release(instance);
        return instance;
    }
}
