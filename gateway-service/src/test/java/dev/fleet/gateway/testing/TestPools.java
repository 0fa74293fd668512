package dev.fleet.gateway.testing;

import java.util.Arrays;
import java.util.List;

import dev.fleet.gateway.pool.Address;
import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.Pool;
import dev.fleet.gateway.pool.Pools;
import dev.fleet.gateway.pool.ReportedLoad;

/** Puts test upstreams into a pool as its only members (source "test"), each with capacity 1. */
public final class TestPools {

    private TestPools() {
    }

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
}
