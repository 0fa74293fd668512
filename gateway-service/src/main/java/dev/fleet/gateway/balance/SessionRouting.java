package dev.fleet.gateway.balance;

import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.PoolSnapshot;

/**
 * Session routing: the request goes to the runner that holds its session. The proxy has already
 * looked the session up in session-service, so the pick's key is the runner's id here. No other
 * instance will do: a full runner means waiting, a missing one means no instance.
 */
public final class SessionRouting implements Balancer {

    @Override
    public Instance pick(PoolSnapshot table, Pick pick) {
        return pick.key() == null ? null : table.byId(pick.key());
    }

    @Override
    public boolean pinned() {
        return true;
    }
}
