package dev.fleet.scaler.pool;

import java.time.Instant;

import dev.fleet.scaler.backend.BackendTarget;

/** A stored pool: its spec, where it came from, the size last asked of its backend, a pending manual scale. */
public record PoolRecord(String name, PoolSpec spec, String source, int instances, Integer manualInstances,
        Long manualEvent, Instant createdAt, Instant updatedAt) {

    public String queue() {
        return spec.queueOr(name);
    }

    public BackendTarget target() {
        return new BackendTarget(name, queue(), spec.backend().settings() == null ? java.util.Map.of()
                : spec.backend().settings());
    }
}
