package dev.fleet.scaler.pool;

import java.time.Duration;
import java.util.Map;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.fleet.scaler.config.ScalerConfig;
import dev.fleet.scaler.policy.InvalidPolicyException;
import io.quarkus.runtime.StartupEvent;

/**
 * Pools from configuration ({@code fleet.scaler.pools.<name>.*}) are written to the table at
 * start, marked {@code config}, so the API shows them and cannot change them. An invalid one
 * stops the service with a message naming the key: better than scaling on a policy nobody meant.
 */
@Singleton
public class ConfiguredPools {

    void load(@Observes StartupEvent event, ScalerConfig config, PoolService service, PoolStore store) {
        config.pools().forEach((name, pool) -> {
            PoolSpec.Policy policy = pool.jobsPerInstance().map(jobs -> new PoolSpec.Policy(null,
                    new PoolSpec.QueueTargetSpec(jobs, null, null), null, null, null, null, null, null, null))
                    .orElse(null);
            PoolSpec spec = new PoolSpec(pool.min(), pool.max(), pool.queue().orElse(null),
                    new PoolSpec.Backend(pool.backend(), Map.copyOf(pool.settings())), pool.dryRun(), policy);
            try {
                service.validate(name, spec);
            } catch (InvalidPolicyException e) {
                throw new IllegalStateException("fleet.scaler.pools." + name + ": " + e.getMessage(), e);
            }
            store.save(name, spec, "config").await().atMost(Duration.ofSeconds(30));
        });
    }
}
