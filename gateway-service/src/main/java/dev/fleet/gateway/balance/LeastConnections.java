package dev.fleet.gateway.balance;

import java.util.concurrent.ThreadLocalRandom;

import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.PoolSnapshot;

/**
 * Dynamic weighted least-connections by power of two choices: two candidates drawn in proportion
 * to their effective weight, and the one with fewer in-flight requests per unit of weight wins
 * (ties: the first draw). Idle, this spreads exactly by weight; loaded, in-flight counts settle in
 * proportion to weight. Two random draws and two binary searches: no lock, no scan.
 */
public final class LeastConnections implements Balancer {

    @Override
    public Instance pick(PoolSnapshot table, Pick pick) {
        int n = table.size();
        if (n == 0) {
            return null;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int a = table.indexAt(random.nextDouble());
        int b = table.indexAt(random.nextDouble());
        Instance first = table.get(a);
        Instance second = table.get(b);
        if (first == pick.avoid()) {
            if (second == pick.avoid()) {
                return Picks.anyOther(table, pick.avoid());
            }
            return second;
        }
        if (second == pick.avoid()) {
            return first;
        }
        // in-flight / weight, compared without dividing
        return second.inFlight() * table.weight(a) < first.inFlight() * table.weight(b) ? second : first;
    }
}
