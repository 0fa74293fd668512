package dev.fleet.gateway.balance;

import dev.fleet.gateway.pool.Instance;

/**
 * What a pick knows of the request: its affinity key (consistent hashing; for session routing, the
 * session's runner id) and an instance to avoid (the one a retry leaves).
 */
public record Pick(String key, Instance avoid) {

    public static final Pick ANY = new Pick(null, null);

    public Pick avoiding(Instance instance) {
        return new Pick(key, instance);
    }
}
