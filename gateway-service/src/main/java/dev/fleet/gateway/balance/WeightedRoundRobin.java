package dev.fleet.gateway.balance;

import java.util.concurrent.atomic.AtomicLong;

import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.PoolSnapshot;

/**
 * Turns in proportion to effective weight, interleaved: the n-th request goes to the candidate at
 * the golden-ratio point {@code frac(n × 0.618…)} of the total weight. That low-discrepancy
 * sequence gives every candidate its share over any short run without a lock (unlike nginx's smooth
 * weighted round robin, which updates every weight under one).
 */
public final class WeightedRoundRobin implements Balancer {

    private static final double GOLDEN = 0.6180339887498949;

    private final AtomicLong next = new AtomicLong();

    @Override
    public Instance pick(PoolSnapshot table, Pick pick) {
        if (table.size() == 0) {
            return null;
        }
        double point = next.getAndIncrement() * GOLDEN;
        Instance chosen = table.get(table.indexAt(point - Math.floor(point)));
        return chosen == pick.avoid() ? Picks.anyOther(table, pick.avoid()) : chosen;
    }
}
