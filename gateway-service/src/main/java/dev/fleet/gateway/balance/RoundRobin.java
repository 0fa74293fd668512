package dev.fleet.gateway.balance;

import java.util.concurrent.atomic.AtomicLong;

import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.PoolSnapshot;

/** Each candidate in turn, ignoring weights. One shared counter per route. */
public final class RoundRobin implements Balancer {

    private final AtomicLong next = new AtomicLong();

    @Override
    public Instance pick(PoolSnapshot table, Pick pick) {
        return Picks.at(table, next.getAndIncrement(), pick.avoid());
    }
}
