package dev.fleet.scaler.pool;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A pool as the API shows it: its spec, where it came from, the size last asked of its backend. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PoolView(String name, String source, int instances, Integer pendingManualInstances, String queue,
        PoolSpec spec, Instant createdAt, Instant updatedAt) {

    static PoolView of(PoolRecord pool) {
        return new PoolView(pool.name(), pool.source(), pool.instances(), pool.manualInstances(), pool.queue(),
                pool.spec(), pool.createdAt(), pool.updatedAt());
    }
}
