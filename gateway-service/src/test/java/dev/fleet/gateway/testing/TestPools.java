package dev.fleet.gateway.testing;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.fleet.gateway.config.GatewayConfig;
import dev.fleet.gateway.config.GatewayConfig.PoolConfig;
import dev.fleet.gateway.pool.Address;
import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.Pool;
import dev.fleet.gateway.pool.Pools;
import dev.fleet.gateway.pool.ReportedLoad;
import dev.fleet.gateway.pool.RetryBudget;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;

/** Pools and instances for tests: standalone ones for unit tests, or test upstreams put into the gateway's own pools. */
public final class TestPools {

    private TestPools() {
    }

    /** Puts test upstreams into the gateway's pool as its only members (source "test"), each with capacity 1. */
    public static Pool use(Pools pools, String pool, TestUpstream... upstreams) {
        long now = System.nanoTime();
        List<Instance> members = Arrays.stream(upstreams)
                .map(upstream -> new Instance(upstream.name(), pool, Address.parse(upstream.url()), "test",
                        ReportedLoad.ofCapacity(1), now))
                .toList();
        Pool target = pools.pool(pool);
        target.replaceMembers("test", members, now);
        return target;
    }

    /** A pool named {@code name} whose keys under {@code fleet.gateway.pools.<name>.} are {@code keys}, the rest defaults. */
    public static Pool pool(String name, Map<String, String> keys) {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder().withMapping(GatewayConfig.class)
                // Quarkus' own converter reads "5s" and "250ms"; plain SmallRye only knows ISO-8601 (PT5S).
                .withConverter(Duration.class, 200, new DurationConverter());
        keys.forEach((key, value) -> builder.withDefaultValue("fleet.gateway.pools." + name + "." + key, value));
        PoolConfig settings = builder.build().getConfigMapping(GatewayConfig.class).pools().get(name);
        return new Pool(name, settings, new RetryBudget(0.2, 10));
    }

    public static Instance instance(String pool, String id, int port) {
        return new Instance(id, pool, new Address("127.0.0.1", port, false), "config", ReportedLoad.ofCapacity(1),
                System.nanoTime());
    }
}
