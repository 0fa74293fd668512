package dev.fleet.gateway.admin;

import java.util.Comparator;
import java.util.List;

import dev.fleet.gateway.pool.Pool;

/**
 * A pool as the admin API shows it: totals, and with {@code instances} each instance's state.
 * {@code panic}: too few instances are usable, so picks spread over every non-draining one.
 */
public record PoolView(String pool, int instances, int usable, boolean panic, int inFlight, int queueLength,
        int maxConcurrency, List<InstanceView> members) {

    static PoolView of(Pool pool, boolean withInstances) {
        long now = System.nanoTime();
        long slowStart = pool.settings().slowStart().toNanos();
        int usable = (int) pool.members().stream().filter(instance -> instance.usable()).count();
        List<InstanceView> members = withInstances
                ? pool.members().stream().map(instance -> InstanceView.of(instance, now, slowStart))
                        .sorted(Comparator.comparing(InstanceView::id)).toList()
                : null;
        return new PoolView(pool.name(), pool.members().size(), usable, pool.snapshot().panic(), pool.inFlight(),
                pool.waiting().size(), pool.settings().maxConcurrency(), members);
    }
}
