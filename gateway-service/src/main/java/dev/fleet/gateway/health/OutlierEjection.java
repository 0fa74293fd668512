package dev.fleet.gateway.health;

import jakarta.inject.Singleton;

import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.Pool;

/** Placeholder until the health package lands: passive ejection after consecutive failures. */
@Singleton
public class OutlierEjection {

    public void afterFailure(Pool pool, Instance instance, int consecutiveFailures, String reason) {
    }
}
