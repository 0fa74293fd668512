package dev.fleet.gateway.balance;

import java.util.concurrent.ThreadLocalRandom;

import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.PoolSnapshot;

/** Helpers the balancers share. */
final class Picks {

    private Picks() {
    }

    /** Any candidate but {@code avoid}, starting at a random place → null if there is none. */
    static Instance anyOther(PoolSnapshot table, Instance avoid) {
        int n = table.size();
        int offset = n == 0 ? 0 : ThreadLocalRandom.current().nextInt(n);
        for (int i = 0; i < n; i++) {
            Instance candidate = table.get((offset + i) % n);
            if (candidate != avoid) {
                return candidate;
            }
        }
        return null;
    }

    /** The candidate at position {@code index} (any long), or the next one if that is {@code avoid}. */
    static Instance at(PoolSnapshot table, long index, Instance avoid) {
        int n = table.size();
        if (n == 0) {
            return null;
        }
        Instance candidate = table.get((int) Math.floorMod(index, (long) n));
        return candidate == avoid ? (n == 1 ? null : table.get((int) Math.floorMod(index + 1, (long) n))) : candidate;
    }
}
