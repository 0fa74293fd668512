package dev.fleet.gateway.balance;

import java.util.concurrent.ThreadLocalRandom;

import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.PoolSnapshot;

/**
 * Least response time by power of two choices: of two random candidates, the one with the lower
 * latency EWMA × (in flight + 1) wins, so a fast instance is preferred until it queues up. An
 * instance without samples yet scores as 1 ms and so gets tried.
 */
public final class LeastResponseTime implements Balancer {

    @Override
    public Instance pick(PoolSnapshot table, Pick pick) {
        int n = table.size();
        if (n == 0) {
            return null;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Instance first = Picks.at(table, random.nextInt(n), pick.avoid());
        Instance second = Picks.at(table, random.nextInt(n), pick.avoid());
        if (first == null || second == null) {
            return first == null ? second : first;
        }
        return cost(second) < cost(first) ? second : first;
    }

    private static double cost(Instance instance) {
        return Math.max(1, instance.latencyEwmaMs()) * (instance.inFlight() + 1);
    }
}
