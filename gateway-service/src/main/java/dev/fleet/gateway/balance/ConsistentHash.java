package dev.fleet.gateway.balance;

import dev.fleet.gateway.pool.HashRing;
import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.PoolSnapshot;

/**
 * Affinity by consistent hashing with bounded load: a key goes to the first instance clockwise from
 * it on the ring, unless that one already carries more than {@code loadFactor} × the pool's mean
 * in-flight, in which case the walk goes on to the next. So a key stays on one instance, only about
 * 1/N keys move when one of N leaves, and one hot key cannot overload an instance. Requests
 * without a key fall back to least-connections.
 */
public final class ConsistentHash implements Balancer {

    private final double loadFactor;
    private final Balancer keyless = new LeastConnections();

    public ConsistentHash(double loadFactor) {
        this.loadFactor = loadFactor;
    }

    @Override
    public Instance pick(PoolSnapshot table, Pick pick) {
        int n = table.size();
        if (pick.key() == null || n == 0) {
            return keyless.pick(table, pick);
        }
        HashRing ring = table.ring();
        int poolInFlight = 0;
        for (int i = 0; i < n; i++) {
            poolInFlight += table.get(i).inFlight();
        }
        // +1: the request being placed; ceil so that a lone request always fits
        double bound = Math.ceil(loadFactor * (poolInFlight + 1) / n);
        int start = ring.start(pick.key());
        Instance first = null;
        for (int step = 0; step < ring.size(); step++) {
            Instance owner = ring.owner(start + step);
            if (owner == pick.avoid()) {
                continue;
            }
            if (first == null) {
                first = owner;
            }
            if (owner.inFlight() < bound) {
                return owner;
            }
        }
        return first;
    }
}
