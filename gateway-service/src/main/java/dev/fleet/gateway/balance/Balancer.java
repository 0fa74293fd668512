package dev.fleet.gateway.balance;

import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.PoolSnapshot;

/** Chooses an instance from a pool's pick table. Called on every request: no locks, no I/O. */
public interface Balancer {

    /** The preferred instance, or null if none fits. It may be full; the pool then looks further. */
    Instance pick(PoolSnapshot snapshot, Pick pick);

    /** Whether only the picked instance will do (session routing): a full one means wait, not another. */
    default boolean pinned() {
        return false;
    }
}
